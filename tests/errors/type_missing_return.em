// a non-unit function whose `if` has no else: not every path returns
fn sign(x: int) -> int {
    if x > 0 {
        return 1;
    } else if x < 0 {
        return -1;
    }
}
