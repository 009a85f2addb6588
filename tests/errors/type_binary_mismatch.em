// mismatched operand types: int + float (no implicit conversion)
let a = 1;
let b = 2.5;
println(a + b);
