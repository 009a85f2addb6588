// Covers: assert with true conditions (no effect, returns ()), and panic/assert in branches that never run.
fn safe_div(a: int, b: int) -> int {
    assert(b != 0, "divisor must not be zero");
    if b == 0 { panic("unreachable"); }
    a / b
}
assert(true, "never shown");
assert(1 + 1 == 2, "arithmetic works");
println(safe_div(84, 2));
let r = assert(len("abc") == 3, "len");
println(r);
for i in 1..=3 {
    assert(i > 0, "positive");
    print(safe_div(12, i));
    print(" ");
}
println("");
let checks = [0.1 + 0.2 > 0.3, "a" < "b", 7 % 3 == 1];
for c in checks { assert(c, "check failed"); }
println("all checks passed");
