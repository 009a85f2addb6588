// runtime error: message starts with `index out of bounds`, raised in a thread (pick, line 3, called from inner, line 6) that another thread joins (middle, line 12): its join raises it there, and main's join (line 19) raises it again in <main>; the trace lists the frames of all three threads, innermost first. Stdout before it: "middle started", "main waits".
fn pick(a: [int], i: int) -> int {
    a[i]
}
fn inner(a: [int]) {
    println(pick(a, len(a)));
}
fn middle(started: chan[int]) {
    println("middle started");
    send(started, 1);
    let t = spawn inner([1, 2, 3]);
    join(t);
    println("unreachable in middle");
}
let started: chan[int] = chan();
let m = spawn middle(started);
recv(started);
println("main waits");
join(m);
println("unreachable in main");
