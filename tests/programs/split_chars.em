// Covers: split(s, "") returns the characters of s (multi-byte characters kept whole); len of multi-byte strings is the byte count.
println(split("abc", ""));
println(split("héllo", ""));
println(split("🔥x🔥", ""));
println(len(split("🔥x🔥", "")));
println(len("🔥x🔥"));
println(split("", ""));
let word = "racecar";
let chars = split(word, "");
let mut rev = "";
let mut i = len(chars) - 1;
while i >= 0 {
    rev += chars[i];
    i -= 1;
}
println(rev);
println(rev == word);
let counts: map[str, int] = map();
for c in split("mississippi", "") {
    counts[c] = (get(counts, c) ?? 0) + 1;
}
println(counts);
println(join(split("a-b", ""), "|"));
