// the branches of an if expression have different types
fn pick(c: bool) -> int {
    let v = if c { 1 } else { "one" };
    0
}
