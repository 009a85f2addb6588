// a call whose `(` is never closed
fn main() {
    println(1, 2;
}
