// runtime error: message starts with `stack overflow`, in a spawned thread (unbounded recursion in descend, line 3, called from climb, line 6) and raised by join in <main> (line 11); the trace keeps the innermost and the outermost frames. Stdout before it: "spawned", then "main still runs".
fn descend(n: int) -> int {
    descend(n + 1) + n
}
fn climb(start: int) {
    println(descend(start));
}
let t = spawn climb(0);
println("spawned");
println("main still runs");
join(t);
println("unreachable");
