// runtime error: message starts with `invalid cast` (1e300 as int is out of range); stack: to_int (line 2), <main> (line 4). Stdout before it: "1000000".
fn to_int(x: float) -> int { x as int }
println(to_int(1e6));
println(to_int(1e300));
