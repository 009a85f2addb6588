// Covers: optionals: none, if let (with else), ??, postfix !, == none / != none, printing present and absent values.
let a: int? = 5;
let b: int? = none;
println(a);
println(b);
println(a == none);
println(b == none);
println(a != none);
println(b != none);
println(a ?? 0);
println(b ?? 0);
println(a!);
println(a! + 1);
if let v = a {
    println("a has " + str(v));
} else {
    println("a is none");
}
if let v = b {
    println("b has " + str(v));
} else {
    println("b is none");
}
let desc = if let v = a { v * 2 } else { -1 };
println(desc);
let s: str? = "text";
println(s);
println(s! + "!");
let mut o: float? = none;
println(o ?? 1.5);
o = 2.5;
println(o ?? 1.5);
o = none;
println(o);
fn find_char(s: str, c: str) -> int? {
    let i = find(s, c);
    if i < 0 { none } else { i }
}
println(find_char("hello", "l"));
println(find_char("hello", "z"));
println(find_char("hello", "o")!);
let arr: [int?] = [1, none, 3];
println(arr);
let mut present = 0;
for x in arr {
    if x != none { present += 1; }
}
println(present);
let strs: [str?] = ["a", none];
println(strs);
