// Covers: for over arrays, including arrays that grow during iteration (visits indices while below the current length).
let names = ["ada", "grace", "linus"];
for n in names {
    println("hello " + n);
}
let empty: [int] = [];
for x in empty {
    println("never");
}
let nums = [1, 2, 3];
for x in nums {
    if len(nums) < 6 {
        nums.push(x * 10);
    }
}
println(nums);
let work = [5];
let mut visited = 0;
for w in work {
    visited += 1;
    if w > 1 {
        push(work, w / 2);
        push(work, w - w / 2 - 1);
    }
}
println(visited);
println(work);
let grid = [[1, 2], [3, 4, 5], []];
let mut total = 0;
for row in grid {
    for v in row {
        total += v;
    }
}
println(total);
let shrink = [1, 2, 3, 4, 5, 6];
let mut seen: [int] = [];
for v in shrink {
    seen.push(v);
    pop(shrink);
}
println(seen);
println(shrink);
