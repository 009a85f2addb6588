// runtime error: message starts with `invalid cast` (inf as int); stack: <main> (line 3). Stdout before it: "-9223372036854775808".
println(-9223372036854775808.0 as int);
println((1e308 * 10.0) as int);
