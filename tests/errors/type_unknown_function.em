// calling a function that does not exist (close to an existing one)
fn square(x: int) -> int { x * x }

println(sqaure(4));
