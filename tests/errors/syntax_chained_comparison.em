// comparison operators do not chain
fn between(a: int, b: int, c: int) -> bool {
    a < b < c
}
