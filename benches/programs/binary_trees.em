// Benchmark: binary-trees (Computer Language Benchmarks Game) at depth 16, CLBG output format.
// Allocates many short-lived complete binary trees and one long-lived one.
struct Node { left: Node?, right: Node? }

fn make(depth: int) -> Node {
    if depth == 0 {
        Node { left: none, right: none }
    } else {
        Node { left: make(depth - 1), right: make(depth - 1) }
    }
}

fn check(t: Node) -> int {
    let mut n = 1;
    if let l = t.left { n += check(l); }
    if let r = t.right { n += check(r); }
    n
}

fn run(n: int) {
    let min_depth = 4;
    let max_depth = max(min_depth + 2, n);
    let stretch = max_depth + 1;
    println("stretch tree of depth " + str(stretch) + "\t check: " + str(check(make(stretch))));
    let long_lived = make(max_depth);
    let mut depth = min_depth;
    while depth <= max_depth {
        let iterations = 1 << (max_depth - depth + min_depth);
        let mut total = 0;
        for i in 0..iterations {
            total += check(make(depth));
        }
        println(str(iterations) + "\t trees of depth " + str(depth) + "\t check: " + str(total));
        depth += 2;
    }
    println("long lived tree of depth " + str(max_depth) + "\t check: " + str(check(long_lived)));
}
run(16);
