# Mandelbrot 1000x1000, 50 iterations, count points inside: peer of benches/programs/mandelbrot.em
def count_inside(n, max_iter):
    count = 0
    for y in range(n):
        ci = 2.0 * y / n - 1.0
        for x in range(n):
            cr = 2.0 * x / n - 1.5
            zr = 0.0
            zi = 0.0
            inside = True
            for _ in range(max_iter):
                tr = zr * zr - zi * zi + cr
                ti = 2.0 * zr * zi + ci
                zr = tr
                zi = ti
                if zr * zr + zi * zi > 4.0:
                    inside = False
                    break
            if inside:
                count += 1
    return count

print(count_inside(1000, 50))
