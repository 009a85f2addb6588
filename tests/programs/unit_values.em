// Covers: the unit type (): functions without a result, unit-valued expressions (if without else, assignments in blocks), printing ().
fn greet(name: str) {
    println("hi " + name);
}
fn noop() {}
fn returns_early(x: int) {
    if x > 0 { return; }
    println("not positive");
}
let r = greet("unit");
println(r);
println(noop());
println(returns_early(1));
returns_early(-1);
let u = if false { println("no"); };
println(u);
let v: () = ();
println(v);
println(str(noop()) + "!");
let xs = [noop(), greet("array")];
println(xs);
println(len(xs));
