// `let` requires an initial value
fn main() {
    let x;
    x = 1;
}
