// runtime error: message starts with `integer overflow` (i64::MIN / -1); stack: <main> (line 5). Stdout before it: "-9223372036854775808".
let min_int = -9223372036854775808;
println(min_int);
let m1 = -1;
println(min_int / m1);
