// runtime error: message starts with `division by zero`, raised in a spawned thread and re-raised by join in <main> (line 12); the thread's stack: work (line 4), run (line 8). Stdout before it: "spawned".
fn work(n: int) -> int {
    let mut acc = 0;
    for i in 0..n { acc += 100 / (n - 1 - i); }
    acc
}
fn run(n: int) {
    println(work(n));
}
let t = spawn run(3);
println("spawned");
join(t);
println("unreachable");
