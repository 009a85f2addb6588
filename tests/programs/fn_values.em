// Covers: function values: passed as arguments, stored in locals, globals, arrays, maps and optionals, returned from functions, printed as `fn name`.
fn double(x: int) -> int { x * 2 }
fn square(x: int) -> int { x * x }
fn negate(x: int) -> int { -x }
fn apply(f: fn(int) -> int, x: int) -> int { f(x) }
fn apply_n(f: fn(int) -> int, n: int, x: int) -> int {
    let mut v = x;
    for i in 0..n { v = f(v); }
    v
}
fn pick(name: str) -> fn(int) -> int {
    if name == "double" { double } else if name == "square" { square } else { negate }
}
fn compose_apply(fs: [fn(int) -> int], x: int) -> int {
    let mut v = x;
    for f in fs { v = f(v); }
    v
}
let mut current: fn(int) -> int = double;
println(apply(double, 21));
println(apply(square, 12));
println(apply_n(double, 10, 1));
println(pick("square")(9));
println(pick("other")(9));
let f = pick("double");
println(f(f(5)));
println(f);
println(current(4));
current = square;
println(current(4));
println(current);
let pipeline = [double, square, negate];
println(compose_apply(pipeline, 3));
println(pipeline);
let table: map[str, fn(int) -> int] = ["d": double, "s": square];
println(table["s"](7));
println(table);
let maybe: (fn(int) -> int)? = none;
println(maybe == none);
let maybe2: (fn(int) -> int)? = negate;
if let g = maybe2 {
    println(g(10));
}
let binop: fn(int, int) -> int = max_of;
fn max_of(a: int, b: int) -> int { if a > b { a } else { b } }
println(binop(3, 8));
fn shout() { println("called through a value"); }
let s = shout;
s();
println(str(shout));
