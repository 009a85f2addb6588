// Word frequencies: split a text into words, count them in a map, and print
// the most common ones. Maps remember insertion order, so ties are listed in
// the order the words first appeared.
//
//     ember run examples/word_freq.em

let TEXT = "It was the best of times, it was the worst of times, it was the age of\n"
    + "wisdom, it was the age of foolishness, it was the epoch of belief, it was the\n"
    + "epoch of incredulity, it was the season of Light, it was the season of Darkness,\n"
    + "it was the spring of hope, it was the winter of despair.";

let UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
let LOWER = "abcdefghijklmnopqrstuvwxyz";

// Lower-case letters are kept, upper-case ones folded, anything else splits words.
fn words(text: str) -> [str] {
    let out: [str] = [];
    let mut cur = "";
    for c in split(text, "") {
        let up = find(UPPER, c);
        if up >= 0 {
            cur += substr(LOWER, up, up + 1);
        } else if find(LOWER, c) >= 0 {
            cur += c;
        } else if len(cur) > 0 {
            out.push(cur);
            cur = "";
        }
    }
    if len(cur) > 0 { out.push(cur); }
    out
}

let counts: map[str, int] = map();
let all = words(TEXT);
for w in all {
    counts[w] = (get(counts, w) ?? 0) + 1;
}
println(str(len(all)) + " words, " + str(len(counts)) + " distinct");

// Repeatedly pick the most frequent remaining word (a simple selection).
let remaining: map[str, int] = map();
for k in keys(counts) { remaining[k] = counts[k]; }
for rank in 1..=5 {
    let mut best = "";
    let mut best_n = 0;
    for k in keys(remaining) {
        if remaining[k] > best_n {
            best = k;
            best_n = remaining[k];
        }
    }
    remove(remaining, best);
    println(str(rank) + ". " + best + " (" + str(best_n) + ")");
}

let once: [str] = [];
for k in keys(counts) {
    if counts[k] == 1 { once.push(k); }
}
println("used once: " + join(once, ", "));
