// Races that must not crash: threads write fields of one shared struct
// instance at once. Two threads each own one int field; both write the same
// string field and the same struct-valued field (replacing a freshly built
// child each time), bump a shared counter with `+=` and push to an array
// field; a reader checks every field it reads while they run. Field writes
// never tear (docs/language-notes.md): a field owned by one thread ends with
// that thread's last write, a field both write ends with one of their last
// writes, every string and child read from a field is one that was written
// and complete, and the counter and the array field may only have lost
// updates.
struct Child { id: int, label: str }
struct Shared { a: int, b: int, name: str, child: Child, hits: int, log: [str] }

let mut go = false;
let mut running = 2;
let per = 15000;
let s = Shared { a: -1, b: -1, name: "init", child: Child { id: 0, label: "c0" }, hits: 0, log: [] };

fn valid_name(n: str) -> bool {
    if n == "init" { return true; }
    let parts = split(n, "-");
    len(parts) == 2 && (parts[0] == "one" || parts[0] == "two") && parse_int(parts[1]) < per
}

fn valid_child(c: Child) -> bool {
    c.label == "c" + str(c.id) && c.id >= 0 && c.id < 2 * per
}

fn one(done: chan[int]) {
    while !go {}
    for i in 0..per {
        s.a = i;
        s.name = "one-" + str(i);
        s.child = Child { id: i, label: "c" + str(i) };
        s.hits += 1;
        if i % 100 == 0 { s.log.push("one" + str(i)); }
    }
    send(done, 1);
}

fn two(done: chan[int]) {
    while !go {}
    for i in 0..per {
        s.b = i;
        s.name = "two-" + str(i);
        s.child = Child { id: per + i, label: "c" + str(per + i) };
        s.hits += 1;
        if i % 100 == 0 { s.log.push("two" + str(i)); }
    }
    send(done, 2);
}

fn reader(done: chan[int]) {
    while !go {}
    let mut checks = 0;
    while running > 0 || checks < 10 {
        let a = s.a;
        let b = s.b;
        if a < -1 || a >= per || b < -1 || b >= per { panic("int field out of range"); }
        let n = s.name;
        if !valid_name(n) { panic("not a written name: " + n); }
        let c = s.child;
        if !valid_child(c) { panic("incomplete child: " + str(c)); }
        if !valid_child(s.child) { panic("incomplete child"); }
        checks += 1;
    }
    send(done, 3);
}

let done: chan[int] = chan();
let r = spawn reader(done);
let t1 = spawn one(done);
let t2 = spawn two(done);
go = true;
let mut got = 0;
for k in 0..2 {
    got += recv(done);
    running -= 1;
}
got += recv(done);
join(t1);
join(t2);
join(r);
println(got);
println(s.a);
println(s.b);
// The last write to a field is some thread's last write to it.
assert(s.name == "one-" + str(per - 1) || s.name == "two-" + str(per - 1), "name is a last write");
assert(s.child.id == per - 1 || s.child.id == 2 * per - 1, "child is a last write");
assert(valid_child(s.child), "child complete");
assert(s.hits >= 1 && s.hits <= 2 * per, "counter: lost updates only");
assert(len(s.log) <= 2 * per / 100, "log: lost pushes only");
for e in s.log {
    assert(find(e, "one") == 0 || find(e, "two") == 0, "log entry was pushed");
}
println("ok");
