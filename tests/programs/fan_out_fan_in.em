// Covers: a dispatcher thread fans work out round-robin to four workers, each
// on its own channel; the workers do CPU-bound work that allocates (string
// building, join, split, parse_int) and send results back on one shared
// channel; main reassembles them in order by index. A `none` per worker
// channel shuts the workers down.
struct Work { index: int, n: int }
struct Done { index: int, worker: int, text: str }

fn crunch(n: int) -> str {
    let m = 50 + n % 37;
    let parts: [str] = [];
    for i in 0..m {
        parts.push(str(i * i + n));
    }
    let joined = join(parts, ",");
    let mut total = 0;
    for p in split(joined, ",") {
        total += parse_int(p);
    }
    str(n) + ":" + str(len(joined)) + ":" + str(total)
}

fn worker(id: int, inp: chan[Work?], out: chan[Done]) {
    while true {
        if let w = recv(inp) {
            let text = crunch(w.n);
            for r in 0..2 {
                assert(crunch(w.n) == text, "the same work gives the same text");
            }
            send(out, Done { index: w.index, worker: id, text: text });
        } else {
            return;
        }
    }
}

fn dispatch(count: int, lanes: [chan[Work?]]) {
    for i in 0..count {
        send(lanes[i % len(lanes)], Work { index: i, n: i * 7 + 3 });
    }
    for lane in lanes {
        send(lane, none);
    }
}

let workers = 4;
let count = 48;
let results: chan[Done] = chan();
let lanes: [chan[Work?]] = [];
let pool: [task] = [];
for w in 0..workers {
    let lane: chan[Work?] = chan();
    lanes.push(lane);
    pool.push(spawn worker(w, lane, results));
}
let d = spawn dispatch(count, lanes);
let slots: [str?] = [none; count];
for k in 0..count {
    let r = recv(results);
    assert(slots[r.index] == none, "each index arrives once");
    assert(r.worker == r.index % workers, "index handled by its round-robin worker");
    slots[r.index] = r.text;
}
join(d);
for t in pool { join(t); }
for i in 0..count {
    println(str(i) + " " + slots[i]!);
}
