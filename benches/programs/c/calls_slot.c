/* calls.c with add1 called through a function-pointer slot read at every
   call, as every Ember call is (DESIGN.md: load the callee from its slot,
   call indirectly). Not a peer of its own: benches/compare.py times it
   beside calls.c to show what the slot call alone costs in C. */
#include <stdio.h>
#include <stdint.h>

__attribute__((noinline)) static int64_t add1(int64_t x) { return x + 1; }

/* volatile: the slot is read at every call, as a slot another thread may
   rewrite must be. */
static int64_t (*volatile slot)(int64_t) = add1;

static int64_t run(int64_t n) {
    int64_t x = 0;
    for (int64_t i = 0; i < n; i++) x = slot(x);
    return x;
}

int main(void) {
    printf("%lld\n", (long long)run(100000000));
    return 0;
}
