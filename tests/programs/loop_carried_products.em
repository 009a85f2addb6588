// Loops whose products of loop variables are carried across the back-edge
// by the optimizer (`jit/src/codegen/carry.rs`): every result must be what
// plain evaluation gives, bit for bit.

// The mandelbrot shape: zr * zr and zi * zi reused from the escape test.
fn escape(cr: float, ci: float, limit: int) -> int {
    let mut zr = 0.0;
    let mut zi = 0.0;
    let mut n = 0;
    while n < limit {
        let tr = zr * zr - zi * zi + cr;
        let ti = 2.0 * zr * zi + ci;
        zr = tr;
        zi = ti;
        if zr * zr + zi * zi > 4.0 {
            break;
        }
        n += 1;
    }
    n
}

// The product of the next value is only computed on one path: it must not
// be carried (the other path changes x without it).
fn conditional(steps: int) -> float {
    let mut x = 1.5;
    let mut acc = 0.0;
    for i in 0..steps {
        acc += x * x;
        if i % 3 == 0 {
            x = x * 0.5 + 1.0;
            acc -= x * x;
        } else {
            x = x + 0.25;
        }
    }
    acc
}

// `continue` reaches the back-edge from two places.
fn with_continue(steps: int) -> float {
    let mut x = 0.75;
    let mut acc = 0.0;
    for i in 0..steps {
        let sq = x * x;
        x = x * 1.01 + 0.1;
        if i % 2 == 0 {
            acc += sq;
            continue;
        }
        acc -= x * x;
    }
    acc
}

// Integer products wrap; carried ones must wrap the same way.
fn int_products(steps: int) -> int {
    let mut a = 3;
    let mut b = 7;
    let mut acc = 0;
    for i in 0..steps {
        acc = acc ^ (a * b);
        let na = b + i;
        let nb = a * 31 + 1;
        a = na;
        b = nb;
        acc += a * b;
    }
    acc
}

// A loop variable times a loop invariant, and sums and differences.
fn with_invariant(k: float, steps: int) -> float {
    let mut x = 1.0;
    let mut y = 2.0;
    let mut acc = 0.0;
    for i in 0..steps {
        acc += x * k + (x - y) + (y + x);
        let nx = y * 0.5;
        let ny = x + 0.125;
        x = nx;
        y = ny;
        acc += x * k - (x - y) * 0.5 + (y + x);
    }
    acc
}

// Nested loops: the inner loop's products carried, the outer loop's too.
fn nested(n: int) -> float {
    let mut total = 0.0;
    let mut u = 0.5;
    for i in 0..n {
        let mut v = u;
        for j in 0..n {
            total += v * v;
            v = v * 0.99 + 0.01;
            total -= v * v * 0.5;
        }
        total += u * u;
        u = u + 0.03125;
        total += u * u;
    }
    total
}

// Swapped variables: x * y next time is y * x of this time's values.
fn swapped(steps: int) -> float {
    let mut x = 1.25;
    let mut y = -0.5;
    let mut acc = 0.0;
    for i in 0..steps {
        acc += x * y;
        let t = x;
        x = y;
        y = t + 0.001;
        acc += y * x;
    }
    acc
}

let mut inside = 0;
for py in 0..24 {
    for px in 0..48 {
        let cr = -2.0 + 2.6 * (px as float) / 48.0;
        let ci = -1.2 + 2.4 * (py as float) / 24.0;
        if escape(cr, ci, 40) == 40 {
            inside += 1;
        }
    }
}
println(inside);
println(escape(-0.75, 0.1, 1000));
println(conditional(50));
println(with_continue(41));
println(int_products(100));
println(with_invariant(3.5, 30));
println(nested(40));
println(swapped(21));
