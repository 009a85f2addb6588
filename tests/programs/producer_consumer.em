// Covers: four producers send numbered items (structs holding strings) on one
// channel while one consumer receives exactly the number sent; the consumer
// checks per-producer FIFO order and each item's contents, then reports count,
// sums and bytes; every party signals on a shared `done` channel, and main
// waits for all five signals before joining.
struct Item { producer: int, seq: int, label: str }

fn producer(id: int, n: int, out: chan[Item], done: chan[int]) {
    for i in 0..n {
        send(out, Item { producer: id, seq: i, label: "p" + str(id) + "-" + str(i) });
    }
    send(done, id);
}

fn consumer(inp: chan[Item], producers: int, per: int, report: chan[str], done: chan[int]) {
    let expected = producers * per;
    let last = [-1; producers];
    let mut count = 0;
    let mut sum = 0;
    let mut bytes = 0;
    while count < expected {
        let it = recv(inp);
        assert(it.producer >= 0 && it.producer < producers, "producer id in range");
        assert(it.seq == last[it.producer] + 1, "items of one producer arrive in the order sent");
        last[it.producer] = it.seq;
        assert(it.label == "p" + str(it.producer) + "-" + str(it.seq), "label intact");
        count += 1;
        sum += it.producer * 1000000 + it.seq;
        bytes += len(it.label);
    }
    for p in 0..producers {
        assert(last[p] == per - 1, "every item of every producer arrived");
    }
    send(report, "count " + str(count));
    send(report, "sum " + str(sum));
    send(report, "bytes " + str(bytes));
    send(done, -1);
}

let producers = 4;
let per = 1000;
let items: chan[Item] = chan();
let done: chan[int] = chan();
let report: chan[str] = chan();
let c = spawn consumer(items, producers, per, report, done);
let ps: [task] = [];
for p in 0..producers {
    ps.push(spawn producer(p, per, items, done));
}
let finished = [false; producers];
let mut consumer_done = false;
for k in 0..producers + 1 {
    let who = recv(done);
    if who < 0 {
        assert(!consumer_done, "consumer signals once");
        consumer_done = true;
    } else {
        assert(!finished[who], "each producer signals once");
        finished[who] = true;
    }
}
for t in ps { join(t); }
join(c);
println(finished);
println(consumer_done);
println(recv(report));
println(recv(report));
println(recv(report));
