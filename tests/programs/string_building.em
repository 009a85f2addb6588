// Covers: building strings in loops: number to binary/hex text, padding, repetition, reversing, a multiplication table.
fn to_base(n: int, base: int) -> str {
    if n == 0 { return "0"; }
    let digits = "0123456789abcdef";
    let mut x = n;
    let mut out = "";
    while x > 0 {
        let d = x % base;
        out = substr(digits, d, d + 1) + out;
        x = x / base;
    }
    out
}
fn pad_left(s: str, width: int, fill: str) -> str {
    let mut r = s;
    while len(r) < width { r = fill + r; }
    r
}
fn repeat(s: str, n: int) -> str {
    let parts: [str] = [];
    for i in 0..n { parts.push(s); }
    join(parts, "")
}
println(to_base(255, 2));
println(to_base(255, 16));
println(to_base(1000000, 16));
println(to_base(0, 2));
println(pad_left("42", 6, "0"));
println(pad_left("toolong", 3, " "));
println(repeat("ab", 3));
println("[" + repeat("-", 0) + "]");
for i in 1..=4 {
    let mut line = "";
    for j in 1..=4 {
        line += pad_left(str(i * j), 3, " ");
    }
    println(line);
}
let mut acc = "";
for w in split("the quick brown fox", " ") {
    if len(acc) > 0 { acc += "_"; }
    acc += substr(w, 0, 1);
}
println(acc);
