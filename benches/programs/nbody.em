// Benchmark: n-body simulation of the Jovian planets (Computer Language Benchmarks Game),
// 1,000,000 steps of dt = 0.01; prints the total energy before and after (float text form).
struct Body { x: float, y: float, z: float, vx: float, vy: float, vz: float, mass: float }

let PI = 3.141592653589793;
let SOLAR_MASS = 4.0 * PI * PI;
let DAYS_PER_YEAR = 365.24;

fn planet(x: float, y: float, z: float, vx: float, vy: float, vz: float, mass: float) -> Body {
    Body { x: x, y: y, z: z, vx: vx * DAYS_PER_YEAR, vy: vy * DAYS_PER_YEAR, vz: vz * DAYS_PER_YEAR, mass: mass * SOLAR_MASS }
}

fn offset_momentum(bodies: [Body]) {
    let mut px = 0.0;
    let mut py = 0.0;
    let mut pz = 0.0;
    for b in bodies {
        px += b.vx * b.mass;
        py += b.vy * b.mass;
        pz += b.vz * b.mass;
    }
    let sun = bodies[0];
    sun.vx = -px / SOLAR_MASS;
    sun.vy = -py / SOLAR_MASS;
    sun.vz = -pz / SOLAR_MASS;
}

fn energy(bodies: [Body]) -> float {
    let mut e = 0.0;
    let n = len(bodies);
    for i in 0..n {
        let b = bodies[i];
        e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz);
        for j in i + 1..n {
            let o = bodies[j];
            let dx = b.x - o.x;
            let dy = b.y - o.y;
            let dz = b.z - o.z;
            e -= b.mass * o.mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    e
}

fn advance(bodies: [Body], dt: float) {
    let n = len(bodies);
    for i in 0..n {
        let b = bodies[i];
        for j in i + 1..n {
            let o = bodies[j];
            let dx = b.x - o.x;
            let dy = b.y - o.y;
            let dz = b.z - o.z;
            let d2 = dx * dx + dy * dy + dz * dz;
            let mag = dt / (d2 * sqrt(d2));
            b.vx -= dx * o.mass * mag;
            b.vy -= dy * o.mass * mag;
            b.vz -= dz * o.mass * mag;
            o.vx += dx * b.mass * mag;
            o.vy += dy * b.mass * mag;
            o.vz += dz * b.mass * mag;
        }
    }
    for b in bodies {
        b.x += dt * b.vx;
        b.y += dt * b.vy;
        b.z += dt * b.vz;
    }
}

fn run(steps: int) {
    let bodies = [
        Body { x: 0.0, y: 0.0, z: 0.0, vx: 0.0, vy: 0.0, vz: 0.0, mass: SOLAR_MASS },
        planet(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
            1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
            9.54791938424326609e-04),
        planet(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
            -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
            2.85885980666130812e-04),
        planet(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
            2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
            4.36624404335156298e-05),
        planet(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
            2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
            5.15138902046611451e-05),
    ];
    offset_momentum(bodies);
    println(energy(bodies));
    for s in 0..steps {
        advance(bodies, 0.01);
    }
    println(energy(bodies));
}
run(1_000_000);
