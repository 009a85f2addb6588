// runtime error: message starts with `division by zero` (remainder by zero); stack: <main> (line 5). Stdout before it: "1".
let xs = [3, 0];
println(xs[0] % 2);
let d = xs[1];
println(7 % d);
