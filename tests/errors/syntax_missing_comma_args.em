// call arguments must be separated by commas
fn main() {
    println(1 2);
}
