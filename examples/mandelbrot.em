// An ASCII-art Mandelbrot set. Each character is one point c of the complex
// plane; we iterate z = z*z + c and shade the point by how quickly |z| grows
// past 2 (points that never escape are drawn with '@').
//
//     ember run examples/mandelbrot.em

let WIDTH = 72;
let HEIGHT = 28;
let MAX_ITER = 60;
let SHADES = split(" .:-=+*#%@", "");

// How many iterations until the orbit of c escapes (MAX_ITER if it never does).
fn escape_time(cr: float, ci: float) -> int {
    let mut zr = 0.0;
    let mut zi = 0.0;
    for i in 0..MAX_ITER {
        let zr2 = zr * zr;
        let zi2 = zi * zi;
        if zr2 + zi2 > 4.0 {
            return i;
        }
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
    }
    MAX_ITER
}

fn shade(iter: int) -> str {
    if iter == MAX_ITER {
        return SHADES[len(SHADES) - 1];
    }
    // points that escape quickly are light, slow ones darker
    let idx = min(iter / 2, len(SHADES) - 2);
    SHADES[idx]
}

for row in 0..HEIGHT {
    let ci = -1.15 + 2.3 * (row as float) / (HEIGHT as float);
    let line: [str] = [];
    for col in 0..WIDTH {
        let cr = -2.2 + 2.8 * (col as float) / (WIDTH as float);
        line.push(shade(escape_time(cr, ci)));
    }
    println(join(line, ""));
}
