// runtime error: message starts with `index out of bounds: index -1, length 2`; stack: last_before (line 3), <main> (line 5).
fn last_before(xs: [str], i: int) -> str {
    xs[i - 1]
}
println(last_before(["a", "b"], 0));
