// Benchmark: str(i) for i below 1,000,000 pushed into an array, joined with "";
// prints the joined length and the character in the middle (at byte len / 2).
fn run(n: int) {
    let parts: [str] = [];
    for i in 0..n {
        parts.push(str(i));
    }
    let s = join(parts, "");
    let mid = len(s) / 2;
    println(len(s));
    println(substr(s, mid, mid + 1));
}
run(1_000_000);
