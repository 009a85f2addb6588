// an integer literal beyond the range of int
let big = 9223372036854775808;
let ok = -9223372036854775808;
