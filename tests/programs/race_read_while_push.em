// Races that must not crash: one thread pushes and pops on a global array of
// strings (its length moving between 100 and 150) while a spawned reader and
// the main thread take its length, iterate over it with `for` and index
// below the 100 elements that are never popped. A reader may see a stale
// length or a popped element again (docs/language-notes.md); every element
// it sees must still be a string that was stored in the array. The writer
// alone changes the array, so what it pops and what is left at the end are
// exact. (The main thread reads too, so that its safe points let
// collections run during the race.)
let mut go = false;
let mut writing = true;
let keep = 100;
let base: [str] = [];
for i in 0..keep {
    base.push("base" + str(i));
}
let items: [str] = [];
for s in base {
    items.push(s);
}
let words: [str] = [];
for k in 0..50 {
    words.push("w" + str(k));
}

// A string the setup or the writer stored: "base<i>" or "w<k>".
// Allocates nothing, so that readers only read.
fn valid(s: str) -> bool {
    if find(s, "base") == 0 {
        return len(s) >= 5 && len(s) <= 6;
    }
    find(s, "w") == 0 && len(s) >= 2 && len(s) <= 3
}

fn writer(rounds: int) {
    while !go {}
    for r in 0..rounds {
        for k in 0..50 {
            // Mostly shared strings; one built afresh every eighth round.
            if r % 8 == 0 && k == r % 50 {
                items.push("w" + str(k));
            } else {
                items.push(words[k]);
            }
        }
        for k in 0..50 {
            let s = pop(items);
            if s != words[49 - k] {
                panic("writer popped " + s);
            }
        }
    }
    writing = false;
}

// Reads until the writer is done (at least three passes); the number of
// passes.
fn read_passes() -> int {
    let mut passes = 0;
    let mut seen = 0;
    while writing || passes < 3 {
        let n = len(items);
        if n < keep || n > keep + 50 {
            panic("length out of range: " + str(n));
        }
        for s in items {
            if !valid(s) { panic("not a stored string: " + s); }
            seen += 1;
        }
        let i = rand_int(0, keep);
        if items[i] != base[i] {
            panic("element below the kept ones changed: " + items[i]);
        }
        let top = items[min(len(items), keep) - 1];
        if !valid(top) { panic("not a stored string: " + top); }
        passes += 1;
    }
    assert(seen >= keep * passes, "each pass saw at least the never-popped elements");
    passes
}

fn reader(report: chan[int]) {
    while !go {}
    send(report, min(read_passes(), 1));
}

let report: chan[int] = chan();
let w = spawn writer(2000);
let r = spawn reader(report);
go = true;
let main_passes = read_passes();
join(w);
join(r);
println(recv(report) + min(main_passes, 1));
println(len(items));
for i in 0..keep {
    assert(items[i] == base[i], "never-popped elements unchanged");
}
println(items[0] + " " + items[keep - 1]);
