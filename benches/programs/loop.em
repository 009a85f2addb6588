// Benchmark: a tight integer loop, the sum of (i * i) % 7 for i below 80,000,000.
fn run(n: int) -> int {
    let mut sum = 0;
    for i in 0..n {
        sum += (i * i) % 7;
    }
    sum
}
println(run(80_000_000));
