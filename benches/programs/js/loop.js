// sum of (i*i) % 7 for i < 80,000,000: peer of benches/programs/loop.em (i*i < 2^53, exact in doubles)
function run(n) {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += (i * i) % 7;
  }
  return sum;
}
console.log(String(run(80000000)));
