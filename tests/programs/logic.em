// Covers: && || ! on bool with short-circuit evaluation (side effects show which operands ran), precedence.
let mut calls = 0;
fn yes(tag: str) -> bool {
    calls += 1;
    println("yes " + tag);
    true
}
fn no(tag: str) -> bool {
    calls += 1;
    println("no " + tag);
    false
}
println(no("a") && yes("b"));
println(yes("c") || no("d"));
println(yes("e") && no("f"));
println(no("g") || yes("h"));
println(no("i") || no("j") && yes("k"));
println(yes("l") || yes("m") && no("n"));
println(!true);
println(!false);
println(!!true);
println(!(1 < 2) || 3 > 2);
println(true && !false);
println(calls);
let x = 5;
let in_range = x > 0 && x < 10;
println(in_range);
