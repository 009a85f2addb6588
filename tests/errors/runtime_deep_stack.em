// runtime error: message starts with `index out of bounds: index 3, length 3`, three calls deep; stack: inner (line 3), middle (line 6), outer (line 10), <main> (line 12). Stdout before it: "outer".
fn inner(xs: [int], i: int) -> int {
    xs[i]
}
fn middle(xs: [int]) -> int {
    inner(xs, len(xs))
}
fn outer() -> int {
    println("outer");
    middle([1, 2, 3]) + 1
}
println(outer());
