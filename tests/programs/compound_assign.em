// Covers: compound assignment += -= *= /= %= on locals, globals, array elements, struct fields and map entries (int, float, str).
struct Acc { total: int, scale: float }
let mut g = 10;
fn bump() {
    g += 5;
    g *= 2;
}
bump();
println(g);
let mut x = 100;
x += 1;
println(x);
x -= 11;
println(x);
x *= 3;
println(x);
x /= 7;
println(x);
x %= 8;
println(x);
x -= 20;
x /= 3;
println(x);
x %= 4;
println(x);
let mut f = 1.5;
f += 1.0;
f *= 4.0;
f -= 0.5;
f /= 2.0;
println(f);
f %= 2.0;
println(f);
let arr = [1, 2, 3];
arr[0] += 10;
arr[1] *= arr[2];
arr[2] -= 100;
println(arr);
let acc = Acc { total: 0, scale: 1.0 };
for i in 1..=4 {
    acc.total += i;
    acc.scale *= 2.0;
}
println(acc);
let m = ["a": 1, "b": 2];
m["a"] += 41;
m["b"] %= 2;
println(m);
let mut s = "ab";
s += "cd";
s += s;
println(s);
let mut wrap = 9223372036854775807;
wrap += 1;
println(wrap);
