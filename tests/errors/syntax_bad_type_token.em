// an unexpected token where a type belongs
fn f(a: 3) {}
