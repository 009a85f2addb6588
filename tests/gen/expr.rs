//! Expressions of a requested type.
//!
//! `typed` says whether the place the expression goes gives it an
//! expected type (an annotated `let`, an argument of a user function, a
//! field of a literal, the right side of an assignment): only then may it
//! be `[]`, `none`, `map()`, `[:]`, `chan()` or a `T` standing for a `T?`.
//! Without one (operands of overloaded standard functions, `let x = e`,
//! receivers, iterated arrays) the expression has exactly the type asked
//! for on its own.

use super::{Gen, Ty};

/// Productions every type has.
#[derive(Clone, Copy, Debug)]
enum Alt {
    Leaf,
    Var,
    Special,
    Call,
    CallValue,
    Index,
    MapIndex,
    Field,
    Unwrap,
    Coalesce,
    If,
    IfLet,
    Block,
    Pop,
    Recv,
}

impl Gen<'_, '_> {
    /// An expression of type `ty` (see the module docs for `typed`);
    /// `depth` bounds its nesting.
    pub(crate) fn expr(&mut self, ty: &Ty, typed: bool, depth: u32) -> String {
        if depth == 0 || !self.burn() {
            return self.leaf_or_var(ty, typed);
        }
        let d = depth - 1;
        let not_opt = !matches!(ty, Ty::Opt(_));
        let plain = matches!(ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Str);
        let threads = self.config().threads;
        let has_var = !self.vars_where(|v| &v.ty == ty).is_empty();
        let has_call = !self.callable(ty).is_empty();
        let has_value = self
            .fn_types()
            .iter()
            .any(|t| matches!(t, Ty::Func(_, r) if **r == *ty));
        let has_field = self
            .structs
            .iter()
            .any(|s| s.fields.iter().any(|(_, t)| t == ty));
        // `recv` blocks until a value arrives: only from a channel some
        // code can send to (one in a variable).
        let chan = Ty::Chan(Box::new(ty.clone()));
        let has_chan = threads && self.risk > 0 && !self.vars_where(|v| v.ty == chan).is_empty();
        let alts: [(u32, Alt); 15] = [
            (4, Alt::Leaf),
            (if has_var { 14 } else { 0 }, Alt::Var),
            (if plain { 24 } else { 8 }, Alt::Special),
            (if has_call { 8 } else { 0 }, Alt::Call),
            (if has_value { 2 } else { 0 }, Alt::CallValue),
            (2, Alt::Index),
            (1, Alt::MapIndex),
            (if has_field { 4 } else { 0 }, Alt::Field),
            (if not_opt && self.risk > 0 { 1 } else { 0 }, Alt::Unwrap),
            (if not_opt { 3 } else { 0 }, Alt::Coalesce),
            (3, Alt::If),
            (1, Alt::IfLet),
            (1, Alt::Block),
            (1, Alt::Pop),
            (if has_chan { 2 } else { 0 }, Alt::Recv),
        ];
        let weights: Vec<u32> = alts.iter().map(|a| a.0).collect();
        let alt = alts[self.weighted(&weights)].1;
        match alt {
            Alt::Leaf => self.leaf(ty, typed, 2),
            Alt::Var => self
                .var_of(ty)
                .map(|v| v.name)
                .unwrap_or_else(|| self.leaf(ty, typed, 1)),
            Alt::Special => self.special(ty, typed, d),
            Alt::Call => self.call_expr(ty, d),
            Alt::CallValue => {
                let types: Vec<Ty> = self
                    .fn_types()
                    .into_iter()
                    .filter(|t| matches!(t, Ty::Func(_, r) if **r == *ty))
                    .collect();
                let fty = self.pick(&types).clone();
                let Ty::Func(params, _) = &fty else {
                    unreachable!()
                };
                let f = self.expr(&fty, false, d);
                let args = self.args(params, d);
                format!("({f})({args})")
            }
            Alt::Index => self.index_expr(ty, typed, d),
            Alt::MapIndex => self.map_index_expr(ty, typed, d),
            Alt::Field => {
                let owners: Vec<(usize, String)> = self
                    .structs
                    .iter()
                    .enumerate()
                    .flat_map(|(i, s)| {
                        s.fields
                            .iter()
                            .filter(|(_, t)| t == ty)
                            .map(move |(n, _)| (i, n.clone()))
                    })
                    .collect();
                let (i, name) = self.pick(&owners).clone();
                let s = self.expr(&Ty::Struct(i), false, d);
                format!("({s}).{name}")
            }
            Alt::Unwrap => {
                let o = self.expr(&Ty::opt(ty.clone()), false, d);
                format!("({o})!")
            }
            Alt::Coalesce => {
                let o = self.expr(&Ty::opt(ty.clone()), false, d);
                let dflt = self.expr(ty, true, d);
                format!("(({o}) ?? {dflt})")
            }
            Alt::If => {
                let c = self.expr(&Ty::Bool, false, d);
                let a = self.expr(ty, typed, d);
                let b = self.expr(ty, typed, d);
                format!("(if {c} {{ {a} }} else {{ {b} }})")
            }
            Alt::IfLet => {
                let inner = self.ty(1).payload();
                let o = self.expr(&Ty::opt(inner.clone()), false, d);
                let v = self.fresh();
                self.scope.push();
                self.scope.declare(v.clone(), inner, false);
                let a = self.expr(ty, typed, d);
                self.scope.pop();
                let b = self.expr(ty, typed, d);
                format!("(if let {v} = {o} {{ {a} }} else {{ {b} }})")
            }
            Alt::Block => {
                // Its statements may keep it from completing (a bare
                // `break`): then it has type `!`, as an operand anywhere
                // (tests/generated.rs, `diverging_block_operands_compile`).
                self.enter_block();
                let n = self.below(3);
                let mut body = String::new();
                for _ in 0..n {
                    body.push_str(&self.stmt(d.min(1)));
                    body.push(' ');
                }
                let tail = self.expr(ty, typed, d);
                self.leave_block();
                format!("({{ {body}{tail} }})")
            }
            Alt::Pop => self.pop_expr(ty, typed, d),
            Alt::Recv => {
                let c = self.var_of(&chan).expect("a channel variable").name;
                format!("recv({c})")
            }
        }
    }

    /// A variable of type `ty` when one is visible (or, with an expected
    /// type `T?`, one of type `T`), else a leaf.
    fn leaf_or_var(&mut self, ty: &Ty, typed: bool) -> String {
        if self.chance(60) {
            if let Some(v) = self.var_of(ty) {
                return v.name;
            }
            if let (true, Ty::Opt(inner)) = (typed, ty) {
                if let Some(v) = self.var_of(inner) {
                    return v.name;
                }
            }
        }
        self.leaf(ty, typed, 1)
    }

    /// An index: mostly small (in bounds of the short arrays programs
    /// make), sometimes any `int` expression.
    pub(crate) fn index(&mut self, d: u32) -> String {
        match self.weighted(&[12, 3, 2, 1]) {
            0 => "0".to_string(),
            1 => "1".to_string(),
            2 => self.expr(&Ty::Int, false, d),
            _ => self.int_lit(),
        }
    }

    /// A count for loops and `[v; n]`: mostly small, sometimes anything.
    pub(crate) fn count(&mut self, d: u32) -> String {
        if !self.risky() {
            return self.below(6).to_string();
        }
        match self.weighted(&[8, 1, 1]) {
            0 => self.below(6).to_string(),
            1 => self.expr(&Ty::Int, false, d),
            _ => self.int_lit(),
        }
    }

    /// Text for `parse_int` / `parse_float`: mostly a number's text form
    /// (`str` of a number, or a literal that may or may not parse).
    fn numeric_text(&mut self, number: &Ty, d: u32) -> String {
        if !self.risky() {
            return format!("str({})", self.expr(number, false, d));
        }
        match self.weighted(&[3, 2, 2]) {
            0 => format!("str({})", self.expr(number, false, d)),
            1 => self.numeric_lit(),
            _ => self.expr(&Ty::Str, false, d),
        }
    }

    /// Productions specific to `ty`.
    fn special(&mut self, ty: &Ty, typed: bool, d: u32) -> String {
        match ty {
            Ty::Int => self.int_expr(d),
            Ty::Float => self.float_expr(d),
            Ty::Bool => self.bool_expr(d),
            Ty::Str => self.str_expr(d),
            Ty::Array(t) => match self.weighted(&[3, 2, 1, 1, 1]) {
                0 => {
                    let n = if typed {
                        self.below(4)
                    } else {
                        1 + self.below(3)
                    };
                    let items: Vec<String> = (0..n).map(|_| self.expr(t, typed, d)).collect();
                    format!("[{}]", items.join(", "))
                }
                1 => {
                    let v = self.expr(t, typed, d);
                    let n = self.count(d);
                    format!("[{v}; {n}]")
                }
                2 if **t == Ty::Str => {
                    let s = self.expr(&Ty::Str, false, d);
                    let sep = self.expr(&Ty::Str, false, d);
                    format!("split({s}, {sep})")
                }
                3 if t.is_key() => {
                    let v = self.ty(1);
                    let m = self.expr(&Ty::map((**t).clone(), v), false, d);
                    format!("keys({m})")
                }
                4 => {
                    let k = self.key_ty();
                    let m = self.expr(&Ty::map(k, (**t).clone()), false, d);
                    format!("values({m})")
                }
                _ => self.leaf(ty, typed, 2),
            },
            Ty::Map(k, v) => {
                let n = if typed {
                    self.below(4)
                } else {
                    1 + self.below(3)
                };
                if n == 0 {
                    return "[:]".to_string();
                }
                let entries: Vec<String> = (0..n)
                    .map(|_| {
                        let key = self.expr(k, typed, d);
                        let value = self.expr(v, typed, d);
                        format!("{key}: {value}")
                    })
                    .collect();
                format!("[{}]", entries.join(", "))
            }
            Ty::Opt(t) => {
                if typed && self.chance(40) {
                    return self.expr(t, true, d);
                }
                // `get` on a map whose values are optional is refused
                // (E0218); `t` is never optional here.
                let k = self.key_ty();
                let m = self.expr(&Ty::map(k.clone(), (**t).clone()), false, d);
                let key = self.expr(&k, false, d);
                format!("get({m}, {key})")
            }
            Ty::Struct(i) => self.struct_lit(*i, |g, fty| g.expr(fty, true, d)),
            Ty::Func(..) | Ty::Chan(_) | Ty::Task => self.leaf(ty, typed, 1),
        }
    }

    fn int_expr(&mut self, d: u32) -> String {
        let int = Ty::Int;
        match self.weighted(&[12, 4, 2, 3, 3, 2, 1, 2, 1]) {
            0 => {
                let op = *self.pick(&[
                    "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "+", "-", "*",
                ]);
                let a = self.expr(&int, false, d);
                let b = self.expr(&int, false, d);
                // Guarded division is by a divisor that cannot be zero
                // (but may be -1: `i64::MIN / -1` overflows); the raw
                // form tries zero and the overflow outright.
                if op != "/" && op != "%" {
                    format!("({a} {op} {b})")
                } else if !self.risky() {
                    format!("({a} {op} ({b} | 1))")
                } else {
                    match self.below(3) {
                        0 => format!("({a} {op} {b})"),
                        1 => format!("({a} {op} 0)"),
                        _ => format!("((-9223372036854775808) {op} (-1))"),
                    }
                }
            }
            1 => {
                let f = self.pick(&["abs", "min", "max"]).to_string();
                let a = self.expr(&int, false, d);
                if f == "abs" {
                    if self.chance(30) {
                        format!("({a}).abs()")
                    } else {
                        format!("abs({a})")
                    }
                } else {
                    let b = self.expr(&int, false, d);
                    format!("{f}({a}, {b})")
                }
            }
            2 => format!("(-{})", self.expr(&int, false, d)),
            3 => {
                let what = match self.below(3) {
                    0 => {
                        let t = self.ty(1);
                        Ty::array(t)
                    }
                    1 => Ty::Str,
                    _ => {
                        let k = self.key_ty();
                        Ty::map(k, self.ty(1))
                    }
                };
                let x = self.expr(&what, false, d);
                if self.chance(30) {
                    format!("({x}).len()")
                } else {
                    format!("len({x})")
                }
            }
            4 => {
                if self.risky() {
                    format!("(({}) as int)", self.expr(&Ty::Float, false, d))
                } else if self.chance(60) {
                    // NaN and out-of-range values are not cast.
                    let t = self.fresh();
                    let f = self.expr(&Ty::Float, false, d);
                    format!("({{ let {t} = {f}; if ({t} == {t}) && ({t} < 9.2e18) && ({t} > (-9.2e18)) {{ ({t} as int) }} else {{ 0 }} }})")
                } else {
                    format!("(({}) as int)", self.expr(&Ty::Bool, false, d))
                }
            }
            5 => format!("parse_int({})", self.numeric_text(&Ty::Int, d)),
            6 => {
                let s = self.expr(&Ty::Str, false, d);
                let p = self.expr(&Ty::Str, false, d);
                format!("find({s}, {p})")
            }
            7 => {
                let v = self
                    .var_of(&Ty::Int)
                    .map(|v| v.name)
                    .unwrap_or_else(|| self.int_lit());
                let k = self.int_lit();
                format!("({v} + {k})")
            }
            _ => {
                if !self.risky() {
                    return format!("rand_int(0, {})", 1 + self.below(10));
                }
                let lo = self.expr(&int, false, d);
                let hi = self.expr(&int, false, d);
                format!("rand_int({lo}, {hi})")
            }
        }
    }

    fn float_expr(&mut self, d: u32) -> String {
        let fl = Ty::Float;
        match self.weighted(&[10, 3, 2, 4, 1, 3, 1]) {
            0 => {
                let op = *self.pick(&["+", "-", "*", "/", "%"]);
                let a = self.expr(&fl, false, d);
                let b = self.expr(&fl, false, d);
                format!("({a} {op} {b})")
            }
            1 => {
                let f = *self.pick(&["abs", "min", "max"]);
                let a = self.expr(&fl, false, d);
                if f == "abs" {
                    format!("abs({a})")
                } else {
                    let b = self.expr(&fl, false, d);
                    format!("{f}({a}, {b})")
                }
            }
            2 => format!("(-{})", self.expr(&fl, false, d)),
            3 => {
                let f = *self.pick(&["sqrt", "sin", "cos", "tan", "exp", "ln", "floor", "ceil"]);
                let a = self.expr(&fl, false, d);
                if self.chance(30) {
                    format!("({a}).{f}()")
                } else {
                    format!("{f}({a})")
                }
            }
            4 => {
                let a = self.expr(&fl, false, d);
                let b = self.expr(&fl, false, d);
                format!("pow({a}, {b})")
            }
            5 => format!("(({}) as float)", self.expr(&Ty::Int, false, d)),
            _ => format!("parse_float({})", self.numeric_text(&Ty::Float, d)),
        }
    }

    fn bool_expr(&mut self, d: u32) -> String {
        match self.weighted(&[8, 5, 4, 2, 2, 2]) {
            0 => {
                let t = self.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Str]).clone();
                let op = *self.pick(&["<", "<=", ">", ">=", "==", "!="]);
                let a = self.expr(&t, false, d);
                let b = self.expr(&t, false, d);
                format!("({a} {op} {b})")
            }
            1 => {
                let t = self.pick(&[Ty::Int, Ty::Float, Ty::Bool, Ty::Str]).clone();
                let op = *self.pick(&["==", "!="]);
                let a = self.expr(&t, false, d);
                let b = self.expr(&t, false, d);
                format!("({a} {op} {b})")
            }
            2 => {
                let op = *self.pick(&["&&", "||"]);
                let a = self.expr(&Ty::Bool, false, d);
                let b = self.expr(&Ty::Bool, false, d);
                format!("({a} {op} {b})")
            }
            3 => format!("(!{})", self.expr(&Ty::Bool, false, d)),
            4 => {
                let k = self.key_ty();
                let v = self.ty(1);
                let m = self.expr(&Ty::map(k.clone(), v), false, d);
                let key = self.expr(&k, false, d);
                format!("has({m}, {key})")
            }
            _ => {
                let t = self.ty(1);
                let o = self.expr(&Ty::opt(t), false, d);
                let op = *self.pick(&["==", "!="]);
                format!("({o} {op} none)")
            }
        }
    }

    fn str_expr(&mut self, d: u32) -> String {
        match self.weighted(&[6, 5, 3, 2]) {
            0 => {
                let a = self.expr(&Ty::Str, false, d);
                let b = self.expr(&Ty::Str, false, d);
                format!("({a} + {b})")
            }
            1 => {
                let t = self.ty(2);
                let x = self.expr(&t, false, d);
                if self.chance(20) {
                    format!("({x}).str()")
                } else {
                    format!("str({x})")
                }
            }
            2 => {
                // Mostly in range for short strings; `count` reaches past
                // the end and into multi-byte characters.
                let s = self.expr(&Ty::Str, false, d);
                if !self.risky() {
                    let t = self.fresh();
                    return format!("({{ let {t} = {s}; substr({t}, 0, len({t})) }})");
                }
                let (a, b) = match self.weighted(&[4, 3, 2]) {
                    0 => ("0".to_string(), "0".to_string()),
                    1 => ("0".to_string(), "1".to_string()),
                    _ => (self.count(d), self.count(d)),
                };
                format!("substr({s}, {a}, {b})")
            }
            _ => {
                let parts = self.expr(&Ty::array(Ty::Str), false, d);
                let sep = self.expr(&Ty::Str, false, d);
                format!("join({parts}, {sep})")
            }
        }
    }
}
