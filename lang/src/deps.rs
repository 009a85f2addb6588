//! The dependency graph: for every function (and `<main>`), what it
//! depends on — functions called or taken as values, structs, globals and
//! host functions used — computed by walking the typed IR. Live
//! redefinition uses the reverse direction: when a function's signature, a
//! struct or a global changes, [`DepGraph`] says who must be re-checked and
//! recompiled.
//!
//! Everything is by name (as in [`crate::tir`]). Sets are `BTreeSet`s so
//! results come out in a stable, sorted order (good for messages that list
//! "each caller that would break").

use std::collections::{BTreeMap, BTreeSet};

use crate::tir::{Callee, FnDef, GlobalDef, Place, Program, StructDef, TExpr, TExprKind, TStmt};
use crate::types::Type;

/// What one function depends on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deps {
    /// User functions called by name (`Callee::Function`).
    pub calls: BTreeSet<String>,
    /// User functions used as values (`FnRef`).
    pub fn_values: BTreeSet<String>,
    /// Structs mentioned anywhere: in the signature, a local's type, any
    /// expression's type, a struct literal or a field access.
    pub structs: BTreeSet<String>,
    /// Globals read or written (or initialized, for `<main>`).
    pub globals: BTreeSet<String>,
    /// The subset of `globals` that is assigned or initialized.
    pub globals_written: BTreeSet<String>,
    /// Host functions called (`Callee::Host`).
    pub hosts: BTreeSet<String>,
}

impl Deps {
    /// Functions this one needs by name: called or used as values.
    pub fn functions(&self) -> impl Iterator<Item = &String> {
        self.calls.union(&self.fn_values)
    }
}

/// The dependencies of one function.
pub fn deps_of(f: &FnDef) -> Deps {
    let mut w = Walker::default();
    for p in &f.sig.params {
        w.ty(p);
    }
    w.ty(&f.sig.ret);
    for l in &f.locals {
        w.ty(&l.ty);
    }
    w.expr(&f.body);
    w.d
}

/// Every struct named in `t` (`[Point?]` names `Point`; `fn(A) -> B`
/// names the structs of `A` and `B`).
pub fn structs_in_type(t: &Type, out: &mut BTreeSet<String>) {
    match t {
        Type::Struct(name) => {
            if !out.contains(&**name) {
                out.insert(name.to_string());
            }
        }
        Type::Array(e) | Type::Chan(e) | Type::Optional(e) => structs_in_type(e, out),
        Type::Map(k, v) => {
            structs_in_type(k, out);
            structs_in_type(v, out);
        }
        Type::Fn(f) => {
            for p in &f.params {
                structs_in_type(p, out);
            }
            structs_in_type(&f.ret, out);
        }
        Type::Int
        | Type::Float
        | Type::Bool
        | Type::Str
        | Type::Unit
        | Type::Task
        | Type::Never => {}
    }
}

/// The structs named by a struct's field types.
pub fn structs_of_struct(s: &StructDef) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, t) in &s.fields {
        structs_in_type(t, &mut out);
    }
    out
}

#[derive(Default)]
struct Walker {
    d: Deps,
}

impl Walker {
    fn ty(&mut self, t: &Type) {
        structs_in_type(t, &mut self.d.structs);
    }

    fn global(&mut self, name: &str, written: bool) {
        if !self.d.globals.contains(name) {
            self.d.globals.insert(name.to_string());
        }
        if written && !self.d.globals_written.contains(name) {
            self.d.globals_written.insert(name.to_string());
        }
    }

    fn callee(&mut self, c: &Callee) {
        match c {
            Callee::Function(n) => {
                self.d.calls.insert(n.clone());
            }
            Callee::Host(n) => {
                self.d.hosts.insert(n.clone());
            }
            Callee::Builtin(_) => {}
            Callee::Value(e) => self.expr(e),
        }
    }

    fn struct_name(&mut self, n: &str) {
        if !self.d.structs.contains(n) {
            self.d.structs.insert(n.to_string());
        }
    }

    fn stmt(&mut self, s: &TStmt) {
        match s {
            TStmt::Let { init, .. } => self.expr(init),
            TStmt::Assign { place, value, .. } => {
                match place {
                    Place::Local(_) => {}
                    Place::Global(n) => self.global(n, true),
                    Place::Index { base, index } => {
                        self.expr(base);
                        self.expr(index);
                    }
                    Place::Field {
                        base, struct_name, ..
                    } => {
                        self.struct_name(struct_name);
                        self.expr(base);
                    }
                }
                self.expr(value);
            }
            TStmt::Expr(e) => self.expr(e),
            TStmt::InitGlobal { name, value, .. } => {
                self.global(name, true);
                self.expr(value);
            }
        }
    }

    fn expr(&mut self, e: &TExpr) {
        self.ty(&e.ty);
        match &e.kind {
            TExprKind::Int(_)
            | TExprKind::Float(_)
            | TExprKind::Bool(_)
            | TExprKind::Str(_)
            | TExprKind::Unit
            | TExprKind::None
            | TExprKind::Local(_)
            | TExprKind::Break
            | TExprKind::Continue => {}
            TExprKind::Some(x) | TExprKind::Unwrap(x) => self.expr(x),
            TExprKind::Global(n) => self.global(n, false),
            TExprKind::FnRef(n) => {
                self.d.fn_values.insert(n.clone());
            }
            TExprKind::Array(xs) => xs.iter().for_each(|x| self.expr(x)),
            TExprKind::ArrayRepeat { value, count } => {
                self.expr(value);
                self.expr(count);
            }
            TExprKind::MapLit(kvs) => {
                for (k, v) in kvs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            TExprKind::StructLit { name, fields } => {
                self.struct_name(name);
                fields.iter().for_each(|(_, x)| self.expr(x));
            }
            TExprKind::Unary { operand, .. } => self.expr(operand),
            TExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            TExprKind::Coalesce { opt, default } => {
                self.expr(opt);
                self.expr(default);
            }
            TExprKind::Cast { expr, .. } => self.expr(expr),
            TExprKind::Call { callee, args } | TExprKind::Spawn { callee, args } => {
                self.callee(callee);
                args.iter().for_each(|x| self.expr(x));
            }
            TExprKind::Field {
                expr, struct_name, ..
            } => {
                self.struct_name(struct_name);
                self.expr(expr);
            }
            TExprKind::Index { expr, index } => {
                self.expr(expr);
                self.expr(index);
            }
            TExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.expr(then);
                if let Some(x) = else_ {
                    self.expr(x);
                }
            }
            TExprKind::IfLet {
                value, then, else_, ..
            } => {
                self.expr(value);
                self.expr(then);
                if let Some(x) = else_ {
                    self.expr(x);
                }
            }
            TExprKind::While { cond, body } => {
                self.expr(cond);
                self.expr(body);
            }
            TExprKind::ForRange { lo, hi, body, .. } => {
                self.expr(lo);
                self.expr(hi);
                self.expr(body);
            }
            TExprKind::ForArray { array, body, .. } => {
                self.expr(array);
                self.expr(body);
            }
            TExprKind::Block(b) => {
                b.stmts.iter().for_each(|s| self.stmt(s));
                if let Some(t) = &b.tail {
                    self.expr(t);
                }
            }
            TExprKind::Return(x) => {
                if let Some(x) = x {
                    self.expr(x);
                }
            }
        }
    }
}

type Index = BTreeMap<String, BTreeSet<String>>;

fn index_add(ix: &mut Index, keys: &BTreeSet<String>, user: &str) {
    for k in keys {
        ix.entry(k.clone()).or_default().insert(user.to_string());
    }
}

fn index_remove(ix: &mut Index, keys: &BTreeSet<String>, user: &str) {
    for k in keys {
        if let Some(set) = ix.get_mut(k) {
            set.remove(user);
            if set.is_empty() {
                ix.remove(k);
            }
        }
    }
}

fn lookup(ix: &Index, key: &str) -> BTreeSet<String> {
    ix.get(key).cloned().unwrap_or_default()
}

/// The dependency graph of a whole (live) program, with reverse indexes.
///
/// Functions are keyed by name; `<main>` of the last module added is one
/// of them. Inserting a function (or struct, global) replaces the previous
/// entry of that name, so the graph can follow redefinitions.
#[derive(Clone, Debug, Default)]
pub struct DepGraph {
    fns: BTreeMap<String, Deps>,
    /// struct → the structs its fields mention.
    struct_fields: BTreeMap<String, BTreeSet<String>>,
    /// global → the structs its type mentions.
    global_types: BTreeMap<String, BTreeSet<String>>,
    /// Reverse: function → functions calling it.
    callers: Index,
    /// Reverse: function → functions using it as a value.
    value_users: Index,
    /// Reverse: struct → functions using it.
    struct_users: Index,
    /// Reverse: struct → structs whose fields mention it.
    struct_struct_users: Index,
    /// Reverse: struct → globals whose type mentions it.
    struct_global_users: Index,
    /// Reverse: global → functions reading or writing it.
    global_users: Index,
    /// Reverse: host function → functions calling it.
    host_users: Index,
}

impl DepGraph {
    pub fn new() -> DepGraph {
        DepGraph::default()
    }

    /// The graph of one checked program (its functions, `<main>`, structs
    /// and globals).
    pub fn from_program(p: &Program) -> DepGraph {
        let mut g = DepGraph::new();
        g.add_program(p);
        g
    }

    /// Add (or replace) everything a program defines.
    pub fn add_program(&mut self, p: &Program) {
        for s in &p.structs {
            self.insert_struct(s);
        }
        for gl in &p.globals {
            self.insert_global(gl);
        }
        for f in &p.functions {
            self.insert_function(f);
        }
        self.insert_function(&p.main);
    }

    /// Add or replace a function's entry.
    pub fn insert_function(&mut self, f: &FnDef) {
        self.insert_deps(&f.name, deps_of(f));
    }

    /// Add or replace a function's entry from precomputed dependencies.
    pub fn insert_deps(&mut self, name: &str, deps: Deps) {
        self.remove_function(name);
        index_add(&mut self.callers, &deps.calls, name);
        index_add(&mut self.value_users, &deps.fn_values, name);
        index_add(&mut self.struct_users, &deps.structs, name);
        index_add(&mut self.global_users, &deps.globals, name);
        index_add(&mut self.host_users, &deps.hosts, name);
        self.fns.insert(name.to_string(), deps);
    }

    /// Forget a function's own dependencies (others' references to it stay:
    /// they are what [`DepGraph::dependents_of_function`] reports).
    pub fn remove_function(&mut self, name: &str) -> Option<Deps> {
        let old = self.fns.remove(name)?;
        index_remove(&mut self.callers, &old.calls, name);
        index_remove(&mut self.value_users, &old.fn_values, name);
        index_remove(&mut self.struct_users, &old.structs, name);
        index_remove(&mut self.global_users, &old.globals, name);
        index_remove(&mut self.host_users, &old.hosts, name);
        Some(old)
    }

    pub fn insert_struct(&mut self, s: &StructDef) {
        self.remove_struct(&s.name);
        let uses = structs_of_struct(s);
        index_add(&mut self.struct_struct_users, &uses, &s.name);
        self.struct_fields.insert(s.name.clone(), uses);
    }

    pub fn remove_struct(&mut self, name: &str) {
        if let Some(old) = self.struct_fields.remove(name) {
            index_remove(&mut self.struct_struct_users, &old, name);
        }
    }

    pub fn insert_global(&mut self, g: &GlobalDef) {
        self.remove_global(&g.name);
        let mut uses = BTreeSet::new();
        structs_in_type(&g.ty, &mut uses);
        index_add(&mut self.struct_global_users, &uses, &g.name);
        self.global_types.insert(g.name.clone(), uses);
    }

    pub fn remove_global(&mut self, name: &str) {
        if let Some(old) = self.global_types.remove(name) {
            index_remove(&mut self.struct_global_users, &old, name);
        }
    }

    /// A function's dependencies, if it is in the graph.
    pub fn deps(&self, function: &str) -> Option<&Deps> {
        self.fns.get(function)
    }

    /// The functions in the graph, sorted by name.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.fns.keys().map(String::as_str)
    }

    /// Functions that call `name` or use it as a value: what must be
    /// re-checked when `name`'s signature changes.
    pub fn dependents_of_function(&self, name: &str) -> BTreeSet<String> {
        let mut out = lookup(&self.callers, name);
        out.extend(lookup(&self.value_users, name));
        out
    }

    /// Functions that call `name` directly.
    pub fn callers_of(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.callers, name)
    }

    /// Functions that use `name` as a value.
    pub fn value_users_of(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.value_users, name)
    }

    /// Functions that mention struct `name` anywhere.
    pub fn users_of_struct(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.struct_users, name)
    }

    /// Structs whose fields mention struct `name`.
    pub fn structs_using_struct(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.struct_struct_users, name)
    }

    /// Globals whose type mentions struct `name`.
    pub fn globals_using_struct(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.struct_global_users, name)
    }

    /// Functions that read or write global `name`.
    pub fn users_of_global(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.global_users, name)
    }

    /// Functions that call host function `name`.
    pub fn users_of_host(&self, name: &str) -> BTreeSet<String> {
        lookup(&self.host_users, name)
    }

    /// Every function that depends on any of `names`, directly or through
    /// other functions (calls and function values), excluding `names`
    /// themselves unless they depend on each other.
    pub fn transitive_dependents<'s>(
        &self,
        names: impl IntoIterator<Item = &'s str>,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut work: Vec<String> = names.into_iter().map(str::to_string).collect();
        while let Some(n) = work.pop() {
            for d in self.dependents_of_function(&n) {
                if out.insert(d.clone()) {
                    work.push(d);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use crate::tir::{Builtin, Local, LocalId, TBlock};
    use crate::types::FnType;

    fn e(kind: TExprKind, ty: Type) -> TExpr {
        TExpr {
            kind,
            ty,
            span: Span::default(),
        }
    }

    fn block(stmts: Vec<TStmt>, tail: Option<TExpr>) -> TExpr {
        e(
            TExprKind::Block(TBlock {
                stmts,
                tail: tail.map(Box::new),
            }),
            Type::Unit,
        )
    }

    fn f(name: &str, params: Vec<Type>, ret: Type, locals: Vec<Type>, body: TExpr) -> FnDef {
        FnDef {
            name: name.to_string(),
            sig: FnType { params, ret },
            locals: locals
                .into_iter()
                .map(|ty| Local {
                    name: "x".into(),
                    ty,
                    mutable: false,
                    span: Span::default(),
                })
                .collect(),
            body,
            span: Span::default(),
            name_span: Span::default(),
        }
    }

    fn call(callee: Callee, args: Vec<TExpr>) -> TExpr {
        e(TExprKind::Call { callee, args }, Type::Unit)
    }

    #[test]
    fn deps_of_collects_everything() {
        let point = Type::strukt("Point");
        let body = block(
            vec![
                TStmt::Expr(call(Callee::Function("g".into()), vec![])),
                TStmt::Expr(call(Callee::Host("host_log".into()), vec![])),
                TStmt::Expr(call(
                    Callee::Builtin(Builtin::Println),
                    vec![e(TExprKind::Global("counter".into()), Type::Int)],
                )),
                TStmt::Let {
                    local: LocalId(1),
                    init: e(
                        TExprKind::FnRef("h".into()),
                        Type::function(vec![], Type::Unit),
                    ),
                },
                TStmt::Assign {
                    place: Place::Global("total".into()),
                    op: None,
                    value: e(
                        TExprKind::Field {
                            expr: Box::new(e(TExprKind::Local(LocalId(0)), point.clone())),
                            struct_name: "Point".into(),
                            field: "x".into(),
                        },
                        Type::Int,
                    ),
                    span: Span::default(),
                },
            ],
            None,
        );
        let d = deps_of(&f(
            "f",
            vec![Type::array(Type::optional(point.clone()))],
            Type::Unit,
            vec![Type::array(Type::optional(point)), Type::strukt("Other")],
            body,
        ));
        let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(d.calls, set(&["g"]));
        assert_eq!(d.fn_values, set(&["h"]));
        assert_eq!(d.hosts, set(&["host_log"]));
        assert_eq!(d.structs, set(&["Other", "Point"]));
        assert_eq!(d.globals, set(&["counter", "total"]));
        assert_eq!(d.globals_written, set(&["total"]));
    }

    #[test]
    fn graph_reverse_queries_follow_redefinition() {
        let calls = |targets: &[&str]| {
            block(
                targets
                    .iter()
                    .map(|t| TStmt::Expr(call(Callee::Function(t.to_string()), vec![])))
                    .collect(),
                None,
            )
        };
        let mut g = DepGraph::new();
        g.insert_function(&f("a", vec![], Type::Unit, vec![], calls(&["b"])));
        g.insert_function(&f("b", vec![], Type::Unit, vec![], calls(&["c"])));
        g.insert_function(&f("c", vec![], Type::Unit, vec![], calls(&[])));
        g.insert_function(&f("d", vec![], Type::Unit, vec![], calls(&["c"])));
        assert_eq!(
            g.dependents_of_function("c")
                .into_iter()
                .collect::<Vec<_>>(),
            ["b", "d"]
        );
        assert_eq!(
            g.transitive_dependents(["c"])
                .into_iter()
                .collect::<Vec<_>>(),
            ["a", "b", "d"]
        );
        // Redefine d so it no longer calls c.
        g.insert_function(&f("d", vec![], Type::Unit, vec![], calls(&[])));
        assert_eq!(
            g.dependents_of_function("c")
                .into_iter()
                .collect::<Vec<_>>(),
            ["b"]
        );
        g.remove_function("b");
        assert!(g.dependents_of_function("c").is_empty());
        assert_eq!(
            g.dependents_of_function("b")
                .into_iter()
                .collect::<Vec<_>>(),
            ["a"]
        );
    }

    #[test]
    fn structs_and_globals() {
        let mut g = DepGraph::new();
        g.insert_struct(&StructDef {
            name: "Line".into(),
            fields: vec![
                ("a".into(), Type::strukt("Point")),
                ("b".into(), Type::strukt("Point")),
            ],
            span: Span::default(),
        });
        g.insert_global(&GlobalDef {
            name: "origin".into(),
            ty: Type::optional(Type::strukt("Point")),
            mutable: false,
            span: Span::default(),
        });
        g.insert_function(&f(
            "len2",
            vec![Type::strukt("Point")],
            Type::Float,
            vec![],
            block(vec![], None),
        ));
        g.insert_function(&f(
            "get_origin",
            vec![],
            Type::Unit,
            vec![],
            block(
                vec![TStmt::Expr(e(
                    TExprKind::Global("origin".into()),
                    Type::optional(Type::strukt("Point")),
                ))],
                None,
            ),
        ));
        let v = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>();
        assert_eq!(v(g.structs_using_struct("Point")), ["Line"]);
        assert_eq!(v(g.globals_using_struct("Point")), ["origin"]);
        assert_eq!(v(g.users_of_struct("Point")), ["get_origin", "len2"]);
        assert_eq!(v(g.users_of_global("origin")), ["get_origin"]);
    }
}
