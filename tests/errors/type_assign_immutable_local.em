// assigning twice to a local declared without `mut`
fn count_up() -> int {
    let total = 0;
    for i in 0..10 {
        total = total + i;
    }
    total
}
