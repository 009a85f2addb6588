// Covers: function-typed struct fields called as `(x.f)(a)`, versus method sugar `x.f(a)` which calls the function named f.
struct Op { name: str, f: fn(int, int) -> int }
struct Handler { on_value: (fn(int) -> int)? }
fn add(a: int, b: int) -> int { a + b }
fn mul(a: int, b: int) -> int { a * b }
fn f(o: Op, x: int) -> str { o.name + " applied to " + str(x) }
fn triple(x: int) -> int { x * 3 }
let ops = [Op { name: "add", f: add }, Op { name: "mul", f: mul }];
for op in ops {
    println(op.name + ": " + str((op.f)(6, 7)));
}
println(ops[0].f(5));
println((ops[1].f)(2, 21));
ops[0].f = mul;
println((ops[0].f)(3, 3));
println(ops[0]);
let h = Handler { on_value: none };
println(h);
h.on_value = triple;
if let cb = h.on_value {
    println(cb(14));
}
println(h);
