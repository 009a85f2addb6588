// unknown variable, with a "did you mean" suggestion
fn main_total() -> int {
    let count = 10;
    cout + 1
}
