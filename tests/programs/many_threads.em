// Covers: 256 threads spawned at once, each allocating a little (an array of
// strings, join) and handing back a result on a channel; a shared array is
// passed around as a token on a channel, so only its holder pushes to it
// (a lock built from a channel); every task is joined.
fn worker(id: int, token: chan[[int]], results: chan[int]) {
    let parts: [str] = [];
    for k in 0..8 {
        parts.push(str(id * k));
    }
    let s = join(parts, "+");
    let shared = recv(token);
    shared.push(id);
    send(token, shared);
    send(results, len(s) + id);
}

let n = 256;
let token: chan[[int]] = chan();
let results: chan[int] = chan();
let tasks: [task] = [];
for id in 0..n {
    tasks.push(spawn worker(id, token, results));
}
let ids: [int] = [];
send(token, ids);
let mut total = 0;
for k in 0..n {
    total += recv(results);
}
for t in tasks { join(t); }
let back = recv(token);
assert(len(back) == n, "every thread pushed once while holding the token");
let seen = [false; n];
for id in back {
    assert(!seen[id], "no id twice");
    seen[id] = true;
}
println(len(tasks));
println(len(back));
println(total);
