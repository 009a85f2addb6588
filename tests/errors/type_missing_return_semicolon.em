// the last expression of a function is discarded by a `;`
fn double(x: int) -> int {
    x * 2;
}
