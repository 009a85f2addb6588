// a string literal without its closing quote
fn main() {
    let s = "hello;
    println(s);
}
