// A small tokenizer and pretty-printer for arithmetic expressions. It splits
// the source into tokens, parses them by precedence climbing into a tree of
// structs, then prints the tree fully parenthesised and evaluates it.
//
//     ember run examples/tokenizer.em

struct Token { kind: str, text: str }
struct Expr { op: str, value: int, left: Expr?, right: Expr? }

let DIGITS = "0123456789";

fn is_digit(c: str) -> bool { len(c) == 1 && find(DIGITS, c) >= 0 }

fn tokenize(src: str) -> [Token] {
    let chars = split(src, "");
    let out: [Token] = [];
    let mut i = 0;
    while i < len(chars) {
        let c = chars[i];
        if c == " " {
            i += 1;
        } else if is_digit(c) {
            let mut num = "";
            while i < len(chars) && is_digit(chars[i]) {
                num += chars[i];
                i += 1;
            }
            out.push(Token { kind: "num", text: num });
        } else {
            out.push(Token { kind: "op", text: c });
            i += 1;
        }
    }
    out
}

fn precedence(op: str) -> int {
    if op == "+" || op == "-" { 1 } else if op == "*" || op == "/" || op == "%" { 2 } else { 0 }
}

struct Parser { tokens: [Token], pos: int }

fn peek(p: Parser) -> Token? {
    if p.pos < len(p.tokens) { p.tokens[p.pos] } else { none }
}

fn primary(p: Parser) -> Expr {
    let t = peek(p)!;
    p.pos += 1;
    if t.text == "(" {
        let e = expression(p, 1);
        p.pos += 1;   // the closing ")"
        e
    } else if t.text == "-" {
        let inner = primary(p);
        Expr { op: "neg", value: 0, left: inner, right: none }
    } else {
        Expr { op: "num", value: parse_int(t.text), left: none, right: none }
    }
}

// Precedence climbing: parse operators binding at least as tightly as min_prec.
fn expression(p: Parser, min_prec: int) -> Expr {
    let mut lhs = primary(p);
    while true {
        let next = peek(p);
        if next == none { break; }
        let op = next!.text;
        let prec = precedence(op);
        if prec == 0 || prec < min_prec { break; }
        p.pos += 1;
        let rhs = expression(p, prec + 1);
        lhs = Expr { op: op, value: 0, left: lhs, right: rhs };
    }
    lhs
}

fn pretty(e: Expr) -> str {
    if e.op == "num" { return str(e.value); }
    if e.op == "neg" { return "(-" + pretty(e.left!) + ")"; }
    "(" + pretty(e.left!) + " " + e.op + " " + pretty(e.right!) + ")"
}

fn eval(e: Expr) -> int {
    if e.op == "num" { return e.value; }
    if e.op == "neg" { return -eval(e.left!); }
    let a = eval(e.left!);
    let b = eval(e.right!);
    if e.op == "+" { a + b }
    else if e.op == "-" { a - b }
    else if e.op == "*" { a * b }
    else if e.op == "/" { a / b }
    else { a % b }
}

let sources = [
    "1 + 2 * 3",
    "(1 + 2) * 3",
    "100 / 7 % 4 - -3",
    "2 * (3 + 4) * (5 - 1)",
    "10 - 4 - 3",
];
for src in sources {
    let tokens = tokenize(src);
    let texts: [str] = [];
    for t in tokens { texts.push(t.text); }
    let tree = expression(Parser { tokens: tokens, pos: 0 }, 1);
    println(src);
    println("  tokens: " + join(texts, " "));
    println("  tree:   " + pretty(tree));
    println("  value:  " + str(eval(tree)));
}
