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
        name: n.to_string(),
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
    ex(ExprKind::Name(n.to_string()))
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
        kind: TypeExprKind::Named(n.to_string()),
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
