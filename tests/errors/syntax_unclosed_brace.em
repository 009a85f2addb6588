// a block that is never closed
fn main() {
    let x = 1;
    if x > 0 {
        println(x);
    }

