/* sum of (i*i) % 7 for i < 80,000,000 — peer of benches/programs/loop.em */
#include <stdio.h>
#include <stdint.h>

static int64_t run(int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; i++) sum += (i * i) % 7;
    return sum;
}

int main(void) {
    printf("%lld\n", (long long)run(80000000));
    return 0;
}
