// Does not compile (for `:load` and `:reload` errors).
fn half(x: int) -> int {
    x / "2"
}
