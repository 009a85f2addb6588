// Covers: word frequencies with a map[str, int], normalising case by hand, picking the most frequent word, keys in insertion order.
let text = "the cat sat on the mat The cat ran and the dog sat";
fn lower(s: str) -> str {
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let lowers = "abcdefghijklmnopqrstuvwxyz";
    let mut out = "";
    for c in split(s, "") {
        let i = find(upper, c);
        if i >= 0 { out += substr(lowers, i, i + 1); } else { out += c; }
    }
    out
}
let counts: map[str, int] = map();
for w in split(text, " ") {
    let k = lower(w);
    if has(counts, k) { counts[k] += 1; } else { counts[k] = 1; }
}
println(counts);
let mut best = "";
let mut best_n = 0;
for k in keys(counts) {
    if counts[k] > best_n {
        best = k;
        best_n = counts[k];
    }
}
println(best + " " + str(best_n));
println(len(counts));
let by_len: map[int, [str]] = map();
for k in keys(counts) {
    let n = len(k);
    if !has(by_len, n) { by_len[n] = []; }
    by_len[n].push(k);
}
println(by_len);
