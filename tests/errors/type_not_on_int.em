// `!` on an int and unary `-` on a bool
let a = !5;
let b = -true;
