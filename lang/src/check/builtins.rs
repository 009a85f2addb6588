//! The standard functions of LANGUAGE.md §5: their names, signatures (for
//! messages) and overload resolution to a [`Builtin`].
//!
//! Standard functions can only be called, never used as values: they are
//! overloaded (`len`, `join`, `abs`, `min`, `max`) or generic (`push`,
//! `get`, `recv`, ...), so no single `fn(..)` type describes them (see
//! `E0106`). Nor can they be spawned (`E0217`).
//!
//! An engine may leave standard parts out (`Env::builtins`, set by the
//! engine from what its standard library registered): calling a missing
//! overload is `E0114` "`NAME` is not available in this engine", with a
//! note naming what is missing (e.g. the disabled standard part). The
//! names stay reserved either way.
//!
//! | code | meaning |
//! |---|---|
//! | E0114 | a standard function this engine does not provide (tabled here, beside the code that emits it) |

use super::expr::{chan_elem, count_msg, map_kv_of};
use super::{error_expr, mk, Checker};
use crate::ast::Expr;
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::tir::{Builtin, Callee, TExpr, TExprKind};
use crate::types::Type;

/// Every standard function name.
pub const NAMES: &[&str] = &[
    "print",
    "println",
    "str",
    "len",
    "push",
    "pop",
    "map",
    "get",
    "has",
    "remove",
    "keys",
    "values",
    "substr",
    "find",
    "split",
    "join",
    "parse_int",
    "parse_float",
    "abs",
    "min",
    "max",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "exp",
    "ln",
    "floor",
    "ceil",
    "pow",
    "clock",
    "sleep",
    "rand_int",
    "panic",
    "assert",
    "chan",
    "send",
    "recv",
];

pub(crate) fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "print"
            | "println"
            | "str"
            | "len"
            | "push"
            | "pop"
            | "map"
            | "get"
            | "has"
            | "remove"
            | "keys"
            | "values"
            | "substr"
            | "find"
            | "split"
            | "join"
            | "parse_int"
            | "parse_float"
            | "abs"
            | "min"
            | "max"
            | "sqrt"
            | "sin"
            | "cos"
            | "tan"
            | "exp"
            | "ln"
            | "floor"
            | "ceil"
            | "pow"
            | "clock"
            | "sleep"
            | "rand_int"
            | "panic"
            | "assert"
            | "chan"
            | "send"
            | "recv"
    )
}

/// The signatures of a standard function, as written in messages (empty
/// for a name that is not one).
pub fn signatures(name: &str) -> &'static [&'static str] {
    match name {
        "print" => &["print(x: any type)"],
        "println" => &["println(x: any type)"],
        "str" => &["str(x: any type) -> str"],
        "len" => &[
            "len(a: [T]) -> int",
            "len(s: str) -> int",
            "len(m: map[K, V]) -> int",
        ],
        "push" => &["push(a: [T], v: T)"],
        "pop" => &["pop(a: [T]) -> T"],
        "map" => &["map() -> map[K, V]"],
        "get" => &["get(m: map[K, V], k: K) -> V?"],
        "has" => &["has(m: map[K, V], k: K) -> bool"],
        "remove" => &["remove(m: map[K, V], k: K)"],
        "keys" => &["keys(m: map[K, V]) -> [K]"],
        "values" => &["values(m: map[K, V]) -> [V]"],
        "substr" => &["substr(s: str, start: int, end: int) -> str"],
        "find" => &["find(s: str, pat: str) -> int"],
        "split" => &["split(s: str, sep: str) -> [str]"],
        "join" => &["join(parts: [str], sep: str) -> str", "join(t: task)"],
        "parse_int" => &["parse_int(s: str) -> int"],
        "parse_float" => &["parse_float(s: str) -> float"],
        "abs" => &["abs(x: int) -> int", "abs(x: float) -> float"],
        "min" => &[
            "min(a: int, b: int) -> int",
            "min(a: float, b: float) -> float",
        ],
        "max" => &[
            "max(a: int, b: int) -> int",
            "max(a: float, b: float) -> float",
        ],
        "sqrt" => &["sqrt(x: float) -> float"],
        "sin" => &["sin(x: float) -> float"],
        "cos" => &["cos(x: float) -> float"],
        "tan" => &["tan(x: float) -> float"],
        "exp" => &["exp(x: float) -> float"],
        "ln" => &["ln(x: float) -> float"],
        "floor" => &["floor(x: float) -> float"],
        "ceil" => &["ceil(x: float) -> float"],
        "pow" => &["pow(b: float, e: float) -> float"],
        "clock" => &["clock() -> float"],
        "sleep" => &["sleep(ms: int)"],
        "rand_int" => &["rand_int(lo: int, hi: int) -> int"],
        "panic" => &["panic(msg: str)"],
        "assert" => &["assert(c: bool, msg: str)"],
        "chan" => &["chan() -> chan[T]"],
        "send" => &["send(c: chan[T], v: T)"],
        "recv" => &["recv(c: chan[T]) -> T"],
        _ => &[],
    }
}

fn signature_note(name: &str) -> String {
    let sigs = signatures(name);
    let list = sigs
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if sigs.len() == 1 {
        format!("the signature is {list}")
    } else {
        format!("the signatures are {list}")
    }
}

/// The fixed (non-generic, non-overloaded) signatures.
fn fixed(name: &str) -> Option<(Builtin, Vec<Type>, Type)> {
    use Type::{Bool, Float, Int, Str, Unit};
    Some(match name {
        "substr" => (Builtin::Substr, vec![Str, Int, Int], Str),
        "find" => (Builtin::Find, vec![Str, Str], Int),
        "split" => (Builtin::Split, vec![Str, Str], Type::array(Str)),
        "parse_int" => (Builtin::ParseInt, vec![Str], Int),
        "parse_float" => (Builtin::ParseFloat, vec![Str], Float),
        "sqrt" => (Builtin::Sqrt, vec![Float], Float),
        "sin" => (Builtin::Sin, vec![Float], Float),
        "cos" => (Builtin::Cos, vec![Float], Float),
        "tan" => (Builtin::Tan, vec![Float], Float),
        "exp" => (Builtin::Exp, vec![Float], Float),
        "ln" => (Builtin::Ln, vec![Float], Float),
        "floor" => (Builtin::Floor, vec![Float], Float),
        "ceil" => (Builtin::Ceil, vec![Float], Float),
        "pow" => (Builtin::Pow, vec![Float, Float], Float),
        "clock" => (Builtin::Clock, vec![], Float),
        "sleep" => (Builtin::Sleep, vec![Int], Unit),
        "rand_int" => (Builtin::RandInt, vec![Int, Int], Int),
        "panic" => (Builtin::Panic, vec![Str], Type::Never),
        "assert" => (Builtin::Assert, vec![Bool, Str], Unit),
        _ => return None,
    })
}

/// A container operation of [`Checker::element_op`].
struct ElementOp {
    /// The element type of the container argument (exactly that type).
    elem_of: fn(&Type) -> Option<Type>,
    /// What the first argument must be, for the error message.
    what: &'static str,
    /// The one-argument form (`pop`, `recv`).
    take: Builtin,
    /// The two-argument form (`push`, `send`).
    put: Builtin,
    /// Whether this call is the two-argument form.
    is_put: bool,
}

fn call(b: Builtin, args: Vec<TExpr>, ty: Type, span: Span) -> TExpr {
    mk(
        TExprKind::Call {
            callee: Callee::Builtin(b),
            args,
        },
        ty,
        span,
    )
}

impl<'a> Checker<'a> {
    /// A call of the standard function `name` (already known to be one):
    /// overload resolution, then refused with `E0114` if the environment
    /// does not provide the chosen overload (a standard part the engine
    /// left out, see [`crate::env::Builtins`]).
    pub(crate) fn builtin_call(
        &mut self,
        name: &str,
        args: &[&'a Expr],
        span: Span,
        expected: Option<&Type>,
        method: bool,
    ) -> TExpr {
        let call = self.builtin_overload(name, args, span, expected, method);
        if let TExprKind::Call {
            callee: Callee::Builtin(b),
            ..
        } = &call.kind
        {
            if let Some(why) = self.env.builtins.why_missing(*b) {
                let mut d = Diagnostic::error(
                    "E0114",
                    format!("`{name}` is not available in this engine"),
                    span,
                )
                .with_label("not provided by this engine");
                if !why.is_empty() {
                    d = d.with_note(why.to_string());
                }
                self.error(d);
                return error_expr(span);
            }
        }
        call
    }

    /// Resolve the overload of standard function `name` and type the call.
    fn builtin_overload(
        &mut self,
        name: &str,
        args: &[&'a Expr],
        span: Span,
        expected: Option<&Type>,
        method: bool,
    ) -> TExpr {
        if let Some((b, params, ret)) = fixed(name) {
            if !self.arity(name, args, params.len(), span, method) {
                return self.silent(args, span);
            }
            let mut out = Vec::with_capacity(args.len());
            for (i, (a, p)) in args.iter().zip(&params).enumerate() {
                out.push(self.builtin_arg(name, i, a, p));
            }
            return call(b, out, ret, span);
        }
        match name {
            "print" | "println" | "str" => {
                if !self.arity(name, args, 1, span, method) {
                    return self.silent(args, span);
                }
                let a = self.expr(args[0], None);
                let (b, ty) = match name {
                    "print" => (Builtin::Print, Type::Unit),
                    "println" => (Builtin::Println, Type::Unit),
                    _ => (Builtin::ToStr, Type::Str),
                };
                call(b, vec![a], ty, span)
            }
            "len" => {
                if !self.arity(name, args, 1, span, method) {
                    return self.silent(args, span);
                }
                let a = self.expr(args[0], None);
                let b = match &a.ty {
                    Type::Array(_) => Builtin::LenArray,
                    Type::Str => Builtin::LenStr,
                    Type::Map(..) => Builtin::LenMap,
                    Type::Never => return error_expr(span),
                    _ => return self.bad_arg(name, 0, &a, "an array, `str` or a map", span),
                };
                call(b, vec![a], Type::Int, span)
            }
            "push" | "pop" => self.element_op(
                name,
                args,
                span,
                method,
                ElementOp {
                    elem_of: |t| match t {
                        Type::Array(e) => Some((**e).clone()),
                        _ => None,
                    },
                    what: "an array `[T]`",
                    take: Builtin::Pop,
                    put: Builtin::Push,
                    is_put: name == "push",
                },
            ),
            "get" | "has" | "remove" => {
                if !self.arity(name, args, 2, span, method) {
                    return self.silent(args, span);
                }
                let m = self.expr(args[0], None);
                let (k, v) = match &m.ty {
                    Type::Map(k, v) => ((**k).clone(), (**v).clone()),
                    Type::Never => return self.silent_rest(&args[1..], span),
                    _ => {
                        self.silent_rest(&args[1..], span);
                        return self.bad_arg(name, 0, &m, "a map `map[K, V]`", span);
                    }
                };
                let key = self.builtin_arg(name, 1, args[1], &k);
                let (b, ty) = match name {
                    "get" => {
                        if matches!(v, Type::Optional(_)) {
                            self.error(
                                Diagnostic::error(
                                    "E0218",
                                    format!("`get` on a map with optional values (`{v}`)"),
                                    span,
                                )
                                .with_label(format!("this would be a nested optional `{v}?`"))
                                .with_note("Ember has no nested optionals")
                                .with_help("test with `has(m, k)`, then read `m[k]`"),
                            );
                            return error_expr(span);
                        }
                        (Builtin::Get, Type::optional(v))
                    }
                    "has" => (Builtin::Has, Type::Bool),
                    _ => (Builtin::Remove, Type::Unit),
                };
                call(b, vec![m, key], ty, span)
            }
            "keys" | "values" => {
                if !self.arity(name, args, 1, span, method) {
                    return self.silent(args, span);
                }
                let m = self.expr(args[0], None);
                let (b, ty) = match &m.ty {
                    Type::Map(k, _) if name == "keys" => (Builtin::Keys, Type::Array(k.clone())),
                    Type::Map(_, v) => (Builtin::Values, Type::Array(v.clone())),
                    Type::Never => return error_expr(span),
                    _ => return self.bad_arg(name, 0, &m, "a map `map[K, V]`", span),
                };
                call(b, vec![m], ty, span)
            }
            "join" => match args.len() {
                1 => {
                    let t = self.builtin_arg(name, 0, args[0], &Type::Task);
                    call(Builtin::JoinTask, vec![t], Type::Unit, span)
                }
                2 => {
                    let parts = self.builtin_arg(name, 0, args[0], &Type::array(Type::Str));
                    let sep = self.builtin_arg(name, 1, args[1], &Type::Str);
                    call(Builtin::JoinStr, vec![parts, sep], Type::Str, span)
                }
                _ => {
                    self.arity(name, args, 2, span, method);
                    self.silent(args, span)
                }
            },
            "abs" => {
                if !self.arity(name, args, 1, span, method) {
                    return self.silent(args, span);
                }
                let a = self.expr(args[0], None);
                let b = match a.ty {
                    Type::Int => Builtin::AbsInt,
                    Type::Float => Builtin::AbsFloat,
                    Type::Never => return error_expr(span),
                    _ => return self.bad_arg(name, 0, &a, "`int` or `float`", span),
                };
                let ty = a.ty.clone();
                call(b, vec![a], ty, span)
            }
            "min" | "max" => {
                if !self.arity(name, args, 2, span, method) {
                    return self.silent(args, span);
                }
                let a = self.expr(args[0], None);
                let int = match a.ty {
                    Type::Int => true,
                    Type::Float => false,
                    Type::Never => return self.silent_rest(&args[1..], span),
                    _ => {
                        self.silent_rest(&args[1..], span);
                        return self.bad_arg(name, 0, &a, "`int` or `float`", span);
                    }
                };
                let ty = a.ty.clone();
                let b_arg = self.builtin_arg(name, 1, args[1], &ty);
                let b = match (name, int) {
                    ("min", true) => Builtin::MinInt,
                    ("min", false) => Builtin::MinFloat,
                    (_, true) => Builtin::MaxInt,
                    (_, false) => Builtin::MaxFloat,
                };
                call(b, vec![a, b_arg], ty, span)
            }
            "map" => {
                if !self.arity(name, args, 0, span, method) {
                    return self.silent(args, span);
                }
                match (expected.and_then(map_kv_of), expected) {
                    (Some((k, v)), _) if k != Type::Never && v != Type::Never => {
                        mk(TExprKind::MapLit(Vec::new()), Type::map(k, v), span)
                    }
                    (Some(_), _) | (_, Some(Type::Never)) => error_expr(span),
                    (None, Some(t)) => {
                        let t = t.clone();
                        self.error(
                            Diagnostic::error("E0200", "mismatched types", span)
                                .with_label(format!("expected `{t}`, found a map")),
                        );
                        error_expr(span)
                    }
                    (None, None) => {
                        self.cannot_infer(span, "map()", "let m: map[str, int] = map()")
                    }
                }
            }
            "chan" => {
                if !self.arity(name, args, 0, span, method) {
                    return self.silent(args, span);
                }
                match (expected.and_then(chan_elem), expected) {
                    (Some(Type::Never), _) => error_expr(span),
                    (Some(t), _) => call(Builtin::ChanNew, Vec::new(), Type::chan(t), span),
                    (None, Some(t)) => {
                        let t = t.clone();
                        self.error(
                            Diagnostic::error("E0200", "mismatched types", span)
                                .with_label(format!("expected `{t}`, found a channel")),
                        );
                        error_expr(span)
                    }
                    (None, None) => self.cannot_infer(span, "chan()", "let c: chan[int] = chan()"),
                }
            }
            "send" | "recv" => self.element_op(
                name,
                args,
                span,
                method,
                ElementOp {
                    elem_of: |t| match t {
                        Type::Chan(e) => Some((**e).clone()),
                        _ => None,
                    },
                    what: "a channel `chan[T]`",
                    take: Builtin::Recv,
                    put: Builtin::Send,
                    is_put: name == "send",
                },
            ),
            _ => self.silent(args, span),
        }
    }

    /// Report a wrong argument count; true if the count is right.
    fn arity(&mut self, name: &str, args: &[&'a Expr], n: usize, span: Span, method: bool) -> bool {
        if args.len() == n {
            return true;
        }
        let mut d = Diagnostic::error(
            "E0208",
            count_msg(&format!("`{name}`"), n, args.len()),
            span,
        )
        .with_label("wrong number of arguments")
        .with_note(signature_note(name));
        if method {
            d = d.with_note("in a method call `x.f(a)`, `x` is the first argument");
        }
        self.error(d);
        false
    }

    /// Check arguments only for errors inside them.
    fn silent(&mut self, args: &[&'a Expr], span: Span) -> TExpr {
        self.args_silent(args);
        error_expr(span)
    }

    /// `pop(a)` / `push(a, v)` and `recv(c)` / `send(c, v)`: the first
    /// argument is a container whose element type `op.elem_of` gives; the
    /// one-argument form (`take`) returns an element, the two-argument
    /// form (`put`) takes one.
    fn element_op(
        &mut self,
        name: &str,
        args: &[&'a Expr],
        span: Span,
        method: bool,
        op: ElementOp,
    ) -> TExpr {
        let n = if op.is_put { 2 } else { 1 };
        if !self.arity(name, args, n, span, method) {
            return self.silent(args, span);
        }
        let c = self.expr(args[0], None);
        let elem = match (op.elem_of)(&c.ty) {
            Some(elem) => elem,
            None if c.ty == Type::Never => return self.silent_rest(&args[1..], span),
            None => {
                self.silent_rest(&args[1..], span);
                return self.bad_arg(name, 0, &c, op.what, span);
            }
        };
        if !op.is_put {
            return call(op.take, vec![c], elem, span);
        }
        let v = self.builtin_arg(name, 1, args[1], &elem);
        call(op.put, vec![c, v], Type::Unit, span)
    }

    fn silent_rest(&mut self, rest: &[&'a Expr], span: Span) -> TExpr {
        self.silent(rest, span)
    }

    /// Argument `i` of standard function `name`, which must be a `ty`.
    fn builtin_arg(&mut self, name: &str, i: usize, a: &'a Expr, ty: &Type) -> TExpr {
        let v = self.expr(a, Some(ty));
        match self.try_coerce(v, ty) {
            Ok(v) => v,
            Err(v) => {
                let desc = format!("`{ty}`");
                self.bad_arg(name, i, &v, &desc, v.span);
                TExpr {
                    ty: Type::Never,
                    ..v
                }
            }
        }
    }

    fn bad_arg(&mut self, name: &str, i: usize, a: &TExpr, expected: &str, span: Span) -> TExpr {
        let mut d = Diagnostic::error(
            "E0209",
            format!("wrong type for argument {} of `{name}`", i + 1),
            a.span,
        )
        .with_label(format!("expected {expected}, found `{}`", a.ty))
        .with_note(signature_note(name));
        let exp_ty = match expected {
            "`int`" => Some(Type::Int),
            "`float`" => Some(Type::Float),
            "`str`" => Some(Type::Str),
            _ => None,
        };
        let help = match &exp_ty {
            Some(t) => super::expr::conversion_help(t, a),
            None => match &a.ty {
                Type::Optional(_) => Some("unwrap the optional first with `!`".to_string()),
                _ => None,
            },
        };
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.error(d);
        error_expr(span)
    }
}

#[cfg(test)]
mod tests {
    use crate::env::Env;
    use crate::tir::Builtin;
    use crate::SourceMap;

    fn check(env: &Env, text: &str) -> Result<(), Vec<crate::Diagnostic>> {
        let mut sm = SourceMap::new();
        let f = sm.add("t.em", text);
        crate::check_file(f, text, env).map(|_| ())
    }

    #[test]
    fn missing_standard_functions_are_refused_by_overload() {
        let mut env = Env::default();
        assert!(check(&env, "fn f() { sleep(1); }").is_ok());
        env.builtins
            .remove(Builtin::Sleep, "the part `TIME` is left out");
        env.builtins.remove(Builtin::JoinStr, "");
        let errs = check(&env, "fn f() {\n    sleep(1);\n}").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "E0114");
        assert_eq!(errs[0].message, "`sleep` is not available in this engine");
        assert_eq!(
            errs[0].notes,
            vec!["the part `TIME` is left out".to_string()]
        );
        // `join(task)` is another overload and stays available.
        assert!(check(&env, "fn w() {}\nfn f() { join(spawn w()); }").is_ok());
        let errs = check(&env, "let s = join([\"a\"], \"-\");").unwrap_err();
        assert_eq!(errs[0].code, "E0114");
        assert!(errs[0].notes.is_empty());
        // Names stay reserved.
        let errs = check(&env, "fn sleep() {}").unwrap_err();
        assert_eq!(errs[0].code, "E0102");
        env.builtins.insert(Builtin::Sleep);
        assert!(check(&env, "fn f() { sleep(1); }").is_ok());
    }
}
