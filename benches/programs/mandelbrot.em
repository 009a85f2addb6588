// Benchmark: Mandelbrot set on a 1000 x 1000 grid over [-1.5, 0.5] x [-1, 1], 50 iterations;
// prints how many points never escaped (|z|^2 > 4 means escaped).
fn count_inside(n: int, max_iter: int) -> int {
    let mut count = 0;
    for y in 0..n {
        let ci = 2.0 * (y as float) / (n as float) - 1.0;
        for x in 0..n {
            let cr = 2.0 * (x as float) / (n as float) - 1.5;
            let mut zr = 0.0;
            let mut zi = 0.0;
            let mut inside = true;
            for i in 0..max_iter {
                let tr = zr * zr - zi * zi + cr;
                let ti = 2.0 * zr * zi + ci;
                zr = tr;
                zi = ti;
                if zr * zr + zi * zi > 4.0 {
                    inside = false;
                    break;
                }
            }
            if inside { count += 1; }
        }
    }
    count
}
println(count_inside(1000, 50));
