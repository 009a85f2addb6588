// Covers: arrays are reference types: assignment and parameter passing share the array; a copy is made element by element.
let a = [1, 2, 3];
let b = a;
b[0] = 100;
println(a);
fn append_twice(xs: [int], v: int) {
    xs.push(v);
    xs.push(v);
}
append_twice(a, 7);
println(b);
fn copy(xs: [int]) -> [int] {
    let out: [int] = [];
    for x in xs { out.push(x); }
    out
}
let c = copy(a);
c[1] = -1;
println(a);
println(c);
let rows = [a, a];
rows[0].push(0);
println(rows);
println(len(a));
let mut d = a;
d = [5];
println(a);
println(d);
fn make() -> [str] { ["fresh"] }
let m1 = make();
let m2 = make();
m1.push("one");
println(m1);
println(m2);
