// Covers: spawn runs a call on another thread (arguments evaluated in the caller), join waits; globals written by threads are visible after join.
let mut results: [int] = [0, 0, 0, 0];
let mut done = 0;
fn square_into(slot: int, v: int) {
    results[slot] = v * v;
}
fn slow_set(ms: int) {
    sleep(ms);
    done = 1;
}
let tasks = [spawn square_into(0, 3), spawn square_into(1, 4), spawn square_into(2, 5)];
for t in tasks {
    join(t);
}
println(results);
let mut arg = 10;
let t = spawn square_into(3, arg);
arg = 1000;
t.join();
println(results[3]);
let s = spawn slow_set(30);
join(s);
println(done);
fn sum_range(lo: int, hi: int, out: chan[int]) {
    let mut total = 0;
    for i in lo..hi { total += i; }
    send(out, total);
}
let c: chan[int] = chan();
let workers: [task] = [];
for w in 0..4 {
    workers.push(spawn sum_range(w * 250000, (w + 1) * 250000, c));
}
for w in workers { join(w); }
let mut grand = 0;
for w in 0..4 { grand += recv(c); }
println(grand);
