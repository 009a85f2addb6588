// Covers: wrapping (two's complement) + - * on int overflow, unary minus and abs at i64::MIN.
let max_int = 9223372036854775807;
let min_int = -9223372036854775808;
println(max_int);
println(min_int);
println(max_int + 1);
println(min_int - 1);
println(max_int + max_int);
println(min_int + min_int);
println(max_int * 2);
println(max_int * max_int);
println(min_int * -1);
println(-min_int);
println(abs(min_int));
println(abs(-5));
println(4611686018427387904 * 2);
println(3037000500 * 3037000500);
// a 64-bit FNV-1a style hash relies on wrapping multiplication
let mut h = -3750763034362895579;
for i in 0..10 {
    h = (h ^ i) * 1099511628211;
}
println(h);
let mut x = 1;
for i in 0..70 {
    x = x * 3;
}
println(x);
