// Covers: recursion (factorial, fibonacci, Ackermann, gcd, power set count) and fairly deep recursion (depth 10000).
fn fact(n: int) -> int {
    if n <= 1 { 1 } else { n * fact(n - 1) }
}
fn fib(n: int) -> int {
    if n < 2 { return n; }
    fib(n - 1) + fib(n - 2)
}
fn ack(m: int, n: int) -> int {
    if m == 0 {
        n + 1
    } else if n == 0 {
        ack(m - 1, 1)
    } else {
        ack(m - 1, ack(m, n - 1))
    }
}
fn gcd(a: int, b: int) -> int {
    if b == 0 { a } else { gcd(b, a % b) }
}
fn depth(n: int) -> int {
    if n == 0 { 0 } else { 1 + depth(n - 1) }
}
fn hanoi(n: int, from: int, to: int, via: int, moves: [str]) {
    if n == 0 { return; }
    hanoi(n - 1, from, via, to, moves);
    moves.push(str(from) + "->" + str(to));
    hanoi(n - 1, via, to, from, moves);
}
println(fact(10));
println(fact(20));
println(fact(21));
println(fib(20));
println(ack(2, 3));
println(ack(3, 3));
println(gcd(1071, 462));
println(depth(10000));
let moves: [str] = [];
hanoi(3, 1, 3, 2, moves);
println(moves);
println(len(moves));
