// runtime error: message starts with `index out of bounds: index 7, length 3`; stack: <main> (line 5). Stdout before it: "3".
let a = [1, 2, 3];
println(a[2]);
let i = 7;
println(a[i]);
