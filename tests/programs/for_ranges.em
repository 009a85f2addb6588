// Covers: for over int ranges: exclusive `..`, inclusive `..=`, expression bounds, empty and negative ranges.
for i in 0..3 {
    print(i);
    print(" ");
}
println("");
for i in 1..=3 {
    print(i);
    print(" ");
}
println("");
let a = [10, 20, 30, 40, 50];
for i in 1 + 1..len(a) {
    print(a[i]);
    print(" ");
}
println("");
for i in 0..=len(a) - 1 {
    print(a[len(a) - 1 - i]);
    print(" ");
}
println("");
let mut count = 0;
for i in 5..5 {
    count += 1;
}
for i in 5..2 {
    count += 1;
}
for i in 5..=4 {
    count += 1;
}
println(count);
for i in 5..=5 {
    println(i);
}
for i in -3..0 {
    print(i);
}
println("");
fn lo() -> int { 2 }
fn hi(x: int) -> int { x * 2 }
let mut sum = 0;
for i in lo()..=hi(lo() + 1) {
    sum += i;
}
println(sum);
let mut pairs = 0;
for i in 0..4 {
    for j in i + 1..4 {
        pairs += 1;
    }
}
println(pairs);
let mut big = 0;
for i in 9223372036854775800..9223372036854775807 {
    big += 1;
}
println(big);
