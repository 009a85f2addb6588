/* add1 called 100,000,000 times — peer of benches/programs/calls.em.
   noinline keeps the call a call, as in Ember where every call goes through a slot. */
#include <stdio.h>
#include <stdint.h>

__attribute__((noinline)) static int64_t add1(int64_t x) { return x + 1; }

static int64_t run(int64_t n) {
    int64_t x = 0;
    for (int64_t i = 0; i < n; i++) x = add1(x);
    return x;
}

int main(void) {
    printf("%lld\n", (long long)run(100000000));
    return 0;
}
