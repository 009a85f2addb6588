// `2.0 * x` and `x * 2.0` are compiled as `x + x`: the same value for
// every float, including the edge cases checked here.
fn twice_left(x: float) -> float { 2.0 * x }
fn twice_right(x: float) -> float { x * 2.0 }
fn times(a: float, b: float) -> float { a * b }

let big = 1.0e308;
let tiny = 5.0e-324;
let zero = 0.0;
let cases = [1.5, -0.0, 0.0, big, -big, tiny, -tiny, 0.1, 1.0 / zero, -1.0 / zero, zero / zero];
for x in cases {
    println(str(twice_left(x)) + " " + str(twice_right(x)) + " " + str(times(2.0, x)));
}
// -0.0 keeps its sign: 1 / -0.0 is -inf.
println(1.0 / twice_left(-0.0));
println(1.0 / twice_right(-0.0));
// Only the constant 2.0 is rewritten; other factors multiply.
println(3.0 * 0.1);
println(2.0 * 0.1 * 3.0);
