// `return;` without a value in a function that returns int
fn first(a: [int]) -> int {
    if len(a) == 0 {
        return;
    }
    a[0]
}
