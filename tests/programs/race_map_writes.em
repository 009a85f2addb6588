// Races that must not crash: four threads insert, replace and remove keys of
// one global map at once, and bump counters in another with a racy
// read-modify-write. Maps lock on every operation (docs/language-notes.md),
// so afterwards every key present maps to a value some thread wrote for that
// key, keys are unique, and every counter key is present; only the counts
// themselves may have lost updates.
let mut go = false;
let slots = 200;
let per = 3000;
let threads = 4;
let table: map[str, int] = map();
let counts: map[int, int] = map();

let names: [str] = [];
for i in 0..slots {
    names.push("k" + str(i));
}
fn key_of(i: int) -> str { names[i % slots] }

fn writer(id: int) {
    while !go {}
    for i in 0..per {
        // Mostly shared key strings; every eighth key is built afresh.
        let key = if i % 8 == 0 { "k" + str((i + id) % slots) } else { key_of(i + id) };
        table[key] = id * 100000 + i;
        if i % 3 == 0 {
            remove(table, key_of(i * 7 + id));
        }
        if i % 8 == 4 {
            if let v = get(table, key_of(i)) {
                if v / 100000 >= threads { panic("bad value " + str(v)); }
            }
        }
        if has(table, key_of(i * 3)) && len(table) > slots {
            panic("more keys than slots");
        }
        let c = i % 50;
        if has(counts, c) { counts[c] += 1; } else { counts[c] = 1; }
    }
}

let ts: [task] = [];
for id in 0..threads {
    ts.push(spawn writer(id));
}
go = true;
for t in ts { join(t); }

let ks = keys(table);
let vs = values(table);
assert(len(ks) == len(table) && len(vs) == len(table), "keys, values and len agree");
assert(len(table) <= slots, "at most one entry per key");
let seen: map[str, bool] = map();
for j in 0..len(ks) {
    let k = ks[j];
    let v = vs[j];
    assert(!has(seen, k), "keys are unique");
    seen[k] = true;
    assert(table[k] == v, "keys and values line up");
    let id = v / 100000;
    let i = v % 100000;
    if !(id >= 0 && id < threads && i < per && key_of(i + id) == k) {
        panic("value " + str(v) + " was never written for key " + k);
    }
}
println("table ok");

println(len(counts));
let mut total = 0;
for k in 0..50 {
    let c = counts[k];
    assert(c >= 1 && c <= threads * per / 50, "a count is between 1 and the number of bumps");
    total += c;
}
assert(total <= threads * per, "lost updates only make the total smaller");
println("counts ok");
