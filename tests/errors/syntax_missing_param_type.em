// a parameter needs a type
fn f(a, b: int) {}
