// Benchmark: 100,000,000 calls of a tiny function (every Ember call goes through the callee's slot).
fn add1(x: int) -> int { x + 1 }
fn run(n: int) -> int {
    let mut x = 0;
    for i in 0..n {
        x = add1(x);
    }
    x
}
println(run(100_000_000));
