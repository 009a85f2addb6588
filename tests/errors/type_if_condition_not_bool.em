// an if condition that is an int, not a bool
let n = 3;
if n { println("non-zero"); }
