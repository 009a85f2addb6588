// fib(32), naive recursion: peer of benches/programs/fib.em
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
console.log(String(fib(32)));
