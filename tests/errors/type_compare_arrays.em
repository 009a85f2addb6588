// arrays cannot be compared with ==
let a = [1, 2];
let b = [1, 2];
if a == b { println("same"); }
