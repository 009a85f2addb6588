// Benchmark: naive doubly recursive Fibonacci, fib(32). Measures call overhead and integer work.
fn fib(n: int) -> int {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}
println(fib(32));
