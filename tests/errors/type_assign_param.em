// parameters are immutable
fn clamp(x: int) -> int {
    if x > 100 {
        x = 100;
    }
    x
}
