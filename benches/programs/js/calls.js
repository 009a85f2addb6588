// add1 called 100,000,000 times: peer of benches/programs/calls.em
function add1(x) {
  return x + 1;
}
function run(n) {
  let x = 0;
  for (let i = 0; i < n; i++) {
    x = add1(x);
  }
  return x;
}
console.log(String(run(100000000)));
