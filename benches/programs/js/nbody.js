// n-body, 1,000,000 steps: peer of benches/programs/nbody.em.
// Prints each energy as Ember prints a float (Rust's {:?}: shortest round-trip digits).
const PI = 3.141592653589793;
const SOLAR_MASS = 4.0 * PI * PI;
const DAYS_PER_YEAR = 365.24;

function body(x, y, z, vx, vy, vz, mass) {
  return { x, y, z, vx, vy, vz, mass };
}

function planet(x, y, z, vx, vy, vz, mass) {
  return body(x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * SOLAR_MASS);
}

function offsetMomentum(bodies) {
  let px = 0.0, py = 0.0, pz = 0.0;
  for (const b of bodies) {
    px += b.vx * b.mass;
    py += b.vy * b.mass;
    pz += b.vz * b.mass;
  }
  const sun = bodies[0];
  sun.vx = -px / SOLAR_MASS;
  sun.vy = -py / SOLAR_MASS;
  sun.vz = -pz / SOLAR_MASS;
}

function energy(bodies) {
  let e = 0.0;
  const n = bodies.length;
  for (let i = 0; i < n; i++) {
    const b = bodies[i];
    e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz);
    for (let j = i + 1; j < n; j++) {
      const o = bodies[j];
      const dx = b.x - o.x, dy = b.y - o.y, dz = b.z - o.z;
      e -= (b.mass * o.mass) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

function advance(bodies, dt) {
  const n = bodies.length;
  for (let i = 0; i < n; i++) {
    const b = bodies[i];
    for (let j = i + 1; j < n; j++) {
      const o = bodies[j];
      const dx = b.x - o.x, dy = b.y - o.y, dz = b.z - o.z;
      const d2 = dx * dx + dy * dy + dz * dz;
      const mag = dt / (d2 * Math.sqrt(d2));
      b.vx -= dx * o.mass * mag;
      b.vy -= dy * o.mass * mag;
      b.vz -= dz * o.mass * mag;
      o.vx += dx * b.mass * mag;
      o.vy += dy * b.mass * mag;
      o.vz += dz * b.mass * mag;
    }
  }
  for (const b of bodies) {
    b.x += dt * b.vx;
    b.y += dt * b.vy;
    b.z += dt * b.vz;
  }
}

// Rust {:?} text of a finite number: JS already picks the shortest round-trip digits.
function rustFloat(v) {
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, expText] = v.toExponential().split("e");
  const exp = Number(expText);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  const nd = digits.length;
  if (exp < -4 || exp >= 16) {
    return sign + digits[0] + (nd > 1 ? "." + digits.slice(1) : "") + "e" + exp;
  }
  if (exp < 0) return sign + "0." + "0".repeat(-exp - 1) + digits;
  if (nd > exp + 1) return sign + digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  return sign + digits + "0".repeat(exp + 1 - nd) + ".0";
}

const bodies = [
  body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS),
  planet(4.8414314424647209, -1.16032004402742839, -1.03622044471123109e-1,
    1.66007664274403694e-3, 7.69901118419740425e-3, -6.90460016972063023e-5,
    9.54791938424326609e-4),
  planet(8.34336671824457987, 4.12479856412430479, -4.03523417114321381e-1,
    -2.76742510726862411e-3, 4.99852801234917238e-3, 2.30417297573763929e-5,
    2.85885980666130812e-4),
  planet(1.2894369562139131e1, -1.51111514016986312e1, -2.23307578892655734e-1,
    2.96460137564761618e-3, 2.3784717395948095e-3, -2.96589568540237556e-5,
    4.36624404335156298e-5),
  planet(1.53796971148509165e1, -2.59193146099879641e1, 1.79258772950371181e-1,
    2.68067772490389322e-3, 1.62824170038242295e-3, -9.5159225451971587e-5,
    5.15138902046611451e-5),
];
offsetMomentum(bodies);
console.log(rustFloat(energy(bodies)));
for (let s = 0; s < 1000000; s++) advance(bodies, 0.01);
console.log(rustFloat(energy(bodies)));
