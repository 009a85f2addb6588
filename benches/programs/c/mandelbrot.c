/* Mandelbrot 1000x1000, 50 iterations, count points inside — peer of benches/programs/mandelbrot.em */
#include <stdio.h>
#include <stdint.h>

static int64_t count_inside(int64_t n, int64_t max_iter) {
    int64_t count = 0;
    for (int64_t y = 0; y < n; y++) {
        double ci = 2.0 * (double)y / (double)n - 1.0;
        for (int64_t x = 0; x < n; x++) {
            double cr = 2.0 * (double)x / (double)n - 1.5;
            double zr = 0.0, zi = 0.0;
            int inside = 1;
            for (int64_t i = 0; i < max_iter; i++) {
                double tr = zr * zr - zi * zi + cr;
                double ti = 2.0 * zr * zi + ci;
                zr = tr;
                zi = ti;
                if (zr * zr + zi * zi > 4.0) { inside = 0; break; }
            }
            if (inside) count++;
        }
    }
    return count;
}

int main(void) {
    printf("%lld\n", (long long)count_inside(1000, 50));
    return 0;
}
