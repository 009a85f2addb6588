// Covers: int `/` and `%` truncate toward zero; the sign of `%` follows the dividend.
println(7 / 2);
println(-7 / 2);
println(7 / -2);
println(-7 / -2);
println(7 % 3);
println(-7 % 3);
println(7 % -3);
println(-7 % -3);
println(0 / 5);
println(0 % 5);
println(5 % 5);
println(-5 % 5);
println(1 / 3);
println(-1 / 3);
println(-9223372036854775808 / 2);
println(-9223372036854775808 % 3);
println(9223372036854775807 / -1);
println(-9223372036854775808 / 1);
println(-9223372036854775807 / -1);
// identity: (a / b) * b + a % b == a
let nums = [13, -13, 100, -100, 1, -1, 0];
let divs = [4, -4, 7, -7, 1, -1];
let mut ok = true;
for n in nums {
    for d in divs {
        if (n / d) * d + n % d != n {
            ok = false;
        }
    }
}
println(ok);
