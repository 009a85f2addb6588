// Covers: blocks that cannot complete (ending in return, break, continue or panic) fit any type in if/else branches.
fn checked_div(a: int, b: int) -> int {
    let q = if b != 0 { a / b } else { return -1; };
    q * 10
}
fn first_even(xs: [int]) -> int {
    let mut found = -1;
    for x in xs {
        let v = if x % 2 == 0 { x } else { continue; };
        found = v;
        break;
    }
    found
}
fn until_big(xs: [int]) -> int {
    let mut total = 0;
    for x in xs {
        let small: int = if x < 100 { x } else { break; };
        total += small;
    }
    total
}
fn must_positive(x: int) -> int {
    if x > 0 { x } else { panic("not positive") }
}
fn label(x: int) -> str {
    if x == 0 { return "zero"; }
    let s = if x > 0 { "positive" } else { return "negative"; };
    s
}
println(checked_div(10, 2));
println(checked_div(1, 0));
println(first_even([1, 3, 6, 8]));
println(first_even([1, 3]));
println(until_big([1, 2, 3, 500, 4]));
println(must_positive(5));
println(label(0));
println(label(7));
println(label(-7));
