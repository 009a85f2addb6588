// Covers: mutual recursion between functions declared in any order (use before definition, no forward declarations).
println(is_even(10));
println(is_odd(7));
println(is_even(7));
println(collatz_len(27));
fn is_even(n: int) -> bool {
    if n == 0 { true } else { is_odd(n - 1) }
}
fn collatz_len(n: int) -> int {
    if n == 1 { 1 } else if n % 2 == 0 { even_step(n) } else { odd_step(n) }
}
fn odd_step(n: int) -> int { 1 + collatz_len(3 * n + 1) }
fn is_odd(n: int) -> bool {
    if n == 0 { false } else { is_even(n - 1) }
}
fn even_step(n: int) -> int { 1 + collatz_len(n / 2) }
// a tiny recursive-descent evaluator: expr and term call each other
let tokens = ["2", "*", "(", "3", "+", "4", ")", "-", "5"];
let mut pos = 0;
fn parse_expr() -> int {
    let mut v = parse_term();
    while pos < len(tokens) && (tokens[pos] == "+" || tokens[pos] == "-") {
        let op = tokens[pos];
        pos += 1;
        let r = parse_term();
        if op == "+" { v += r; } else { v -= r; }
    }
    v
}
fn parse_term() -> int {
    let mut v = parse_atom();
    while pos < len(tokens) && tokens[pos] == "*" {
        pos += 1;
        v *= parse_atom();
    }
    v
}
fn parse_atom() -> int {
    let t = tokens[pos];
    pos += 1;
    if t == "(" {
        let v = parse_expr();
        pos += 1;
        v
    } else {
        parse_int(t)
    }
}
println(parse_expr());
