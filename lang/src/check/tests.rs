//! Checker unit tests on hand-built ASTs (source-text tests live in
//! `tests_src`, once the parser can be used).

use crate::ast::*;
use crate::span::Span;
use crate::types::Type;
use crate::{tir, Env};

thread_local! {
    static POS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A fresh, distinct span per node (so diagnostics can be told apart).
fn sp() -> Span {
    POS.with(|p| {
        let lo = p.get();
        p.set(lo + 2);
        Span::new(Default::default(), lo as usize, lo as usize + 1)
    })
}

fn id(n: &str) -> Ident {
    Ident {
        name: n.into(),
        span: sp(),
    }
}
fn ex(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}
fn int(v: i64) -> Expr {
    ex(ExprKind::Int(v))
}
fn float(v: f64) -> Expr {
    ex(ExprKind::Float(v))
}
fn s(v: &str) -> Expr {
    ex(ExprKind::Str(v.to_string()))
}
fn b(v: bool) -> Expr {
    ex(ExprKind::Bool(v))
}
fn none() -> Expr {
    ex(ExprKind::None)
}
fn name(n: &str) -> Expr {
    ex(ExprKind::Name(n.into()))
}
fn call(f: &str, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Call {
        callee: Box::new(name(f)),
        args,
    })
}
fn method(r: Expr, m: &str, args: Vec<Expr>) -> Expr {
    ex(ExprKind::MethodCall {
        receiver: Box::new(r),
        method: id(m),
        args,
    })
}
fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    ex(ExprKind::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    })
}
fn arr(v: Vec<Expr>) -> Expr {
    ex(ExprKind::Array(v))
}
fn field(e: Expr, f: &str) -> Expr {
    ex(ExprKind::Field {
        expr: Box::new(e),
        field: id(f),
    })
}
fn block(stmts: Vec<Stmt>, tail: Option<Expr>) -> Block {
    Block {
        stmts,
        tail: tail.map(Box::new),
        span: sp(),
    }
}
fn if_(c: Expr, t: Block, e: Option<Block>) -> Expr {
    ex(ExprKind::If {
        cond: Box::new(c),
        then: t,
        else_: e.map(|b| Box::new(ex(ExprKind::Block(b)))),
    })
}
fn ret(e: Option<Expr>) -> Expr {
    ex(ExprKind::Return(e.map(Box::new)))
}
fn ty(n: &str) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Named(n.into()),
        span: sp(),
    }
}
fn tarr(t: TypeExpr) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Array(Box::new(t)),
        span: sp(),
    }
}
fn topt(t: TypeExpr) -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Optional(Box::new(t)),
        span: sp(),
    }
}
fn st(kind: StmtKind) -> Stmt {
    Stmt { kind, span: sp() }
}
fn let_(n: &str, mutable: bool, t: Option<TypeExpr>, init: Expr) -> Stmt {
    st(StmtKind::Let {
        name: id(n),
        mutable,
        ty: t,
        init,
    })
}
fn assign(target: Expr, value: Expr) -> Stmt {
    st(StmtKind::Assign {
        target,
        op: None,
        value,
    })
}
fn semi(e: Expr) -> Stmt {
    st(StmtKind::Expr {
        expr: e,
        semi: true,
    })
}
fn func(n: &str, params: Vec<(&str, TypeExpr)>, r: Option<TypeExpr>, body: Block) -> TopLevel {
    TopLevel::Fn(FnDecl {
        name: id(n),
        params: params
            .into_iter()
            .map(|(p, t)| Param { name: id(p), ty: t })
            .collect(),
        ret: r,
        body,
        span: sp(),
    })
}
fn global(n: &str, mutable: bool, t: Option<TypeExpr>, init: Expr) -> TopLevel {
    TopLevel::Global(GlobalDecl {
        name: id(n),
        mutable,
        ty: t,
        init,
        span: sp(),
    })
}
fn strukt(n: &str, fields: Vec<(&str, TypeExpr)>) -> TopLevel {
    TopLevel::Struct(StructDecl {
        name: id(n),
        fields: fields
            .into_iter()
            .map(|(f, t)| FieldDecl { name: id(f), ty: t })
            .collect(),
        span: sp(),
    })
}
fn module(items: Vec<TopLevel>) -> Module {
    Module { items, tail: None }
}

fn ok(m: &Module) -> tir::Program {
    match super::check_module(m, &Env::default()) {
        Ok(p) => p,
        Err(d) => panic!("unexpected errors: {d:#?}"),
    }
}

fn codes(m: &Module) -> Vec<&'static str> {
    match super::check_module(m, &Env::default()) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn empty_module() {
    let p = ok(&module(vec![]));
    assert_eq!(p.main.name, "<main>");
    assert_eq!(p.main.body.ty, Type::Unit);
}

#[test]
fn functions_in_any_order_and_mutual_recursion() {
    // fn even(n: int) -> bool { if n == 0 { true } else { odd(n - 1) } }
    // fn odd(n: int) -> bool { if n == 0 { false } else { even(n - 1) } }
    let even = func(
        "even",
        vec![("n", ty("int"))],
        Some(ty("bool")),
        block(
            vec![],
            Some(if_(
                bin(BinOp::Eq, name("n"), int(0)),
                block(vec![], Some(b(true))),
                Some(block(
                    vec![],
                    Some(call("odd", vec![bin(BinOp::Sub, name("n"), int(1))])),
                )),
            )),
        ),
    );
    let odd = func(
        "odd",
        vec![("n", ty("int"))],
        Some(ty("bool")),
        block(
            vec![],
            Some(if_(
                bin(BinOp::Eq, name("n"), int(0)),
                block(vec![], Some(b(false))),
                Some(block(
                    vec![],
                    Some(call("even", vec![bin(BinOp::Sub, name("n"), int(1))])),
                )),
            )),
        ),
    );
    let main = TopLevel::Stmt(semi(call("println", vec![call("even", vec![int(10)])])));
    let p = ok(&module(vec![main, even, odd]));
    assert_eq!(p.functions.len(), 2);
    assert_eq!(p.functions[0].sig.ret, Type::Bool);
    assert_eq!(p.functions[0].locals.len(), 1);
}

#[test]
fn expected_types_flow_into_literals() {
    // let mut names: [str] = [];  let o: int? = none;  let x: int? = 5;
    let p = ok(&module(vec![
        global("names", true, Some(tarr(ty("str"))), arr(vec![])),
        global("o", false, Some(topt(ty("int"))), none()),
        global("x", false, Some(topt(ty("int"))), int(5)),
        TopLevel::Stmt(semi(call("push", vec![name("names"), s("a")]))),
        TopLevel::Stmt(semi(method(name("names"), "push", vec![s("b")]))),
    ]));
    assert_eq!(p.globals[0].ty, Type::array(Type::Str));
    let tir::TExprKind::Block(b) = &p.main.body.kind else {
        panic!()
    };
    let tir::TStmt::InitGlobal { value, .. } = &b.stmts[2] else {
        panic!()
    };
    assert!(matches!(value.kind, tir::TExprKind::Some(_)));
}

#[test]
fn cannot_infer_empty_array_and_none() {
    let m = module(vec![
        global("a", false, None, arr(vec![])),
        global("n", false, None, none()),
    ]);
    assert_eq!(codes(&m), ["E0201", "E0201"]);
}

#[test]
fn unknown_name_suggests() {
    let m = module(vec![
        global("count", false, None, int(1)),
        TopLevel::Stmt(semi(call("println", vec![name("cout")]))),
    ]);
    let Err(d) = super::check_module(&m, &Env::default()) else {
        panic!()
    };
    assert_eq!(d[0].code, "E0100");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `count`?"));
}

#[test]
fn missing_return_and_mismatch() {
    // fn f(x: int) -> int { if x > 0 { return 1; } }
    let f = func(
        "f",
        vec![("x", ty("int"))],
        Some(ty("int")),
        block(
            vec![],
            Some(if_(
                bin(BinOp::Gt, name("x"), int(0)),
                block(vec![semi(ret(Some(int(1))))], None),
                None,
            )),
        ),
    );
    assert_eq!(codes(&module(vec![f])), ["E0300"]);
    // fn g() -> int { "no" }
    let g = func("g", vec![], Some(ty("int")), block(vec![], Some(s("no"))));
    assert_eq!(codes(&module(vec![g])), ["E0200"]);
    // fn h() -> int { return 1; }  — fine
    let h = func(
        "h",
        vec![],
        Some(ty("int")),
        block(vec![semi(ret(Some(int(1))))], None),
    );
    let p = ok(&module(vec![h]));
    assert_eq!(p.functions[0].body.ty, Type::Never);
}

#[test]
fn assignment_rules() {
    // fn f(p: int) { let x = 1; x = 2; p = 3; let mut y = 1; y = 2; }
    let f = func(
        "f",
        vec![("p", ty("int"))],
        None,
        block(
            vec![
                let_("x", false, None, int(1)),
                assign(name("x"), int(2)),
                assign(name("p"), int(3)),
                let_("y", true, None, int(1)),
                assign(name("y"), int(2)),
                assign(name("limit"), int(2)),
            ],
            None,
        ),
    );
    let m = module(vec![global("limit", false, None, int(10)), f]);
    assert_eq!(codes(&m), ["E0301", "E0302", "E0303"]);
}

#[test]
fn structs_and_fields() {
    let point = strukt("Point", vec![("x", ty("float")), ("y", ty("float"))]);
    let lit = |fields: Vec<(&str, Expr)>| {
        ex(ExprKind::StructLit {
            name: id("Point"),
            fields: fields.into_iter().map(|(f, e)| (id(f), e)).collect(),
        })
    };
    let good = module(vec![
        point.clone(),
        global(
            "p",
            false,
            None,
            lit(vec![("y", float(2.0)), ("x", float(1.0))]),
        ),
        TopLevel::Stmt(assign(field(name("p"), "x"), float(3.0))),
    ]);
    let p = ok(&good);
    assert_eq!(p.globals[0].ty, Type::strukt("Point"));
    let bad = module(vec![
        point,
        global("a", false, None, lit(vec![("x", float(1.0))])),
        global(
            "b",
            false,
            None,
            lit(vec![
                ("x", float(1.0)),
                ("x", float(1.0)),
                ("y", float(1.0)),
            ]),
        ),
        global(
            "c",
            false,
            None,
            lit(vec![("x", float(1.0)), ("yy", float(1.0))]),
        ),
        TopLevel::Stmt(semi(field(name("p"), "z"))),
    ]);
    assert_eq!(codes(&bad), ["E0214", "E0215", "E0104", "E0100"]);
}

#[test]
fn builtins_resolve_and_are_not_values() {
    let m = module(vec![
        global("a", false, Some(tarr(ty("int"))), arr(vec![int(1), int(2)])),
        global("n", false, None, call("len", vec![name("a")])),
        global("m", false, None, call("max", vec![float(1.0), float(2.0)])),
        global("f", false, None, name("len")),
    ]);
    assert_eq!(codes(&m), ["E0106"]);
    let m = module(vec![
        global("a", false, Some(tarr(ty("int"))), arr(vec![int(1), int(2)])),
        global("n", false, None, call("len", vec![name("a")])),
        global("m", false, None, call("max", vec![float(1.0), float(2.0)])),
    ]);
    let p = ok(&m);
    assert_eq!(p.globals[1].ty, Type::Int);
    assert_eq!(p.globals[2].ty, Type::Float);
}

#[test]
fn duplicates_and_reserved_names() {
    let f = || func("f", vec![], None, block(vec![], None));
    let m = module(vec![
        f(),
        f(),
        func("len", vec![], None, block(vec![], None)),
    ]);
    assert_eq!(codes(&m), ["E0101", "E0102"]);
}

#[test]
fn global_types_inferred_out_of_order_and_cycles() {
    // let a = b + 1; let b = 2;  — fine (runtime error at most)
    let m = module(vec![
        global("a", false, None, bin(BinOp::Add, name("b"), int(1))),
        global("b", false, None, int(2)),
    ]);
    let p = ok(&m);
    assert_eq!(p.globals[0].ty, Type::Int);
    let m = module(vec![
        global("a", false, None, name("b")),
        global("b", false, None, name("a")),
    ]);
    assert_eq!(codes(&m), ["E0111"]);
}

#[test]
fn never_panics_on_error_placeholders() {
    let m = Module {
        items: vec![
            TopLevel::Stmt(st(StmtKind::Error)),
            global(
                "x",
                false,
                Some(TypeExpr {
                    kind: TypeExprKind::Error,
                    span: sp(),
                }),
                ex(ExprKind::Error),
            ),
            TopLevel::Stmt(semi(bin(BinOp::Add, name("x"), ex(ExprKind::Error)))),
        ],
        tail: Some(ex(ExprKind::Error)),
    };
    assert_eq!(codes(&m), Vec::<&str>::new());
}

// ----- tests from source text -------------------------------------------

fn check_src(src: &str) -> Result<tir::Program, Vec<crate::Diagnostic>> {
    check_src_env(src, &Env::default())
}

fn check_src_env(src: &str, env: &Env) -> Result<tir::Program, Vec<crate::Diagnostic>> {
    let (m, errs) = crate::parse_file(Default::default(), src);
    assert!(errs.is_empty(), "syntax errors in test source: {errs:#?}");
    super::check_module(&m, env)
}

fn ok_src(src: &str) -> tir::Program {
    match check_src(src) {
        Ok(p) => p,
        Err(d) => panic!("unexpected errors in\n{src}\n{d:#?}"),
    }
}

fn codes_src(src: &str) -> Vec<&'static str> {
    match check_src(src) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn parser_is_usable() {
    ok_src("fn main() { println(\"hi\"); }");
}

#[test]
fn valid_language_tour() {
    let p = ok_src(
        r#"
        struct Point { x: float, y: float }
        struct Node { value: int, next: Node? }
        struct Handler { run: fn(int) -> int, name: str }

        let limit = 10;
        let mut counter = 0;
        let mut names: [str] = [];
        let origin = Point { x: 0.0, y: 0.0 };
        let table: map[str, int] = map();
        let later = early + 1;
        let early = 41;

        fn add(a: int, b: int) -> int { a + b }
        fn greet(name: str) { println("hi " + name); }
        fn twice(x: int) -> int { x * 2 }
        fn apply(f: fn(int) -> int, x: int) -> int { f(x) }
        fn len2(p: Point) -> float { sqrt(p.x * p.x + p.y * p.y) }
        fn find_name(n: str) -> int? {
            for i in 0..len(names) {
                if names[i] == n { return i; }
            }
            none
        }
        fn forever() -> int {
            let mut i = 0;
            while true {
                i += 1;
                if i > 10 { return i; }
            }
        }
        fn sign(x: int) -> int {
            if x > 0 { 1 } else if x < 0 { -1 } else { 0 }
        }
        fn fail(msg: str) -> int { panic("failed: " + msg) }
        fn sum_list(n: Node?) -> int {
            if let node = n { node.value + sum_list(node.next) } else { 0 }
        }
        fn worker(c: chan[int], n: int) {
            for i in 0..=n { send(c, i); }
        }

        counter += 1;
        names.push("ann");
        push(names, "bob");
        let h = Handler { run: twice, name: "double" };
        println((h.run)(21));
        println(apply(twice, 4));
        let f = add;
        println(f(1, 2));
        let opt: int? = find_name("bob");
        println(opt ?? -1);
        if opt != none { println(opt!); }
        if none == opt { println("absent"); }
        let c: chan[int] = chan();
        let t = spawn worker(c, 3);
        println(recv(c));
        join(t);
        let words = split("a b c", " ");
        println(join(words, ","));
        println(len(words) + len("abc") + len(table));
        table["a"] = 1;
        table["a"] += 1;
        println(get(table, "a") ?? 0);
        if has(table, "a") { remove(table, "a"); }
        for k in keys(table) { println(k); }
        let grid = [[0; 3]; 3];
        grid[1][2] = 5;
        let empty: [[int]] = [[], [1]];
        let mixed = [1, none, 3];
        let m2 = ["a": 1, "b": 2];
        let e2: map[int, [str]] = [:];
        println(1 as float + 2.5 + (3.9 as int) as float + (true as int) as float);
        println(abs(-3) + min(1, 2) + max(3, 4) + rand_int(0, 10));
        println(abs(-3.0) + pow(2.0, 10.0) + floor(1.5) + clock());
        println(str(origin) + str([1, 2]) + str(mixed));
        assert(later == 42, "later");
        {
            let inner = 5;
            println(inner);
        }
        "#,
    );
    assert_eq!(p.functions.len(), 11);
    let g = |n: &str| p.globals.iter().find(|g| g.name == n).unwrap().ty.clone();
    assert_eq!(g("later"), Type::Int);
    assert_eq!(g("names"), Type::array(Type::Str));
    assert_eq!(g("table"), Type::map(Type::Str, Type::Int));
    // `forever` is accepted: `while true` without `break` cannot complete.
    let forever = p.functions.iter().find(|f| f.name == "forever").unwrap();
    assert_eq!(forever.body.ty, Type::Never);
}

#[test]
fn tail_sets_main_type_and_env_is_visible() {
    let mut env = Env::default();
    env.globals.insert(
        "prev".into(),
        crate::GlobalInfo {
            ty: Type::Int,
            mutable: false,
        },
    );
    env.functions.insert(
        "old".into(),
        crate::FnType {
            params: vec![Type::Int],
            ret: Type::Str,
        },
    );
    env.hosts.insert(
        "host_add".into(),
        crate::FnType {
            params: vec![Type::Int, Type::Int],
            ret: Type::Int,
        },
    );
    let (m, errs) = crate::parse_entry(Default::default(), "host_add(prev, 1); old(prev)");
    assert!(errs.is_empty(), "{errs:?}");
    let p = super::check_module(&m, &env).unwrap();
    assert_eq!(p.main.body.ty, Type::Str);
    let deps = crate::deps::deps_of(&p.main);
    assert!(deps.calls.contains("old"));
    assert!(deps.hosts.contains("host_add"));
    assert!(deps.globals.contains("prev"));
    // A top-level `let` replaces an existing global, with the new type.
    let (m, _) = crate::parse_entry(Default::default(), "let prev = \"now a str\";");
    let p = super::check_module(&m, &env).unwrap();
    assert_eq!(p.globals[0].ty, Type::Str);
    // Host functions are not values; spawning one is fine.
    let (m, _) = crate::parse_entry(Default::default(), "let f = host_add;");
    let codes: Vec<_> = super::check_module(&m, &env)
        .unwrap_err()
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, ["E0107"]);
    let (m, _) = crate::parse_entry(Default::default(), "let t = spawn host_add(1, 2);");
    super::check_module(&m, &env).unwrap();
}

#[test]
fn optional_coercion_is_explicit_in_tir() {
    let p = ok_src("fn f(x: int?) -> int { x ?? 0 }\nlet a = f(5);");
    let tir::TExprKind::Block(b) = &p.main.body.kind else {
        panic!()
    };
    let tir::TStmt::InitGlobal { value, .. } = &b.stmts[0] else {
        panic!()
    };
    let tir::TExprKind::Call { args, .. } = &value.kind else {
        panic!()
    };
    assert!(matches!(args[0].kind, tir::TExprKind::Some(_)));
    assert_eq!(args[0].ty, Type::optional(Type::Int));
}

#[test]
fn none_comparison_puts_optional_left() {
    let p = ok_src("let o: int? = none;\nlet b = none == o;");
    let tir::TExprKind::Block(b) = &p.main.body.kind else {
        panic!()
    };
    let tir::TStmt::InitGlobal { value, .. } = &b.stmts[1] else {
        panic!()
    };
    let tir::TExprKind::Binary { lhs, rhs, .. } = &value.kind else {
        panic!()
    };
    assert!(matches!(lhs.kind, tir::TExprKind::Global(_)));
    assert!(matches!(rhs.kind, tir::TExprKind::None));
}

#[test]
fn method_sugar_and_shadowing() {
    // A local that is not a function does not hide `len` in a method call.
    ok_src("fn f(s: str) -> int { let len = 3; s.len() + len }");
    // ... but it does in a plain call.
    assert_eq!(
        codes_src("fn f(s: str) -> int { let len = 3; len(s) }"),
        ["E0207"]
    );
    // Locals shadow functions and globals.
    ok_src("fn g() -> int { 1 }\nfn f() -> str { let g = \"x\"; g }");
    // Shadowing in the same block gets a new local each time.
    let p = ok_src("fn f() -> str { let x = 1; let x = str(x); x }");
    assert_eq!(p.functions[0].locals.len(), 2);
    assert_eq!(p.functions[0].locals[1].ty, Type::Str);
}

#[test]
fn error_codes_from_source() {
    let cases: &[(&str, &[&str])] = &[
        ("let x = cout;", &["E0100"]),
        ("fn f(p: Pont) {}", &["E0103"]),
        ("fn f() -> int { if true { return 1; } }", &["E0300"]),
        ("fn f() -> int { 1; }", &["E0300"]),
        ("fn f() -> int { while false { } }", &["E0300"]),
        ("fn f() { break; }", &["E0112"]),
        ("let a = [1] == [1];", &["E0202"]),
        ("let a = 1 + 1.0;", &["E0202"]),
        ("let a = true + false;", &["E0202"]),
        ("let a = 1 as str;", &["E0204"]),
        ("let a = if true { 1 } else { \"a\" };", &["E0205"]),
        ("if 1 { }", &["E0206"]),
        ("let a = 1; a(2);", &["E0207"]),
        ("fn f(a: int) {}\nf();", &["E0208"]),
        ("let a = len(1);", &["E0209"]),
        ("let a = 1; let b = a.x;", &["E0210"]),
        ("let a = 1; let b = a[0];", &["E0211"]),
        ("let a = 1; let b = a!;", &["E0212"]),
        ("for x in 5 { }", &["E0213"]),
        ("struct P { x: int }\nlet p = P { };", &["E0214"]),
        ("struct P { x: int }\nlet p = P { x: 1, x: 2 };", &["E0215"]),
        ("let t = spawn len(\"a\");", &["E0217"]),
        (
            "let m: map[str, int?] = [:];\nlet v = get(m, \"a\");",
            &["E0218"],
        ),
        ("fn f(a: int) { a = 1; }", &["E0302"]),
        ("fn f() -> int { return; }", &["E0305"]),
        ("fn f() {}\nf = 1;", &["E0304"]),
        ("let x: int?? = none;", &["E0108"]),
        ("let m: map[float, int] = [:];", &["E0109"]),
        ("fn print() {}", &["E0102"]),
        ("let f = len;", &["E0106"]),
        ("let a = []; let b = none;", &["E0201", "E0201"]),
        ("let a: int = none;", &["E0200"]),
        ("let a: float = 1;", &["E0200"]),
        ("let a: [int] = [1, \"x\"];", &["E0200"]),
        ("let a = [1, \"x\"];", &["E0200"]),
        ("return;", &["E0113"]),
    ];
    for (src, want) in cases {
        assert_eq!(&codes_src(src), want, "for {src}");
    }
}

#[test]
fn errors_do_not_cascade() {
    // One unknown name, used many times afterwards: one error each use at
    // most, nothing about the types of what follows.
    assert_eq!(
        codes_src("let a = nope;\nlet b = a + 1;\nlet c = a.x[3]!;\nlet d: str = b;"),
        ["E0100"]
    );
    // Independent errors are all reported.
    assert_eq!(
        codes_src("let a = nope1;\nlet b = nope2;\nfn f() -> int { \"s\" }"),
        ["E0100", "E0100", "E0200"]
    );
}

#[test]
fn every_test_program_checks_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut n = 0;
    for dir in ["tests/programs", "examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().and_then(|x| x.to_str()) != Some("em") {
                continue;
            }
            let src = std::fs::read_to_string(&path).unwrap();
            let (m, errs) = crate::parse_file(Default::default(), &src);
            if !errs.is_empty() {
                continue; // the parser's business
            }
            if let Err(d) = super::check_module(&m, &Env::default()) {
                panic!("{} does not check: {d:#?}", path.display());
            }
            n += 1;
        }
    }
    let _ = n;
}
