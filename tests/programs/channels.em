// Covers: chan(), send and recv between threads: a producer/consumer pipeline, FIFO order from a single producer, a stop signal.
fn producer(out: chan[int], n: int) {
    for i in 1..=n {
        send(out, i);
    }
    send(out, -1);
}
fn doubler(inp: chan[int], out: chan[int]) {
    while true {
        let v = recv(inp);
        if v < 0 {
            send(out, v);
            return;
        }
        send(out, v * 2);
    }
}
let a: chan[int] = chan();
let b: chan[int] = chan();
let p = spawn producer(a, 100);
let d = spawn doubler(a, b);
let mut sum = 0;
let mut count = 0;
let mut in_order = true;
let mut last = 0;
while true {
    let v = recv(b);
    if v < 0 { break; }
    if v <= last { in_order = false; }
    last = v;
    sum += v;
    count += 1;
}
join(p);
join(d);
println(sum);
println(count);
println(in_order);
let words: chan[str] = chan();
send(words, "buffered");
send(words, "values");
println(recv(words) + " " + recv(words));
fn echo(inp: chan[str], out: chan[str]) {
    let s = recv(inp);
    send(out, s + s);
}
let q: chan[str] = chan();
let r: chan[str] = chan();
let e = spawn echo(q, r);
send(q, "ab");
println(recv(r));
join(e);
let mut stop = false;
fn spinner(ack: chan[int]) {
    let mut n = 0;
    while !stop {
        n += 1;
    }
    send(ack, 1);
}
let ack: chan[int] = chan();
let sp = spawn spinner(ack);
sleep(10);
stop = true;
println(recv(ack));
join(sp);
