// Mandelbrot 1000x1000, 50 iterations, count points inside: peer of benches/programs/mandelbrot.em
function countInside(n, maxIter) {
  let count = 0;
  for (let y = 0; y < n; y++) {
    const ci = (2.0 * y) / n - 1.0;
    for (let x = 0; x < n; x++) {
      const cr = (2.0 * x) / n - 1.5;
      let zr = 0.0;
      let zi = 0.0;
      let inside = true;
      for (let i = 0; i < maxIter; i++) {
        const tr = zr * zr - zi * zi + cr;
        const ti = 2.0 * zr * zi + ci;
        zr = tr;
        zi = ti;
        if (zr * zr + zi * zi > 4.0) {
          inside = false;
          break;
        }
      }
      if (inside) count++;
    }
  }
  return count;
}
console.log(String(countInside(1000, 50)));
