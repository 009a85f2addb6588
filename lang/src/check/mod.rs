//! Name resolution and type checking: [`ast::Module`] → [`tir::Program`].
//!
//! The checker works in three passes over one module:
//!
//! 1. **Collect** every item first — struct names, then struct fields,
//!    then function signatures and globals in source order — so items may
//!    appear in any order and refer to each other freely.
//! 2. **`<main>`**: global initializers and top-level statements, in source
//!    order. An unannotated global's type is its initializer's type; when an
//!    earlier initializer reads a later unannotated global, that global's
//!    initializer is checked on demand (a cycle is an error).
//! 3. **Function bodies**, in source order.
//!
//! Diagnostics are collected, never fatal: an erroneous expression gets the
//! type [`Type::Never`], which fits every expected type silently, so one
//! mistake gives one error rather than a cascade. (A program with errors is
//! never returned, so this use of `Never` never reaches the JIT.) Results are
//! sorted by position.
//!
//! # Decisions where LANGUAGE.md is silent
//!
//! - **Standard functions are not first-class values.** They are overloaded
//!   (`len`, `join`, `min`, ...) or generic (`push`, `get`, ...), so there is
//!   no single `fn(..)` type to give them. Using one as a value is `E0106`,
//!   with a hint to wrap it in a function. Host functions cannot be used as
//!   values either (`E0107`): `tir::TExprKind::FnRef` names user functions.
//! - **`spawn` of a standard function is rejected** (`E0217`); spawn a user
//!   function, a host function or a function value.
//! - **Nested optionals (`int??`) are rejected** (`E0108`) in written types,
//!   and `get` on a map whose values are optional (which would give one) is
//!   `E0218`. `T?` of any other `T` is fine (`[int?]?`, `(fn() -> int)?`).
//! - **Duplicate globals** in one module are an error like any duplicate
//!   item; a module's items shadow the [`Env`]'s (redefinition).
//! - **`==`/`!=`** compare `int float bool str`, and an optional with the
//!   literal `none` (either side). In the typed IR the optional is always the
//!   left operand and [`tir::TExprKind::None`] the right one.
//! - **`??`**: `opt ?? d` needs `opt: T?` and `d: T`; the result is `T`.
//! - **`if` without `else`** has type `()`; its block's value, if any, is
//!   discarded (so is a `while`/`for` body's).
//! - **`while true { .. }`** with no `break` of its own cannot complete: its
//!   type is `Never`, so `fn f() -> int { while true { return 1; } }` is
//!   accepted (Ember has no `loop`). Code after an expression of type
//!   `Never` is unreachable.
//! - **A block that cannot complete** is one with a statement of type
//!   `Never` (`return`, `break`, `continue`, a call of `panic`, a diverging
//!   `if`); it has type `Never`.
//! - **Method calls** `x.f(a)` resolve `f` like a call `f(x, a)`, except that
//!   a local or global that is not a function does not hide a function or
//!   standard function of that name.
//! - **`return` at top level** is an error (`E0113`).
//! - **Array literals** infer their element type from their elements; if
//!   one element is `none` or has type `T?` while another is a `T`, the
//!   element type is `T?` (`[1, none]` is `[int?]`). The same holds for the
//!   keys and values of map literals and the branches of `if`.
//!
//! # Error codes
//!
//! | code  | meaning |
//! |-------|---------|
//! | E0100 | unknown name (variable, function, method) |
//! | E0101 | duplicate definition (item, parameter, struct field) |
//! | E0102 | an item reuses a standard function's name |
//! | E0103 | unknown type |
//! | E0104 | unknown field (field access or struct literal) |
//! | E0105 | unknown struct in a struct literal |
//! | E0106 | a standard function used as a value |
//! | E0107 | a host function used as a value |
//! | E0108 | nested optional type (`T??`) |
//! | E0109 | map key type not allowed (only `int`, `str`, `bool`) |
//! | E0110 | a struct used as a value |
//! | E0111 | a global's type depends on itself |
//! | E0112 | `break` / `continue` outside of a loop |
//! | E0113 | `return` outside of a function |
//! | E0114 | a standard function not available in this engine (see `builtins.rs`) |
//! | E0199 | too many errors: reporting stopped after [`MAX_TYPE_ERRORS`] |
//! | E0200 | mismatched types |
//! | E0201 | cannot infer a type (`[]`, `none`, `[:]`, `map()`, `chan()`) |
//! | E0202 | operator not defined for these operand types |
//! | E0203 | unary operator not defined for this type |
//! | E0204 | invalid cast |
//! | E0205 | `if` and `else` have incompatible types |
//! | E0206 | condition is not `bool` |
//! | E0207 | call of something that is not a function |
//! | E0208 | wrong number of arguments |
//! | E0209 | wrong argument type for a standard function |
//! | E0210 | field access on a value that is not a struct |
//! | E0211 | indexing a value that is not an array or a map |
//! | E0212 | `!`, `??` or `if let` on a value that is not optional |
//! | E0213 | `for` over a value that is not an array |
//! | E0214 | struct literal misses fields |
//! | E0215 | struct literal names a field twice |
//! | E0216 | `spawn` of something that cannot be spawned |
//! | E0217 | `spawn` of a standard function |
//! | E0218 | `get` on a map whose values are optional |
//! | E0219 | a global's initializer never completes |
//! | E0300 | a function may end without returning a value |
//! | E0301 | assignment to an immutable local |
//! | E0302 | assignment to a parameter |
//! | E0303 | assignment to an immutable global |
//! | E0304 | invalid assignment target |
//! | E0305 | `return;` without a value in a function that returns one |

use std::sync::Arc;

use crate::ast::{self, TopLevel, TypeExprKind};
use crate::diag::Diagnostic;
use crate::env::Env;
use crate::span::Span;
use crate::tir::{FnDef, GlobalDef, Program, StructDef, TBlock, TExpr, TExprKind, TStmt};
use crate::types::{FnType, Type};

mod builtins;
// The standard functions' names and signatures, for tools (the REPL's
// completion and hints).
pub use builtins::{signatures as standard_signatures, NAMES as STANDARD_FUNCTIONS};
mod expr;
pub(crate) mod names;
mod returns;
mod scope;
mod stmt;
#[cfg(test)]
mod tests;

use names::FxMap;

/// At most this many type errors are reported per module.
pub(crate) const MAX_TYPE_ERRORS: usize = 100;
use scope::{FnCtx, LocalKind};

/// Check a module against `env`; see the module docs.
pub fn check_module(module: &ast::Module, env: &Env) -> Result<Program, Vec<Diagnostic>> {
    let mut c = Checker::new(env);
    c.collect(module);
    let main = c.check_main(module);
    let functions = c.check_functions();
    if !c.diags.is_empty() {
        let mut diags = c.diags;
        diags.sort_by_key(|d| (d.primary.file, d.primary.lo));
        return Err(diags);
    }
    let globals = c
        .globals
        .iter()
        .map(|g| GlobalDef {
            name: g.decl.name.name.to_string(),
            ty: match &g.state {
                GlobalState::Known(t) => t.clone(),
                _ => Type::Never,
            },
            mutable: g.decl.mutable,
            span: g.decl.span,
        })
        .collect();
    Ok(Program {
        structs: c.structs,
        functions,
        globals,
        main,
    })
}

/// A module-level name in the value namespace.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item {
    Fn(usize),
    Global(usize),
}

struct FnInfo<'a> {
    decl: &'a ast::FnDecl,
    sig: Arc<FnType>,
}

enum GlobalState {
    /// Unannotated, initializer not yet checked.
    Pending,
    /// Unannotated, initializer being checked (a reference now is a cycle).
    InProgress,
    Known(Type),
}

struct GlobalSlot<'a> {
    decl: &'a ast::GlobalDecl,
    state: GlobalState,
    /// An initializer checked ahead of its turn (see [`Checker::global_type`]).
    init: Option<TExpr>,
}

pub(crate) struct Checker<'a> {
    env: &'a Env,
    diags: Vec<Diagnostic>,
    /// Module structs with resolved fields, in source order.
    structs: Vec<StructDef>,
    struct_decls: Vec<&'a ast::StructDecl>,
    struct_index: FxMap<&'a str, usize>,
    /// `Type::Struct` values by name, so a struct type is built once.
    struct_types: FxMap<&'a str, Type>,
    fns: Vec<FnInfo<'a>>,
    globals: Vec<GlobalSlot<'a>>,
    values: FxMap<&'a str, Item>,
    /// The function being checked (`<main>` during pass 2).
    cx: FnCtx<'a>,
    /// Parser-recovery placeholders and uses of erroneous bindings seen so
    /// far: their errors are already reported, so checks that would report
    /// "no value here" stay quiet.
    placeholders: usize,
}

pub(crate) fn mk(kind: TExprKind, ty: Type, span: Span) -> TExpr {
    TExpr { kind, ty, span }
}

/// The placeholder for an erroneous expression (already reported).
pub(crate) fn error_expr(span: Span) -> TExpr {
    mk(TExprKind::Unit, Type::Never, span)
}

impl<'a> Checker<'a> {
    fn new(env: &'a Env) -> Checker<'a> {
        Checker {
            env,
            diags: Vec::new(),
            structs: Vec::new(),
            struct_decls: Vec::new(),
            struct_index: FxMap::default(),
            struct_types: FxMap::default(),
            fns: Vec::new(),
            globals: Vec::new(),
            values: FxMap::default(),
            cx: FnCtx::new(None),
            placeholders: 0,
        }
    }

    /// Record a type error, up to [`MAX_TYPE_ERRORS`]; past that one
    /// closing diagnostic says reporting stopped (a pathological file must
    /// not produce unbounded output).
    pub(crate) fn error(&mut self, d: Diagnostic) {
        let n = self.diags.len();
        if n < MAX_TYPE_ERRORS {
            self.diags.push(d);
        } else if n == MAX_TYPE_ERRORS {
            self.diags.push(
                Diagnostic::error("E0199", "too many errors; stopped reporting", d.primary)
                    .with_note(format!("only the first {MAX_TYPE_ERRORS} are shown")),
            );
        }
    }

    // ----- pass 1: collect items -------------------------------------------

    fn collect(&mut self, module: &'a ast::Module) {
        // Struct names first, so every type expression below can see them.
        for item in &module.items {
            if let TopLevel::Struct(s) = item {
                let name = &*s.name.name;
                self.check_not_builtin(&s.name, "struct");
                if let Some(&first) = self.struct_index.get(name) {
                    let first_span = self.struct_decls[first].name.span;
                    self.duplicate(&s.name, first_span, "struct");
                    continue;
                }
                self.struct_index.insert(name, self.struct_decls.len());
                self.struct_decls.push(s);
                self.struct_types.insert(name, Type::strukt(name));
            }
        }
        for i in 0..self.struct_decls.len() {
            let decl = self.struct_decls[i];
            let mut fields: Vec<(String, Type)> = Vec::with_capacity(decl.fields.len());
            let mut seen: FxMap<&str, Span> = FxMap::default();
            for f in &decl.fields {
                let ty = self.resolve_type(&f.ty);
                if let Some(&first) = seen.get(&*f.name.name) {
                    self.duplicate(&f.name, first, "field");
                    continue;
                }
                seen.insert(&f.name.name, f.name.span);
                fields.push((f.name.name.to_string(), ty));
            }
            self.structs.push(StructDef {
                name: decl.name.name.to_string(),
                fields,
                span: decl.span,
            });
        }
        // Functions and globals share the value namespace.
        for item in &module.items {
            match item {
                TopLevel::Fn(f) => {
                    let mut params = Vec::with_capacity(f.params.len());
                    let mut seen: FxMap<&str, Span> = FxMap::default();
                    for p in &f.params {
                        params.push(self.resolve_type(&p.ty));
                        if let Some(&first) = seen.get(&*p.name.name) {
                            self.duplicate(&p.name, first, "parameter");
                        } else {
                            seen.insert(&p.name.name, p.name.span);
                        }
                    }
                    let ret = match &f.ret {
                        Some(t) => self.resolve_type(t),
                        None => Type::Unit,
                    };
                    let index = self.fns.len();
                    self.fns.push(FnInfo {
                        decl: f,
                        sig: Arc::new(FnType { params, ret }),
                    });
                    self.declare_value(&f.name, Item::Fn(index), "function");
                }
                TopLevel::Global(g) => {
                    let state = match &g.ty {
                        Some(t) => GlobalState::Known(self.resolve_type(t)),
                        None => GlobalState::Pending,
                    };
                    let index = self.globals.len();
                    self.globals.push(GlobalSlot {
                        decl: g,
                        state,
                        init: None,
                    });
                    self.declare_value(&g.name, Item::Global(index), "global");
                }
                TopLevel::Struct(_) | TopLevel::Stmt(_) => {}
            }
        }
    }

    fn declare_value(&mut self, name: &'a ast::Ident, item: Item, kind: &str) {
        if self.check_not_builtin(name, kind) {
            return;
        }
        if let Some(&first) = self.values.get(&*name.name) {
            let first_span = self.item_name_span(first);
            self.duplicate(name, first_span, kind);
            return;
        }
        self.values.insert(&name.name, item);
    }

    fn item_name_span(&self, item: Item) -> Span {
        match item {
            Item::Fn(i) => self.fns[i].decl.name.span,
            Item::Global(i) => self.globals[i].decl.name.span,
        }
    }

    /// Report an item named like a standard function; true if it is.
    fn check_not_builtin(&mut self, name: &ast::Ident, kind: &str) -> bool {
        if !builtins::is_builtin(&name.name) {
            return false;
        }
        self.error(
            Diagnostic::error(
                "E0102",
                format!(
                    "the name `{}` is reserved for a standard function",
                    name.name
                ),
                name.span,
            )
            .with_label(format!("this {kind} cannot be named `{}`", name.name))
            .with_note("user items may not reuse a standard function's name")
            .with_help(format!("rename it, e.g. `my_{}`", name.name)),
        );
        true
    }

    fn duplicate(&mut self, name: &ast::Ident, first: Span, kind: &str) {
        self.error(
            Diagnostic::error(
                "E0101",
                format!("the {kind} `{}` is defined more than once", name.name),
                name.span,
            )
            .with_label(format!("`{}` redefined here", name.name))
            .with_secondary(first, format!("`{}` first defined here", name.name)),
        );
    }

    // ----- types ------------------------------------------------------------

    /// The semantic type of a type expression. Errors give `Never` for the
    /// whole type (so it fits everything silently later).
    pub(crate) fn resolve_type(&mut self, t: &'a ast::TypeExpr) -> Type {
        match &t.kind {
            TypeExprKind::Named(n) => match &**n {
                "int" => Type::Int,
                "float" => Type::Float,
                "bool" => Type::Bool,
                "str" => Type::Str,
                "task" => Type::Task,
                name => match self.struct_type(name) {
                    Some(ty) => ty,
                    None => {
                        self.unknown_type(name, t.span);
                        Type::Never
                    }
                },
            },
            TypeExprKind::Unit => Type::Unit,
            TypeExprKind::Array(e) => match self.resolve_type(e) {
                Type::Never => Type::Never,
                e => Type::array(e),
            },
            TypeExprKind::Chan(e) => match self.resolve_type(e) {
                Type::Never => Type::Never,
                e => Type::chan(e),
            },
            TypeExprKind::Map(k, v) => {
                let kt = self.resolve_type(k);
                let vt = self.resolve_type(v);
                if kt != Type::Never && !kt.is_map_key() {
                    self.error(
                        Diagnostic::error(
                            "E0109",
                            format!("`{kt}` cannot be a map key type"),
                            k.span,
                        )
                        .with_label("not allowed as a key")
                        .with_note("map keys are `int`, `str` or `bool`"),
                    );
                    return Type::Never;
                }
                if kt == Type::Never || vt == Type::Never {
                    return Type::Never;
                }
                Type::map(kt, vt)
            }
            TypeExprKind::Optional(e) => match self.resolve_type(e) {
                Type::Never => Type::Never,
                inner @ Type::Optional(_) => {
                    self.error(
                        Diagnostic::error(
                            "E0108",
                            format!("nested optional type `{inner}?`"),
                            t.span,
                        )
                        .with_label("an optional of an optional")
                        .with_note("Ember does not support nested optionals")
                        .with_help(format!("use `{inner}`")),
                    );
                    Type::Never
                }
                inner => Type::optional(inner),
            },
            TypeExprKind::Fn(params, ret) => {
                let mut ps = Vec::with_capacity(params.len());
                let mut bad = false;
                for p in params {
                    let ty = self.resolve_type(p);
                    bad |= ty == Type::Never;
                    ps.push(ty);
                }
                let r = match ret {
                    Some(r) => self.resolve_type(r),
                    None => Type::Unit,
                };
                if bad || r == Type::Never {
                    return Type::Never;
                }
                Type::function(ps, r)
            }
            TypeExprKind::Error => {
                self.placeholders += 1;
                Type::Never
            }
        }
    }

    /// The type of the struct `name` (module first, then the environment).
    pub(crate) fn struct_type(&mut self, name: &str) -> Option<Type> {
        if let Some(t) = self.struct_types.get(name) {
            return Some(t.clone());
        }
        let (key, _) = self.env.structs.get_key_value(name)?;
        let ty = Type::strukt(key);
        self.struct_types.insert(key.as_str(), ty.clone());
        Some(ty)
    }

    /// The fields of struct `name` (module first, then the environment).
    pub(crate) fn struct_fields(&self, name: &str) -> Option<&[(String, Type)]> {
        if let Some(&i) = self.struct_index.get(name) {
            return self.structs.get(i).map(|s| s.fields.as_slice());
        }
        self.env.structs.get(name).map(|s| s.fields.as_slice())
    }

    fn unknown_type(&mut self, name: &str, span: Span) {
        let alias = match name {
            "string" | "String" | "Str" => Some("str"),
            "i64" | "i32" | "integer" | "Int" | "isize" => Some("int"),
            "f64" | "f32" | "double" | "Float" | "number" => Some("float"),
            "boolean" | "Bool" => Some("bool"),
            _ => None,
        };
        let mut d = Diagnostic::error("E0103", format!("cannot find type `{name}`"), span)
            .with_label("unknown type");
        if let Some(a) = alias {
            d = d.with_help(format!("Ember calls this type `{a}`"));
        } else if matches!(name, "Map" | "HashMap" | "dict" | "Dict") {
            d = d.with_help("map types are written `map[K, V]`");
        } else if matches!(name, "Vec" | "list" | "List" | "array" | "Array") {
            d = d.with_help("array types are written `[T]`");
        } else {
            let prims = ["int", "float", "bool", "str", "task"];
            let candidates = prims
                .iter()
                .copied()
                .chain(self.struct_index.keys().copied())
                .chain(self.env.structs.keys().map(String::as_str));
            if let Some(s) = names::suggest(name, candidates) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
        }
        self.error(d);
    }

    // ----- pass 2: <main> ---------------------------------------------------

    fn check_main(&mut self, module: &'a ast::Module) -> FnDef {
        self.cx.reset(None);
        let mut stmts = Vec::new();
        let mut diverges = false;
        let mut global_index = 0;
        for item in &module.items {
            match item {
                TopLevel::Global(g) => {
                    let i = global_index;
                    global_index += 1;
                    let value = match self.globals[i].init.take() {
                        Some(v) => v,
                        None => self.check_global_init(i),
                    };
                    diverges |= value.ty == Type::Never;
                    stmts.push(TStmt::InitGlobal {
                        name: g.name.name.to_string(),
                        value,
                        span: g.span,
                    });
                }
                TopLevel::Stmt(s) => {
                    if let Some(t) = self.stmt(s) {
                        diverges |= stmt_diverges(&t);
                        stmts.push(t);
                    }
                }
                TopLevel::Fn(_) | TopLevel::Struct(_) => {}
            }
        }
        let tail = module.tail.as_ref().map(|t| Box::new(self.expr(t, None)));
        let ty = if diverges {
            Type::Never
        } else {
            tail.as_ref().map_or(Type::Unit, |t| t.ty.clone())
        };
        let span = module_span(module);
        let ret = if ty == Type::Never {
            Type::Unit
        } else {
            ty.clone()
        };
        let locals = self.cx.reset(None);
        FnDef {
            name: "<main>".to_string(),
            sig: FnType {
                params: Vec::new(),
                ret,
            },
            locals,
            body: mk(TExprKind::Block(TBlock { stmts, tail }), ty, span),
            span,
            name_span: Span::new(span.file, span.lo as usize, span.lo as usize),
        }
    }

    /// Check global `i`'s initializer (in `<main>`'s context), fixing the
    /// global's type if it had no annotation.
    fn check_global_init(&mut self, i: usize) -> TExpr {
        let decl = self.globals[i].decl;
        let annotated = match &self.globals[i].state {
            GlobalState::Known(t) if decl.ty.is_some() => Some(t.clone()),
            _ => None,
        };
        match annotated {
            Some(ty) => self.expr_coerce(&decl.init, &ty),
            None => {
                self.globals[i].state = GlobalState::InProgress;
                let before = (self.diags.len(), self.placeholders);
                let value = self.expr(&decl.init, None);
                if value.ty == Type::Never && (self.diags.len(), self.placeholders) == before {
                    self.error(
                        Diagnostic::error(
                            "E0219",
                            format!(
                                "the initializer of global `{}` never completes",
                                decl.name.name
                            ),
                            decl.init.span,
                        )
                        .with_label("this never produces a value")
                        .with_help("add a type annotation if this is intended"),
                    );
                }
                self.globals[i].state = GlobalState::Known(value.ty.clone());
                value
            }
        }
    }

    /// The type of module global `i`, checking its initializer ahead of its
    /// turn if it is unannotated and not yet checked.
    pub(crate) fn global_type(&mut self, i: usize, use_span: Span) -> Type {
        match &self.globals[i].state {
            GlobalState::Known(t) => t.clone(),
            GlobalState::InProgress => {
                let name = &self.globals[i].decl.name;
                let d = Diagnostic::error(
                    "E0111",
                    format!("cannot infer the type of global `{}`", name.name),
                    use_span,
                )
                .with_label("its initializer depends on its own type")
                .with_secondary(name.span, "declared here without a type")
                .with_help(format!(
                    "add a type annotation: `let {}: TYPE = ...`",
                    name.name
                ));
                self.error(d);
                Type::Never
            }
            GlobalState::Pending => {
                // Only reachable while checking `<main>` (functions are
                // checked after every global has its type): check the
                // initializer with a fresh top-level scope.
                let saved = self.cx.save_scope();
                let value = self.check_global_init(i);
                self.cx.restore_scope(saved);
                let ty = value.ty.clone();
                self.globals[i].init = Some(value);
                ty
            }
        }
    }

    pub(crate) fn global_decl(&self, i: usize) -> &'a ast::GlobalDecl {
        self.globals[i].decl
    }

    pub(crate) fn fn_info(&self, i: usize) -> (&'a ast::FnDecl, Arc<FnType>) {
        (self.fns[i].decl, self.fns[i].sig.clone())
    }

    // ----- pass 3: functions ------------------------------------------------

    fn check_functions(&mut self) -> Vec<FnDef> {
        let mut out = Vec::with_capacity(self.fns.len());
        for i in 0..self.fns.len() {
            let (decl, sig) = self.fn_info(i);
            out.push(self.check_function(decl, &sig));
        }
        out
    }

    fn check_function(&mut self, decl: &'a ast::FnDecl, sig: &FnType) -> FnDef {
        self.cx.reset(Some(sig.ret.clone()));
        for (p, ty) in decl.params.iter().zip(&sig.params) {
            self.cx.declare(
                &p.name.name,
                ty.clone(),
                false,
                p.name.span,
                LocalKind::Param,
            );
        }
        let body = self.fn_body(decl, &sig.ret);
        let locals = self.cx.reset(None);
        FnDef {
            name: decl.name.name.to_string(),
            sig: sig.clone(),
            locals,
            body,
            span: decl.span,
            name_span: decl.name.span,
        }
    }
}

pub(crate) fn stmt_diverges(s: &TStmt) -> bool {
    match s {
        TStmt::Let { init, .. } => init.ty == Type::Never,
        TStmt::Assign { value, .. } => value.ty == Type::Never,
        TStmt::Expr(e) => e.ty == Type::Never,
        TStmt::InitGlobal { value, .. } => value.ty == Type::Never,
    }
}

fn module_span(module: &ast::Module) -> Span {
    let span_of = |item: &TopLevel| match item {
        TopLevel::Fn(f) => f.span,
        TopLevel::Struct(s) => s.span,
        TopLevel::Global(g) => g.span,
        TopLevel::Stmt(s) => s.span,
    };
    let first = module.items.first().map(span_of);
    let last = module
        .tail
        .as_ref()
        .map(|t| t.span)
        .or_else(|| module.items.last().map(span_of));
    match (first, last) {
        (Some(a), Some(b)) => a.to(b),
        (None, Some(b)) => b,
        _ => Span::default(),
    }
}
