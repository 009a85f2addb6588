// Covers: integer literal forms: decimal, underscores, hex, binary, i64::MIN, and float literal forms.
println(123);
println(1_000_000);
println(0xff);
println(0x7fffffffffffffff);
println(0xdead_beef);
println(0b1010);
println(0b1111_0000);
println(0x0);
println(0b0);
println(-9223372036854775808);
println(9223372036854775807);
println(1.5);
println(1e9);
println(2.5e-3);
println(4.0e+00);
println(1_000.5);
println(0.5e1);
