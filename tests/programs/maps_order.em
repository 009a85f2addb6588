// Covers: map iteration order = insertion order; replacing keeps position; remove keeps others' order; a re-inserted key goes last.
let m: map[str, int] = map();
m["c"] = 1;
m["a"] = 2;
m["b"] = 3;
println(m);
m["a"] = 20;
println(m);
remove(m, "c");
println(m);
m["c"] = 100;
println(m);
m["d"] = 4;
remove(m, "b");
m["b"] = 5;
println(keys(m));
println(values(m));
let big: map[int, int] = map();
for i in 0..20 {
    big[(i * 7) % 20] = i;
}
println(keys(big));
for i in 0..20 {
    if i % 3 == 0 {
        remove(big, i);
    }
}
println(keys(big));
for k in keys(big) {
    if k % 2 == 0 {
        big[k] = -k;
    }
}
println(big);
let mut total = 0;
for v in values(big) {
    total += v;
}
println(total);
