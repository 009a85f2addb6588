// Covers: arrays used as a stack (push/pop) and a queue (head index), a bracket matcher and a BFS over a small graph given as a map.
fn balanced(s: str) -> bool {
    let stack: [str] = [];
    let pairs = [")": "(", "]": "[", "}": "{"];
    for c in split(s, "") {
        if c == "(" || c == "[" || c == "{" {
            stack.push(c);
        } else if has(pairs, c) {
            if len(stack) == 0 { return false; }
            if pop(stack) != pairs[c] { return false; }
        }
    }
    len(stack) == 0
}
println(balanced("([]{()})"));
println(balanced("([)]"));
println(balanced("(("));
println(balanced(""));
println(balanced("a(b)c]"));
let graph: map[str, [str]] = [
    "a": ["b", "c"],
    "b": ["d"],
    "c": ["d", "e"],
    "d": ["f"],
    "e": ["f"],
    "f": [],
];
let dist: map[str, int] = ["a": 0];
let queue = ["a"];
let mut head = 0;
while head < len(queue) {
    let node = queue[head];
    head += 1;
    for next in graph[node] {
        if !has(dist, next) {
            dist[next] = dist[node] + 1;
            queue.push(next);
        }
    }
}
println(queue);
println(dist);
let st = [1, 2, 3];
let mut popped = 0;
while len(st) > 0 { popped = popped * 10 + pop(st); }
println(popped);
