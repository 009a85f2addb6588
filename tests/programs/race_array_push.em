// Races that must not crash: three threads push to the same two global arrays
// (ints and strings) at once, with no synchronization. Pushes may be lost
// (docs/language-notes.md), so the program prints only invariant facts: the
// length is at most the number of pushes, every element is a value some
// thread pushed, and the arrays work normally afterwards.
let mut go = false;
let nums: [int] = [];
let words: [str] = [];
let threads = 3;
let per = 20000;

fn pusher(id: int, done: chan[int]) {
    while !go {}
    for i in 0..per {
        nums.push(id * 1000000 + i);
        if i % 16 == 0 {
            words.push("t" + str(id) + "-" + str(i));
        }
    }
    send(done, id);
}

let done: chan[int] = chan();
let ts: [task] = [];
for id in 1..=threads {
    ts.push(spawn pusher(id, done));
}
go = true;
for t in ts { join(t); }
let mut signals = 0;
for k in 0..threads { signals += recv(done); }
println(signals);

let n = len(nums);
assert(n >= 1 && n <= threads * per, "length within the number of pushes");
for v in nums {
    let id = v / 1000000;
    let i = v % 1000000;
    if !(id >= 1 && id <= threads && i >= 0 && i < per) {
        panic("not a pushed value: " + str(v));
    }
}
let w = len(words);
assert(w >= 1 && w <= threads * per / 16, "length within the number of pushes");
for s in words {
    let parts = split(s, "-");
    if !(len(parts) == 2 && substr(parts[0], 0, 1) == "t") {
        panic("not a pushed string: " + s);
    }
    let id = parse_int(substr(parts[0], 1, len(parts[0])));
    let i = parse_int(parts[1]);
    if !(id >= 1 && id <= threads && i % 16 == 0 && i < per) {
        panic("not a pushed string: " + s);
    }
}
println("ok");

// After the race the arrays behave as usual.
nums.push(-1);
assert(len(nums) == n + 1 && nums[n] == -1, "push after the race");
assert(pop(nums) == -1 && len(nums) == n, "pop after the race");
words.push("last");
assert(words[w] == "last" && len(words) == w + 1, "push after the race");
println("still ok");
