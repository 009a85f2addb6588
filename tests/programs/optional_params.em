// Covers: a T is accepted where a T? is expected: arguments, returns, assignment, struct fields, array elements, map values.
struct Box { content: str? }
fn describe(x: int?) -> str {
    if let v = x { "some " + str(v) } else { "nothing" }
}
fn maybe_double(x: int) -> int? {
    if x > 0 { return x * 2; }
    none
}
println(describe(5));
println(describe(none));
println(describe(maybe_double(4)));
println(describe(maybe_double(-4)));
let mut o: int? = 1;
o = 2;
println(o);
let bx = Box { content: "gift" };
println(bx);
bx.content = none;
println(bx);
let xs: [int?] = [];
xs.push(1);
xs.push(none);
println(xs);
let m: map[str, int?] = map();
m["a"] = 1;
m["b"] = none;
println(m);
let fval: float? = 2.0;
println(fval! * 2.0);
