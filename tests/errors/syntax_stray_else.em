// `else` without an `if`
fn main() {
    let x = 1;
    else {
        println(x);
    }
}
