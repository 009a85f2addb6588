// Covers: int literals and the arithmetic operators + - * / % with precedence and parentheses.
let a = 17;
let b = 5;
println(a + b);
println(a - b);
println(a * b);
println(a / b);
println(a % b);
println(a + b * 2);
println((a + b) * 2);
println(a - b - 2);
println(a / b / 2);
println(100 / 10 * 3);
println(2 + 3 * 4 - 6 / 2 % 4);
println(-a + b);
println(- -a);
println(0 - 0);
println(1 - 2 * 3);
