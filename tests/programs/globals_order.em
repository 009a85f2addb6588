// Covers: globals initialized in source order, interleaved with top-level statements; functions see globals; immutable and mutable globals.
println("start");
let a = 10;
println(a);
let b = a * 2 + offset();
fn offset() -> int { 3 }
println(b);
let mut log: [str] = [];
fn note(s: str) -> int {
    log.push(s);
    len(log)
}
let first = note("first");
let second = note("second");
println(log);
println(first + second);
let mut counter = 0;
fn tick() { counter += 1; }
tick();
tick();
println(counter);
let after = counter * 100;
tick();
println(after);
println(counter);
let greeting = make_greeting("ember");
fn make_greeting(name: str) -> str { "hello, " + name }
println(greeting);
let total: float = 1.5;
println(total + 1.0);
println("end");
