// runtime error: message starts with `integer overflow` (i64::MIN % -1); stack: rem (line 2), <main> (line 4). Stdout before it: "0".
fn rem(a: int, b: int) -> int { a % b }
println(rem(-9223372036854775808, 1));
println(rem(-9223372036854775808, -1));
