// Covers: float + - * / % (IEEE binary64, % keeps the dividend's sign), unary minus, precedence.
let a = 7.5;
let b = 2.0;
println(a + b);
println(a - b);
println(a * b);
println(a / b);
println(a % b);
println(-a % b);
println(a % -b);
println(0.1 + 0.2);
println(0.1 + 0.2 == 0.3);
println(1.0 - 0.9);
println(0.1 * 3.0);
println(1.0 / 3.0);
println(2.0 / 3.0);
println(10.0 / 4.0);
println(-a);
println(1.5 + 2.5 * 2.0);
println((1.5 + 2.5) * 2.0);
println(1e308 * 10.0);
println(-1e308 * 10.0);
println(5.5 % 1.5);
println(1e16 + 1.0);
println(9007199254740992.0 + 1.0);
println(3.0 * 1.1);
let mut s = 0.0;
for i in 0..10 {
    s += 0.1;
}
println(s);
println(s == 1.0);
