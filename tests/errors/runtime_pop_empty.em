// runtime error: message starts with `pop from empty array`; stack: <main> (line 6). Stdout before it: "2" then "1".
let st = [1, 2];
println(pop(st));
println(pop(st));
let empty: [int] = st;
println(pop(empty));
