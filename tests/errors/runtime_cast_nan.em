// runtime error: message starts with `invalid cast` (NaN as int); stack: <main> (line 5). Stdout before it: "3".
let inf = 1e308 * 10.0;
let nan = inf - inf;
println(3.7 as int);
println(nan as int);
