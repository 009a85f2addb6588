//! Parser unit tests: AST shapes (printed as S-expressions), precedence,
//! error diagnostics with spans, and robustness on random input.

use super::*;
use crate::ast::{ForIter, Module, TypeExpr, UnOp};

// ------------------------------------------------------------ printing

fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Named(n) => n.to_string(),
        TypeExprKind::Unit => "()".into(),
        TypeExprKind::Array(t) => format!("[{}]", ty(t)),
        TypeExprKind::Map(k, v) => format!("map[{}, {}]", ty(k), ty(v)),
        TypeExprKind::Chan(t) => format!("chan[{}]", ty(t)),
        TypeExprKind::Optional(t) => format!("{}?", ty(t)),
        TypeExprKind::Fn(ps, r) => {
            let ps: Vec<String> = ps.iter().map(ty).collect();
            match r {
                Some(r) => format!("fn({}) -> {}", ps.join(", "), ty(r)),
                None => format!("fn({})", ps.join(", ")),
            }
        }
        TypeExprKind::Error => "ERR".into(),
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(ex).collect::<Vec<_>>().join(" ")
}

fn ex(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(x) => format!("{x:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::None => "none".into(),
        ExprKind::Unit => "()".into(),
        ExprKind::Name(n) => n.to_string(),
        ExprKind::Array(es) => format!("[{}]", list(es)),
        ExprKind::ArrayRepeat { value, count } => format!("[{}; {}]", ex(value), ex(count)),
        ExprKind::MapLit(kvs) if kvs.is_empty() => "[:]".into(),
        ExprKind::MapLit(kvs) => {
            let kvs: Vec<String> = kvs
                .iter()
                .map(|(k, v)| format!("{}: {}", ex(k), ex(v)))
                .collect();
            format!("[{}]", kvs.join(", "))
        }
        ExprKind::StructLit { name, fields } => {
            let fs: Vec<String> = fields
                .iter()
                .map(|(f, v)| format!("{}: {}", f.name, ex(v)))
                .collect();
            format!("{}{{{}}}", name.name, fs.join(", "))
        }
        ExprKind::Unary { op, operand } => {
            let o = match op {
                UnOp::Neg => "-",
                UnOp::Not => "!",
            };
            format!("({o} {})", ex(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), ex(lhs), ex(rhs))
        }
        ExprKind::Cast { expr, ty: t } => format!("(as {} {})", ex(expr), ty(t)),
        ExprKind::Call { callee, args } if args.is_empty() => format!("(call {})", ex(callee)),
        ExprKind::Call { callee, args } => format!("(call {} {})", ex(callee), list(args)),
        ExprKind::MethodCall {
            receiver,
            method,
            args,
        } => {
            if args.is_empty() {
                format!("(.{} {})", method.name, ex(receiver))
            } else {
                format!("(.{} {} {})", method.name, ex(receiver), list(args))
            }
        }
        ExprKind::Field { expr, field } => format!("(. {} {})", ex(expr), field.name),
        ExprKind::Index { expr, index } => format!("(idx {} {})", ex(expr), ex(index)),
        ExprKind::Unwrap(e) => format!("(unwrap {})", ex(e)),
        ExprKind::If { cond, then, else_ } => match else_ {
            Some(e) => format!("(if {} {} {})", ex(cond), block(then), ex(e)),
            None => format!("(if {} {})", ex(cond), block(then)),
        },
        ExprKind::IfLet {
            name,
            value,
            then,
            else_,
        } => match else_ {
            Some(e) => format!(
                "(iflet {} {} {} {})",
                name.name,
                ex(value),
                block(then),
                ex(e)
            ),
            None => format!("(iflet {} {} {})", name.name, ex(value), block(then)),
        },
        ExprKind::While { cond, body } => format!("(while {} {})", ex(cond), block(body)),
        ExprKind::For { var, iter, body } => {
            let it = match iter {
                ForIter::Range { lo, hi, inclusive } => format!(
                    "({} {} {})",
                    if *inclusive { "..=" } else { ".." },
                    ex(lo),
                    ex(hi)
                ),
                ForIter::Expr(e) => ex(e),
            };
            format!("(for {} {} {})", var.name, it, block(body))
        }
        ExprKind::Block(b) => block(b),
        ExprKind::Break => "break".into(),
        ExprKind::Continue => "continue".into(),
        ExprKind::Return(None) => "return".into(),
        ExprKind::Return(Some(e)) => format!("(return {})", ex(e)),
        ExprKind::Spawn(e) => format!("(spawn {})", ex(e)),
        ExprKind::Paren(e) => format!("(paren {})", ex(e)),
        ExprKind::Error => "ERR".into(),
    }
}

fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let {
            name,
            mutable,
            ty: t,
            init,
        } => format!(
            "let {}{}{} = {}",
            if *mutable { "mut " } else { "" },
            name.name,
            t.as_ref()
                .map(|t| format!(": {}", ty(t)))
                .unwrap_or_default(),
            ex(init)
        ),
        StmtKind::Assign { target, op, value } => format!(
            "{} {}= {}",
            ex(target),
            op.map(|o| o.symbol()).unwrap_or(""),
            ex(value)
        ),
        StmtKind::Expr { expr, semi } => format!("{}{}", ex(expr), if *semi { ";" } else { "" }),
        StmtKind::Error => "ERR".into(),
    }
}

fn block(b: &Block) -> String {
    let mut parts: Vec<String> = b.stmts.iter().map(stmt).collect();
    if let Some(t) = &b.tail {
        parts.push(format!("=> {}", ex(t)));
    }
    format!("{{{}}}", parts.join(" "))
}

fn module(m: &Module) -> String {
    let mut parts: Vec<String> = m
        .items
        .iter()
        .map(|i| match i {
            TopLevel::Fn(f) => {
                let ps: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| format!("{}: {}", p.name.name, ty(&p.ty)))
                    .collect();
                format!(
                    "fn {}({}){} {}",
                    f.name.name,
                    ps.join(", "),
                    f.ret
                        .as_ref()
                        .map(|t| format!(" -> {}", ty(t)))
                        .unwrap_or_default(),
                    block(&f.body)
                )
            }
            TopLevel::Struct(s) => {
                let fs: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name.name, ty(&f.ty)))
                    .collect();
                format!("struct {} {{{}}}", s.name.name, fs.join(", "))
            }
            TopLevel::Global(g) => format!(
                "global {}{}{} = {}",
                if g.mutable { "mut " } else { "" },
                g.name.name,
                g.ty.as_ref()
                    .map(|t| format!(": {}", ty(t)))
                    .unwrap_or_default(),
                ex(&g.init)
            ),
            TopLevel::Stmt(s) => stmt(s),
        })
        .collect();
    if let Some(t) = &m.tail {
        parts.push(format!("=> {}", ex(t)));
    }
    parts.join(" | ")
}

// ------------------------------------------------------------ helpers

/// Parse a REPL entry that must be error-free; print it.
fn p(src: &str) -> String {
    let (m, d) = parse(FileId(0), src, Mode::Entry);
    assert!(d.is_empty(), "unexpected errors for {src:?}: {d:#?}");
    module(&m)
}

/// Parse a file that must be error-free; print it.
fn pf(src: &str) -> String {
    let (m, d) = parse(FileId(0), src, Mode::File);
    assert!(d.is_empty(), "unexpected errors for {src:?}: {d:#?}");
    module(&m)
}

/// Print a single expression (as a REPL tail).
fn e(src: &str) -> String {
    let (m, d) = parse(FileId(0), src, Mode::Entry);
    assert!(d.is_empty(), "unexpected errors for {src:?}: {d:#?}");
    assert!(m.items.is_empty(), "not a lone expression: {src:?}");
    ex(m.tail.as_ref().expect("tail"))
}

/// The diagnostics of a file, as (code, text at the primary span, message).
fn errs(src: &str) -> Vec<(&'static str, String, String)> {
    let (_, d) = parse(FileId(0), src, Mode::File);
    d.into_iter()
        .map(|d| (d.code, src[d.primary.range()].to_string(), d.message))
        .collect()
}

/// Exactly one diagnostic, with this code and this text under the caret.
#[track_caller]
fn err1(src: &str, code: &str, at: &str) -> String {
    let d = errs(src);
    assert_eq!(d.len(), 1, "expected one error for {src:?}, got {d:#?}");
    assert_eq!((d[0].0, d[0].1.as_str()), (code, at), "for {src:?}: {d:#?}");
    d[0].2.clone()
}

// ------------------------------------------------------------ expressions

#[test]
fn literals() {
    assert_eq!(e("123"), "123");
    assert_eq!(e("1_000_000"), "1000000");
    assert_eq!(e("0xff"), "255");
    assert_eq!(e("0b1010"), "10");
    assert_eq!(e("1.5"), "1.5");
    assert_eq!(e("2.5e-3"), "0.0025");
    assert_eq!(e(r#""a\tb\u{1F525}""#), "\"a\\tb🔥\"");
    assert_eq!(e("true"), "true");
    assert_eq!(e("none"), "none");
    assert_eq!(e("()"), "()");
    assert_eq!(e("(x)"), "(paren x)");
    assert_eq!(e("9223372036854775807"), "9223372036854775807");
}

#[test]
fn int_min() {
    assert_eq!(e("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(e("- 9223372036854775808"), "-9223372036854775808");
    assert_eq!(e("--9223372036854775808"), "(- -9223372036854775808)");
    assert_eq!(e("-9223372036854775807"), "(- 9223372036854775807)");
    let (m, _) = parse(FileId(0), "-9223372036854775808", Mode::Entry);
    let t = m.tail.unwrap();
    assert_eq!(t.kind, ExprKind::Int(i64::MIN));
    assert_eq!(t.span.range(), 0..20);
    err1(
        "let x = 9223372036854775808;",
        "E0006",
        "9223372036854775808",
    );
    err1(
        "let x = 1 - 9223372036854775808;",
        "E0006",
        "9223372036854775808",
    );
    err1(
        "let x = -(9223372036854775808);",
        "E0006",
        "9223372036854775808",
    );
    err1(
        "let x = 9223372036854775809;",
        "E0006",
        "9223372036854775809",
    );
    err1(
        "let x = -9223372036854775809;",
        "E0006",
        "9223372036854775809",
    );
    err1(
        "let x = -9223372036854775808.abs();",
        "E0006",
        "9223372036854775808",
    );
}

#[test]
fn precedence() {
    assert_eq!(e("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(e("1 * 2 + 3"), "(+ (* 1 2) 3)");
    assert_eq!(e("a - b - c"), "(- (- a b) c)");
    assert_eq!(e("a / b % c"), "(% (/ a b) c)");
    assert_eq!(e("a ?? b ?? c"), "(?? a (?? b c))");
    assert_eq!(e("a ?? b || c"), "(?? a (|| b c))");
    assert_eq!(e("a || b ?? c"), "(?? (|| a b) c)");
    assert_eq!(e("a || b && c"), "(|| a (&& b c))");
    assert_eq!(e("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(e("a && b == c"), "(&& a (== b c))");
    assert_eq!(e("a == b | c"), "(== a (| b c))");
    assert_eq!(e("a < b ^ c"), "(< a (^ b c))");
    assert_eq!(e("a | b ^ c & d"), "(| a (^ b (& c d)))");
    assert_eq!(e("a & b << c"), "(& a (<< b c))");
    assert_eq!(e("a << b + c"), "(<< a (+ b c))");
    assert_eq!(e("a >> b >> c"), "(>> (>> a b) c)");
    assert_eq!(e("a * b as float"), "(* a (as b float))");
    assert_eq!(e("a as int as float"), "(as (as a int) float)");
    assert_eq!(e("-a as float"), "(as (- a) float)");
    assert_eq!(e("!a && b"), "(&& (! a) b)");
    assert_eq!(e("-a.b!"), "(- (unwrap (. a b)))");
    assert_eq!(e("!f(x)[1]"), "(! (idx (call f x) 1))");
    assert_eq!(e("- -a"), "(- (- a))");
    assert_eq!(e("!!a"), "(! (! a))");
    assert_eq!(e("a != b"), "(!= a b)");
    assert_eq!(e("a! != b"), "(!= (unwrap a) b)");
    assert_eq!(e("a <= b"), "(<= a b)");
    assert_eq!(e("a >= b"), "(>= a b)");
    assert_eq!(e("a > b"), "(> a b)");
    assert_eq!(e("(a + b) * c"), "(* (paren (+ a b)) c)");
    assert_eq!(e("opt ?? 0 + 1"), "(?? opt (+ 0 1))");
    assert_eq!(e("x as int?"), "(as x int?)");
    assert_eq!(e("x as int? ?? 1"), "(?? (as x int?) 1)");
}

#[test]
fn postfix() {
    assert_eq!(e("f()"), "(call f)");
    assert_eq!(e("f(a, b,)"), "(call f a b)");
    assert_eq!(e("f(a)(b)"), "(call (call f a) b)");
    assert_eq!(e("a[i][j]"), "(idx (idx a i) j)");
    assert_eq!(e("p.x.y"), "(. (. p x) y)");
    assert_eq!(e("x.f(a)"), "(.f x a)");
    assert_eq!(e("x.f(a).g"), "(. (.f x a) g)");
    assert_eq!(e("x.f().g()"), "(.g (.f x))");
    assert_eq!(e("names.push(\"x\",)"), "(.push names \"x\")");
    assert_eq!(e("(x.f)(a)"), "(call (paren (. x f)) a)");
    assert_eq!(e("a.b[0]"), "(idx (. a b) 0)");
    assert_eq!(e("opt!"), "(unwrap opt)");
    assert_eq!(e("opt!!.x"), "(. (unwrap (unwrap opt)) x)");
    assert_eq!(e("get(m, k)!"), "(unwrap (call get m k))");
    assert_eq!(e("5.abs()"), "(.abs 5)");
}

#[test]
fn literals_compound() {
    assert_eq!(e("[]"), "[]");
    assert_eq!(e("[1, 2, 3]"), "[1 2 3]");
    assert_eq!(e("[1, 2, 3,]"), "[1 2 3]");
    assert_eq!(e("[[1], []]"), "[[1] []]");
    assert_eq!(e("[0; n]"), "[0; n]");
    assert_eq!(e("[[0; 3]; n + 1]"), "[[0; 3]; (+ n 1)]");
    assert_eq!(e("[:]"), "[:]");
    assert_eq!(e(r#"["a": 1, "b": 2]"#), r#"["a": 1, "b": 2]"#);
    assert_eq!(e(r#"["a": 1,]"#), r#"["a": 1]"#);
    assert_eq!(e("Point { x: 1.0, y: 2.0 }"), "Point{x: 1.0, y: 2.0}");
    assert_eq!(e("Point { x: 1.0, y: 2.0, }"), "Point{x: 1.0, y: 2.0}");
    assert_eq!(e("Empty {}"), "Empty{}");
    assert_eq!(
        e("Point { x: 1.0, y: 2.0 }.x"),
        "(. Point{x: 1.0, y: 2.0} x)"
    );
    assert_eq!(
        e("Line { a: P { x: 1 }, b: [P { x: 2 }] }"),
        "Line{a: P{x: 1}, b: [P{x: 2}]}"
    );
}

#[test]
fn control_flow_expressions() {
    assert_eq!(e("if c { 1 } else { 2 }"), "(if c {=> 1} {=> 2})");
    assert_eq!(
        e("if a { 1 } else if b { 2 } else { 3 }"),
        "(if a {=> 1} (if b {=> 2} {=> 3}))"
    );
    assert_eq!(e("if a { }"), "(if a {})");
    assert_eq!(
        e("if let x = opt { x } else { 0 }"),
        "(iflet x opt {=> x} {=> 0})"
    );
    assert_eq!(
        e("if a { 1 } else if let y = o { y } else { 3 }"),
        "(if a {=> 1} (iflet y o {=> y} {=> 3}))"
    );
    assert_eq!(e("while i < n { i += 1; }"), "(while (< i n) {i += 1})");
    assert_eq!(e("for i in 0..n { }"), "(for i (.. 0 n) {})");
    assert_eq!(e("for i in 0..=n { }"), "(for i (..= 0 n) {})");
    assert_eq!(
        e("for i in i + 1..len(a) { }"),
        "(for i (.. (+ i 1) (call len a)) {})"
    );
    assert_eq!(
        e("for s in names { println(s); }"),
        "(for s names {(call println s);})"
    );
    assert_eq!(e("{ let t = 1; t + 1 }"), "{let t = 1 => (+ t 1)}");
    assert_eq!(e("1 + if c { 1 } else { 2 }"), "(+ 1 (if c {=> 1} {=> 2}))");
    assert_eq!(e("x ?? return"), "(?? x return)");
    assert_eq!(e("spawn f(a, b)"), "(spawn (call f a b))");
    assert_eq!(e("spawn x.work(1)"), "(spawn (call work x 1))");
    assert_eq!(e("if (P { x: 1 }).x { }"), "(if (. (paren P{x: 1}) x) {})");
    assert_eq!(e("if x == P { }"), "(if (== x P) {})");
    assert_eq!(e("while f(P { x: 1 }) { }"), "(while (call f P{x: 1}) {})");
    assert_eq!(
        e("if [P { x: 1 }][0].x { }"),
        "(if (. (idx [P{x: 1}] 0) x) {})"
    );
}

#[test]
fn jumps() {
    assert_eq!(pf("fn f() { return; }"), "fn f() {return;}");
    assert_eq!(
        pf("fn f() -> int { return 1 + 2; }"),
        "fn f() -> int {(return (+ 1 2));}"
    );
    assert_eq!(
        pf("fn f() -> int { return 1 }"),
        "fn f() -> int {=> (return 1)}"
    );
    assert_eq!(
        pf("fn f() { while true { break; continue; } }"),
        "fn f() {=> (while true {break; continue;})}"
    );
    assert_eq!(
        pf("fn f(o: int?) -> int { let v = o ?? return 0; v }"),
        "fn f(o: int?) -> int {let v = (?? o (return 0)) => v}"
    );
}

// ------------------------------------------------------------ statements

#[test]
fn statements() {
    assert_eq!(p("let x = 1;"), "global x = 1");
    assert_eq!(p("let mut y: float = 2.0;"), "global mut y: float = 2.0");
    assert_eq!(
        p("{ let x = 1; let mut y: float = 2.0; }"),
        "=> {let x = 1 let mut y: float = 2.0}"
    );
    assert_eq!(
        p("y = y * 2.0; y += 1.0; y -= 1; y *= 2; y /= 3; y %= 4;"),
        "y = (* y 2.0) | y += 1.0 | y -= 1 | y *= 2 | y /= 3 | y %= 4"
    );
    assert_eq!(
        p("a[i] = v; p.x = 3.0; a[i] += 1;"),
        "(idx a i) = v | (. p x) = 3.0 | (idx a i) += 1"
    );
    assert_eq!(p("f(x); x + 1;"), "(call f x); | (+ x 1);");
    // Block-like statements need no `;`.
    assert_eq!(
        p("if c { f(); } while c { } for i in 0..3 { } { } x"),
        "(if c {(call f);}) | (while c {}) | (for i (.. 0 3) {}) | {} | => x"
    );
    // A block-like statement ends the statement: `-1` is a new one.
    assert_eq!(p("if c { } -1"), "(if c {}) | => (- 1)");
    assert_eq!(p("{ 1 } [2]"), "{=> 1} | => [2]");
    // `;` after a block-like statement.
    assert_eq!(p("if c { 1 } else { 2 };"), "(if c {=> 1} {=> 2});");
    assert_eq!(p(";;"), "");
    // Final block-like expression is the block's value.
    assert_eq!(
        p("fn f() -> int { if c { 1 } else { 2 } }"),
        "fn f() -> int {=> (if c {=> 1} {=> 2})}"
    );
    assert_eq!(
        p("fn f() { if c { 1 } else { 2 }; }"),
        "fn f() {(if c {=> 1} {=> 2});}"
    );
    assert_eq!(
        p("fn f() { if c { g(); } h() }"),
        "fn f() {(if c {(call g);}) => (call h)}"
    );
    // Assignment without `;` at the end of a block.
    assert_eq!(p("fn f() { x = 1 }"), "fn f() {x = 1}");
}

#[test]
fn items() {
    assert_eq!(
        pf("fn add(a: int, b: int) -> int { a + b }"),
        "fn add(a: int, b: int) -> int {=> (+ a b)}"
    );
    assert_eq!(
        pf("fn greet(name: str,) { println(\"hi \" + name); }"),
        "fn greet(name: str) {(call println (+ \"hi \" name));}"
    );
    assert_eq!(
        pf("struct Point { x: float, y: float }"),
        "struct Point {x: float, y: float}"
    );
    assert_eq!(
        pf("struct Point { x: float, y: float, }"),
        "struct Point {x: float, y: float}"
    );
    assert_eq!(pf("struct Unit {}"), "struct Unit {}");
    assert_eq!(
        pf("let limit = 10; let mut counter = 0; let mut names: [str] = [];"),
        "global limit = 10 | global mut counter = 0 | global mut names: [str] = []"
    );
    assert_eq!(pf("println(1);"), "(call println 1);");
    assert_eq!(pf("fn main() {} main();"), "fn main() {} | (call main);");
}

#[test]
fn types() {
    let t = |s: &str| {
        let out = pf(&format!("let x: {s} = y;"));
        out.strip_prefix("global x: ")
            .unwrap()
            .strip_suffix(" = y")
            .unwrap()
            .to_string()
    };
    assert_eq!(t("int"), "int");
    assert_eq!(t("()"), "()");
    assert_eq!(t("[int]"), "[int]");
    assert_eq!(t("[[str]]"), "[[str]]");
    assert_eq!(t("map[str, int]"), "map[str, int]");
    assert_eq!(t("map[str, [int],]"), "map[str, [int]]");
    assert_eq!(t("chan[int]"), "chan[int]");
    assert_eq!(t("int?"), "int?");
    assert_eq!(t("int??"), "int??");
    assert_eq!(t("[int?]?"), "[int?]?");
    assert_eq!(t("fn(int, str) -> bool"), "fn(int, str) -> bool");
    assert_eq!(t("fn(int,) -> bool"), "fn(int) -> bool");
    assert_eq!(t("fn(int)"), "fn(int)");
    assert_eq!(t("fn()"), "fn()");
    assert_eq!(t("fn(int) -> int?"), "fn(int) -> int?");
    assert_eq!(t("(fn(int) -> int)?"), "fn(int) -> int?");
    assert_eq!(
        t("fn(fn(int)) -> fn() -> int"),
        "fn(fn(int)) -> fn() -> int"
    );
    assert_eq!(t("(int)"), "int");
    assert_eq!(t("task"), "task");
    // Span of a parenthesised optional function type.
    let (m, _) = parse(FileId(0), "let x: (fn(int) -> int)? = y;", Mode::File);
    let TopLevel::Global(g) = &m.items[0] else {
        panic!()
    };
    let ty = g.ty.as_ref().unwrap();
    assert!(matches!(ty.kind, TypeExprKind::Optional(_)));
    assert_eq!(ty.span.range(), 7..24);
}

#[test]
fn modes() {
    // A REPL entry may end in a bare expression.
    let (m, d) = parse(FileId(0), "let x = 1; x + 1", Mode::Entry);
    assert!(d.is_empty());
    assert_eq!(module(&m), "global x = 1 | => (+ x 1)");
    let (m, d) = parse(FileId(0), "x + 1;", Mode::Entry);
    assert!(d.is_empty());
    assert!(m.tail.is_none());
    // A final block-like expression is the entry's value.
    assert_eq!(p("if c { 1 } else { 2 }"), "=> (if c {=> 1} {=> 2})");
    // A final `let` or assignment may omit `;` in a REPL entry.
    assert_eq!(p("let x = 1"), "global x = 1");
    assert_eq!(p("x = 1"), "x = 1");
    // In a file, a final bare expression needs `;`.
    let msg = err1("let x = 1;\nx + 1", "E0012", "");
    assert_eq!(msg, "expected `;`, found end of file");
    err1("x = 1", "E0012", "");
    err1("let x = 1", "E0012", "");
    assert_eq!(pf("if c { 1 } else { 2 }"), "(if c {=> 1} {=> 2})");
    assert_eq!(pf(""), "");
    assert_eq!(pf("// only a comment\n/* and /* nested */ */"), "");
}

#[test]
fn spans() {
    let src = "fn f(a: int) -> int {\n    let b = a * 2;\n    b + 1\n}";
    let (m, d) = parse(FileId(3), src, Mode::File);
    assert!(d.is_empty());
    let TopLevel::Fn(f) = &m.items[0] else {
        panic!()
    };
    assert_eq!(f.span.range(), 0..src.len());
    assert_eq!(f.span.file, FileId(3));
    assert_eq!(&src[f.name.span.range()], "f");
    assert_eq!(&src[f.params[0].ty.span.range()], "int");
    assert_eq!(&src[f.body.span.range()], &src[20..]);
    assert_eq!(&src[f.body.stmts[0].span.range()], "let b = a * 2;");
    let tail = f.body.tail.as_ref().unwrap();
    assert_eq!(&src[tail.span.range()], "b + 1");
    let ExprKind::Binary { lhs, .. } = &tail.kind else {
        panic!()
    };
    assert_eq!(&src[lhs.span.range()], "b");
    let src = "x.f(a)!";
    let (m, _) = parse(FileId(0), src, Mode::Entry);
    let t = m.tail.unwrap();
    assert_eq!(t.span.range(), 0..7);
    let ExprKind::Unwrap(inner) = &t.kind else {
        panic!()
    };
    let ExprKind::MethodCall { method, .. } = &inner.kind else {
        panic!()
    };
    assert_eq!(&src[method.span.range()], "f");
}

// ------------------------------------------------------------ errors

#[test]
fn missing_semicolon() {
    let msg = err1("let x = 1\nlet y = 2;", "E0012", "let");
    assert_eq!(msg, "expected `;`, found `let`");
    let (m, d) = parse(FileId(0), "let x = 1\nlet y = 2;", Mode::File);
    assert_eq!(d[0].labels[0].span.range(), 9..9);
    // Both statements are kept: the parser inserts the `;`.
    assert_eq!(module(&m), "global x = 1 | global y = 2");
    let (m, d) = parse(
        FileId(0),
        "fn f() { let a = 1
 let b = a
 g(a) h(b); a }",
        Mode::File,
    );
    assert_eq!(d.len(), 3, "{d:#?}");
    assert_eq!(
        module(&m),
        "fn f() {let a = 1 let b = a (call g a); (call h b); => a}"
    );
    // Two missing semicolons: two errors.
    let d = errs("fn main() {\n  let x = 1\n  let y = 2\n  println(x + y);\n}");
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d.iter().all(|d| d.0 == "E0012"));
    err1("fn f() { g() h(); }", "E0012", "h");
}

#[test]
fn unexpected_tokens() {
    assert_eq!(
        err1("let x = ;", "E0010", ";"),
        "expected expression, found `;`"
    );
    assert_eq!(
        err1("let x = f(1 2);", "E0010", "2"),
        "expected `,` or `)`, found integer `2`"
    );
    assert_eq!(
        err1("let x = [1 2];", "E0010", "2"),
        "expected `,` or `]`, found integer `2`"
    );
    assert_eq!(
        err1("let x = (1 + );", "E0010", ")"),
        "expected expression, found `)`"
    );
    assert_eq!(
        err1("fn f(a: int b: int) {}", "E0010", "b"),
        "expected `,` or `)`, found identifier `b`"
    );
    assert_eq!(
        err1("fn f() -> { }", "E0010", "{"),
        "expected type, found `{`"
    );
    assert_eq!(
        err1("let x: = 1;", "E0010", "="),
        "expected type, found `=`"
    );
    assert_eq!(
        err1("let x: map[int str] = 1;", "E0010", "str"),
        "expected `,` or `]`, found identifier `str`"
    );
    assert_eq!(
        err1("fn f() int { }", "E0010", "int"),
        "expected `{` or `->`, found identifier `int`"
    );
    assert_eq!(
        err1("struct P { x }", "E0010", "}"),
        "expected `:`, found `}`"
    );
    assert_eq!(err1("let x;", "E0019", ";"), "expected `=`, found `;`");
    assert_eq!(
        err1("let mut x: int;", "E0019", ";"),
        "expected `=`, found `;`"
    );
    assert_eq!(
        err1("let = 1;", "E0010", "="),
        "expected `mut` or identifier, found `=`"
    );
    err1("if x { } else { } else { }", "E0010", "else");
    err1("fn main() { x = 1; } }", "E0010", "}");
    assert_eq!(err1("x = 1; )", "E0010", ")"), "unmatched `)`");
    assert_eq!(err1("fn f() { g(1)); }", "E0010", ")"), "unmatched `)`");
    err1("fn main() { fn g() {} }", "E0018", "g");
    err1("fn main() { struct S { x: int } }", "E0018", "S");
    err1("fn main() { if x = 1 { } }", "E0010", "=");
    err1("let x = 1 +* 2;", "E0010", "*");
    err1("let x = y as 3;", "E0010", "3");
    err1("let x = a..b;", "E0012", "..");
}

#[test]
fn eof_errors() {
    let src = "fn main() {\n  let x = 1;\n";
    let (_, d) = parse(FileId(0), src, Mode::File);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].code, "E0011");
    assert_eq!(d[0].message, "expected `}`, found end of file");
    assert_eq!(d[0].primary.range(), 24..24);
    assert_eq!(d[0].labels[0].span.range(), 10..11);
    err1("let x = f(1, ", "E0011", "");
    err1("fn", "E0011", "");
    err1("let x = [", "E0011", "");
}

#[test]
fn special_errors() {
    let msg = err1("let b = a < b < c;", "E0013", "<");
    assert_eq!(msg, "comparison operators cannot be chained");
    let (_, d) = parse(FileId(0), "let b = a < b < c;", Mode::File);
    assert_eq!(d[0].primary.range(), 14..15);
    assert_eq!(d[0].labels[0].span.range(), 8..13);
    err1("let b = a == b != c;", "E0013", "!=");
    assert_eq!(e("(a < b) == c"), "(== (paren (< a b)) c)");
    assert_eq!(e("a < b && b < c"), "(&& (< a b) (< b c))");

    err1("if p == Point { x: 1 } { }", "E0014", "Point {");
    // The literal is parsed as if parenthesised.
    let (m, _) = parse(FileId(0), "if p == Point { x: 1 } { f(); }", Mode::File);
    assert_eq!(module(&m), "(if (== p (paren Point{x: 1})) {(call f);})");
    err1("while Point { x: 1 }.x > 0 { }", "E0014", "Point {");

    err1("let t = spawn 5;", "E0015", "5");
    err1("let t = spawn f;", "E0015", "f");
    err1("let t = spawn (f(1));", "E0015", "(f(1))");
    err1("let t = spawn f(1)!;", "E0015", "f(1)!");

    err1("let m: map[int] = x;", "E0016", "map[int]");
    err1("let c: chan[int, int] = x;", "E0016", "chan[int, int]");
    err1("let c: foo[int] = x;", "E0016", "foo[int]");
}

#[test]
fn several_errors() {
    let src =
        "fn a() { let x = ; }\nfn b() { let y = 1 }\nfn c() -> { }\nstruct S { x: }\nlet ok = 1;";
    let d = errs(src);
    let codes: Vec<&str> = d.iter().map(|d| d.0).collect();
    assert_eq!(codes, ["E0010", "E0012", "E0010", "E0010"], "{d:#?}");
    let (m, _) = parse(FileId(0), src, Mode::File);
    assert!(module(&m).ends_with("global ok = 1"), "{}", module(&m));
    // Lexical errors are reported alongside syntax errors, in source order.
    let d = errs("let s = \"a\\q\";\nlet x = 1 @ 2;\nlet y = ;");
    let codes: Vec<&str> = d.iter().map(|d| d.0).collect();
    assert_eq!(codes, ["E0004", "E0001", "E0010"], "{d:#?}");
}

#[test]
fn lexical_errors_in_parse() {
    err1("let s = \"abc;\nlet t = 1;", "E0003", "\"");
    err1("let x = 1; /* never closed", "E0002", "/*");
    err1("let x = 1.;", "E0007", "1.");
    err1("let x = 0x;", "E0005", "0x");
    err1(
        "let x = 99999999999999999999;",
        "E0006",
        "99999999999999999999",
    );
    err1("let x = 1 # 2;", "E0001", "#");
}

// ------------------------------------------------------------ robustness

fn no_panic(src: &str) {
    for mode in [Mode::File, Mode::Entry] {
        let (_, d) = parse(FileId(0), src, mode);
        for d in &d {
            assert!(
                d.primary.hi as usize <= src.len() && d.primary.lo <= d.primary.hi,
                "bad span in {d:?} for {src:?}"
            );
            assert!(src.is_char_boundary(d.primary.lo as usize));
            assert!(src.is_char_boundary(d.primary.hi as usize));
        }
    }
}

#[test]
fn deep_nesting() {
    for open in ["(", "[", "{", "-", "!", "if x {", "[1, "] {
        let src = open.repeat(100_000);
        no_panic(&src);
    }
    let src = format!("let x = {}1{};", "(".repeat(100_000), ")".repeat(100_000));
    let d = errs(&src);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, "E0017");
    let src = format!("let x = 1{};", " + 1".repeat(100_000));
    let d = errs(&src);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, "E0017");
    no_panic(&format!("x{}", ".f()".repeat(100_000)));
    no_panic(&format!("x{}", "!".repeat(100_000)));
    no_panic(&format!("x{}", " as int".repeat(100_000)));
    no_panic(&format!("if a {{}}{}", " else if a {}".repeat(100_000)));
    no_panic(&"return ".repeat(100_000));
    no_panic(&format!(
        "{}x{}",
        "if ".repeat(100_000),
        " {}".repeat(100_000)
    ));
    no_panic(&"spawn ".repeat(100_000));
    // Skipping many tokens at a great depth stays fast.
    let src = format!("fn f() {}{}", "{".repeat(250), ")".repeat(100_000));
    let t = std::time::Instant::now();
    let d = errs(&src);
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
    assert_eq!(d[0].2, "unmatched `)`");
    // Moderately deep input is fine.
    let src = format!("let x = {}1{};", "(".repeat(200), ")".repeat(200));
    assert!(errs(&src).is_empty());
    let src = format!("let x = 1{};", " + 1".repeat(500));
    assert!(errs(&src).is_empty());
    // Many sibling statements are not nesting.
    let src = format!("fn f() {{ {} }}", "if x { y(); } ".repeat(20_000));
    assert!(errs(&src).is_empty());
    let src = "let x = 1 + 2;\n".repeat(20_000);
    assert!(errs(&src).is_empty());
}

#[test]
fn random_bytes_never_panic() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xE3BE4);
    for _ in 0..3000 {
        let len = rng.random_range(0..200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let src = String::from_utf8_lossy(&bytes);
        no_panic(&src);
    }
}

#[test]
fn random_tokens_never_panic() {
    use rand::{Rng, SeedableRng};
    const PIECES: &[&str] = &[
        "fn",
        "struct",
        "let",
        "mut",
        "if",
        "else",
        "while",
        "for",
        "in",
        "break",
        "continue",
        "return",
        "true",
        "false",
        "none",
        "as",
        "spawn",
        "x",
        "int",
        "map",
        "chan",
        "1",
        "9223372036854775808",
        "1.5",
        "\"s\"",
        "\"\\q\"",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        ":",
        ".",
        "..",
        "..=",
        "->",
        "?",
        "??",
        "+",
        "-",
        "*",
        "/",
        "%",
        "&",
        "|",
        "^",
        "<<",
        ">>",
        "&&",
        "||",
        "!",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "=",
        "+=",
        "-=",
        "*=",
        "/=",
        "%=",
        "/*",
        "*/",
        "//",
        "\n",
        "\"",
        "@",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..3000 {
        let len = rng.random_range(0..60);
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(PIECES[rng.random_range(0..PIECES.len())]);
            src.push(' ');
        }
        no_panic(&src);
    }
}

#[test]
fn valid_programs_from_language_md() {
    let src = r#"
fn add(a: int, b: int) -> int { a + b }     // last expression is the result
fn greet(name: str) { println("hi " + name); }   // returns ()

struct Point { x: float, y: float }

let limit = 10;          // immutable global
let mut counter = 0;     // mutable global, shared by all threads
let mut names: [str] = [];

fn demo(c: bool, d: bool, n: int, a: [int], p: Point, opt: int?) -> int {
    let x = 1;  let mut y: float = 2.0;
    y = y * 2.0;  y += 1.0;
    a[0] = 1;  p.x = 3.0;  a[0] += 1;
    if c { println(1); } else if d { println(2); } else { println(3); }
    let z = if c { 1 } else { 2 };
    while c { break; }
    for i in 0..n { continue; }
    for i in 0..=n { }
    for i in i + 1..len(a) { }
    for s in names { println(s); }
    let m = ["a": 1, "b": 2];
    let e: map[str, int] = [:];
    let f: (fn(int) -> int)? = none;
    let q = Point { x: 1.0, y: 2.0 };
    let t = spawn add(1, 2);
    join(t);
    names.push("x");
    let v = opt ?? 0;
    if let w = opt { println(w); } else { println(0); }
    if opt == none { return opt!; }
    let k = x as float;
    let big = -9223372036854775808;
    let r = [0; n];
    { let t = 1; t + 1 }
}
"#;
    let (_, d) = parse(FileId(0), src, Mode::File);
    assert!(d.is_empty(), "{d:#?}");
}

// ------------------------------------------------------------ fast path

/// The fast path's invariant (see `parser/fast.rs`): whenever it returns a
/// module, the lalrpop parser returns the same module and no diagnostic.
/// Returns whether the fast path accepted `src` (in file mode).
fn fast_agrees(src: &str) -> bool {
    let mut accepted = false;
    for mode in [Mode::File, Mode::Entry] {
        let fast = fast::parse(FileId(0), src, mode);
        let (slow, diags) = parse_lalrpop(FileId(0), src, mode);
        if let Some(m) = fast {
            assert!(
                diags.is_empty(),
                "fast path accepted input the lalrpop parser rejects ({mode:?}): {src:?}\n{diags:?}"
            );
            assert!(
                m == slow,
                "fast path and lalrpop parser disagree ({mode:?}) on {src:?}:\nfast: {}\nslow: {}",
                module(&m),
                module(&slow)
            );
            accepted |= mode == Mode::File;
        }
    }
    accepted
}

fn corpus() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in [
        "tests/programs",
        "tests/errors",
        "examples",
        "benches/programs",
    ] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "em") {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p.display().to_string(), text));
                }
            }
        }
    }
    out
}

#[test]
fn fast_path_matches_lalrpop_on_files() {
    let files = corpus();
    assert!(files.len() > 50, "test corpus not found");
    let mut valid = 0;
    for (path, text) in &files {
        let accepted = fast_agrees(text);
        let (_, diags) = parse_lalrpop(FileId(0), text, Mode::File);
        if diags.is_empty() {
            valid += 1;
            // Valid programs of ordinary depth take the fast path.
            assert!(accepted, "fast path gave up on valid {path}");
        }
    }
    assert!(valid > 50);
}

#[test]
fn fast_path_matches_lalrpop_on_mutations() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let files = corpus();
    let mut rng = StdRng::seed_from_u64(0xfa57);
    let extra = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ";",
        ",",
        ":",
        "=",
        "+=",
        "..",
        "..=",
        "?",
        "??",
        "!",
        "-",
        "as",
        "return",
        "break",
        "if",
        "else",
        "let",
        "mut",
        "fn",
        "struct",
        "x",
        "S",
        "1",
        "9223372036854775808",
        "2.5",
        "\"s\"",
        "none",
        "true",
        "==",
        "<",
        "&&",
        ".",
        "->",
        "int",
        "spawn",
        "for",
        "in",
        "while",
    ];
    let mut accepted = 0;
    let cases = 3000;
    for i in 0..cases {
        let (_, text) = &files[i % files.len()];
        let (toks, _) = crate::lexer::lex(FileId(0), text);
        if toks.is_empty() {
            continue;
        }
        let mut words: Vec<&str> = toks.iter().map(|t| &text[t.0..t.2]).collect();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..words.len());
            match rng.random_range(0..4) {
                0 => {
                    words.remove(at);
                }
                1 => words.insert(at, extra[rng.random_range(0..extra.len())]),
                2 => {
                    let other = rng.random_range(0..words.len());
                    words.swap(at, other);
                }
                _ => words.insert(at, words[at]),
            }
            if words.is_empty() {
                break;
            }
        }
        let src = words.join(" ");
        if fast_agrees(&src) {
            accepted += 1;
        }
    }
    // Some mutations stay valid; those must have taken the fast path.
    assert!(accepted > 100, "only {accepted} mutated programs accepted");
}

#[test]
fn fast_path_matches_lalrpop_on_snippets() {
    for src in [
        "",
        ";",
        "1;",
        "x",
        "let x = 1",
        "x = 1",
        "x += 1",
        "if c {} -1;",
        "if c { 1 } else { 2 }",
        "{ 1 } + 2;",
        "let a = { 1 } + 2;",
        "let a = -9223372036854775808;",
        "let a = - -9223372036854775808;",
        "let a = -(9223372036854775808);",
        "let a = 9223372036854775808;",
        "let a = -9223372036854775808!;",
        "let a = -9223372036854775808 + -9223372036854775808;",
        "let a = [9223372036854775808, -9223372036854775808];",
        "f(return 1);",
        "x ?? return;",
        "a ?? b ?? c;",
        "a < b == c;",
        "(a < b) == c;",
        "if a ?? return {}",
        "x as int ?? 1;",
        "x as int? ?? 1;",
        "let f: fn(int) -> int? = g;",
        "let f: (fn(int))? = none;",
        "let m: map[str, int??] = [:];",
        "let x: foo[int] = 1;",
        "while S { a: 1 }.a {}",
        "if let v = m.get(k) { v } else if c { 1 } else { 2 }",
        "for i in 0..=n { }",
        "for i in xs { break; continue; }",
        "spawn f(1); spawn x.g(2); spawn 1;",
        "s.f(1).g[2]!.h;",
        "(x.f)(1);",
        "[1, 2,]; [1; 3]; [a: 1, b: 2,]; [:]; [];",
        "S {}; S { a: 1, }; S { a: 1 b: 2 };",
        "fn f(a: int, b: [str],) -> int { a } struct P { x: float, } let mut g = 1;",
        "fn f() { fn g() {} }",
        "return 1",
        "--x; !!b; -(1); - 1 as float;",
        "x = 1 let y = 2;",
        "{ let x = 1 }",
        "{ x = 1 }",
        "{ x }",
        "{ if c {} ; }",
        "if c {} ;",
        "1 +",
        "((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))));",
        "\"a\\nb\" + \"\\u{1F525}\";",
        "let x = 1 /* unterminated",
        "let x = 0x;",
    ] {
        fast_agrees(src);
    }
}
