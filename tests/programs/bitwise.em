// Covers: & | ^ on int, their precedence relative to each other and to comparison and arithmetic.
let a = 0b1100;
let b = 0b1010;
println(a & b);
println(a | b);
println(a ^ b);
println(-1 & 255);
println(-256 | 15);
println(-1 ^ 0x0f);
println(5 & 3 == 1);
println(1 | 2 ^ 3 & 4);
println((1 | 2) ^ 3);
println(1 + 2 & 3);
println(6 & 3 << 1);
println(0x7fffffffffffffff & -0x7fffffffffffffff);
let mut evens = 0;
for i in 0..20 {
    if i & 1 == 0 {
        evens += 1;
    }
}
println(evens);
let mut bits = 0;
let mut v = 0xdeadbeef;
while v != 0 {
    bits += v & 1;
    v = v >> 1;
}
println(bits);
