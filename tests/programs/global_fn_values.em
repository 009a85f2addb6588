// Covers: a mutable global holding a function value, reassigned at run time; calls through it reach the function now stored.
fn inc(x: int) -> int { x + 1 }
fn dec(x: int) -> int { x - 1 }
fn times_ten(x: int) -> int { x * 10 }
let mut op: fn(int) -> int = inc;
let mut history: [fn(int) -> int] = [];
fn run(x: int) -> int {
    history.push(op);
    op(x)
}
println(run(5));
op = dec;
println(run(5));
op = times_ten;
println(run(5));
println(history);
let mut v = 1;
for f in history { v = f(v); }
println(v);
struct Machine { step: fn(int) -> int, state: int }
let m = Machine { step: inc, state: 0 };
for i in 0..3 { m.state = (m.step)(m.state); }
m.step = times_ten;
m.state = (m.step)(m.state);
println(m);
