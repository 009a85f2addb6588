// a user function called with too many arguments
fn add(a: int, b: int) -> int { a + b }

println(add(1, 2, 3));
