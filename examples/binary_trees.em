// Binary trees: build many complete binary trees, walk them, and let them go.
// A workout for the allocator and the garbage collector, after the Computer
// Language Benchmarks Game program (here with a small depth).
//
//     ember run examples/binary_trees.em

struct Node { left: Node?, right: Node? }

fn make(depth: int) -> Node {
    if depth == 0 {
        Node { left: none, right: none }
    } else {
        Node { left: make(depth - 1), right: make(depth - 1) }
    }
}

// Counts the nodes of a tree.
fn check(t: Node) -> int {
    let mut n = 1;
    if let l = t.left { n += check(l); }
    if let r = t.right { n += check(r); }
    n
}

let MIN_DEPTH = 4;
let MAX_DEPTH = 10;

let stretch = MAX_DEPTH + 1;
println("stretch tree of depth " + str(stretch) + "\t check: " + str(check(make(stretch))));

let long_lived = make(MAX_DEPTH);

let mut depth = MIN_DEPTH;
while depth <= MAX_DEPTH {
    let iterations = 1 << (MAX_DEPTH - depth + MIN_DEPTH);
    let mut total = 0;
    for i in 0..iterations {
        total += check(make(depth));
    }
    println(str(iterations) + "\t trees of depth " + str(depth) + "\t check: " + str(total));
    depth += 2;
}
println("long lived tree of depth " + str(MAX_DEPTH) + "\t check: " + str(check(long_lived)));
