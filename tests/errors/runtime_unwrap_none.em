// runtime error: message starts with `unwrap of none`; stack: <main> (line 6). Stdout before it: "5".
let a: int? = 5;
let b: int? = none;
println(a!);
let m: map[str, int] = map();
println(get(m, "x")! + b!);
