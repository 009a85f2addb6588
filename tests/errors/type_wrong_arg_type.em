// a user function called with an argument of the wrong type
fn half(x: float) -> float { x / 2.0 }

println(half("ten"));
