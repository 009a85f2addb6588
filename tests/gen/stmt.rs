//! Statements, blocks and calls.

use super::{Gen, Ty};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Let,
    Assign,
    IndexAssign,
    MapAssign,
    FieldAssign,
    Push,
    Remove,
    Print,
    If,
    IfLet,
    CountedWhile,
    While,
    For,
    ForEach,
    Call,
    Break,
    Return,
    Assert,
    Panic,
    Spawn,
    Join,
    Send,
    Block,
    Sleep,
}

impl Gen<'_, '_> {
    pub(crate) fn enter_block(&mut self) {
        self.ctx.blocks += 1;
        self.scope.push();
    }

    pub(crate) fn leave_block(&mut self) {
        self.scope.pop();
        self.ctx.blocks -= 1;
    }

    /// `{ statements }` in a new scope.
    pub(crate) fn block(&mut self, d: u32) -> String {
        self.enter_block();
        let n = if self.has_fuel() { self.below(4) } else { 0 };
        let mut out = String::from("{ ");
        for _ in 0..n {
            out.push_str(&self.stmt(d));
            out.push(' ');
        }
        out.push('}');
        self.leave_block();
        out
    }

    /// One statement (with its `;` where it needs one). `d`: expression
    /// depth.
    pub(crate) fn stmt(&mut self, d: u32) -> String {
        let nest = self.ctx.blocks < self.config().max_block_depth && self.has_fuel();
        let in_fn = self.ctx.function.is_some();
        let top = !in_fn && self.ctx.blocks == 0 && self.ctx.loops == 0;
        let threads = self.config().threads;
        let has_mut = !self.vars_where(|v| v.mutable).is_empty();
        let has_task = !self.vars_where(|v| v.ty == Ty::Task).is_empty();
        let has_fields = self.structs.iter().any(|s| !s.fields.is_empty());
        let kinds: [(u32, Kind); 24] = [
            (16, Kind::Let),
            (if has_mut { 10 } else { 0 }, Kind::Assign),
            (4, Kind::IndexAssign),
            (3, Kind::MapAssign),
            (if has_fields { 4 } else { 0 }, Kind::FieldAssign),
            (5, Kind::Push),
            (1, Kind::Remove),
            (8, Kind::Print),
            (if nest { 7 } else { 0 }, Kind::If),
            (if nest { 2 } else { 0 }, Kind::IfLet),
            (if nest { 4 } else { 0 }, Kind::CountedWhile),
            (if nest && self.risk > 1 { 1 } else { 0 }, Kind::While),
            (if nest { 4 } else { 0 }, Kind::For),
            (if nest { 3 } else { 0 }, Kind::ForEach),
            (if self.sigs.is_empty() { 0 } else { 6 }, Kind::Call),
            (if self.ctx.loops > 0 { 3 } else { 0 }, Kind::Break),
            (if in_fn { 2 } else { 0 }, Kind::Return),
            (if self.risk > 0 { 2 } else { 0 }, Kind::Assert),
            (if self.risk > 0 { 1 } else { 0 }, Kind::Panic),
            (
                if top && threads && !self.sigs.is_empty() {
                    3
                } else {
                    0
                },
                Kind::Spawn,
            ),
            (if has_task { 3 } else { 0 }, Kind::Join),
            (if threads { 1 } else { 0 }, Kind::Send),
            (if nest { 1 } else { 0 }, Kind::Block),
            (if threads { 1 } else { 0 }, Kind::Sleep),
        ];
        let weights: Vec<u32> = kinds.iter().map(|k| k.0).collect();
        match kinds[self.weighted(&weights)].1 {
            Kind::Let => self.let_stmt(d),
            Kind::Assign => self.assign(d),
            Kind::IndexAssign => self.index_assign(d),
            Kind::MapAssign => {
                let k = self.key_ty();
                let t = self.ty(2);
                let m = self.expr(&Ty::map(k.clone(), t.clone()), false, d);
                let key = self.expr(&k, false, d);
                // Mostly an insertion (`+=` on a missing key fails).
                let (op, rhs) = if !self.risky() {
                    ("=", self.expr(&t, true, d))
                } else {
                    self.assign_rhs(&t, d)
                };
                format!("({m})[{key}] {op} {rhs};")
            }
            Kind::FieldAssign => {
                let owners: Vec<usize> = (0..self.structs.len())
                    .filter(|&i| !self.structs[i].fields.is_empty())
                    .collect();
                let i = *self.pick(&owners);
                let (name, t) = self.pick(&self.structs[i].fields.clone()).clone();
                let s = self.expr(&Ty::Struct(i), false, d);
                let (op, rhs) = self.assign_rhs(&t, d);
                format!("({s}).{name} {op} {rhs};")
            }
            Kind::Push => {
                let t = self.ty(2);
                let a = self.expr(&Ty::array(t.clone()), false, d);
                let v = self.expr(&t, false, d);
                if self.chance(40) {
                    format!("({a}).push({v});")
                } else {
                    format!("push({a}, {v});")
                }
            }
            Kind::Remove => {
                let k = self.key_ty();
                let t = self.ty(1);
                let m = self.expr(&Ty::map(k.clone(), t), false, d);
                let key = self.expr(&k, false, d);
                format!("remove({m}, {key});")
            }
            Kind::Print => {
                let t = self.ty(2);
                let x = self.expr(&t, false, d);
                let f = self.pick(&["println", "println", "print"]);
                format!("{f}({x});")
            }
            Kind::If => {
                let c = self.expr(&Ty::Bool, false, d);
                let then = self.block(d);
                match self.below(3) {
                    0 => format!("if {c} {then}"),
                    1 => format!("if {c} {then} else {}", self.block(d)),
                    _ => {
                        let c2 = self.expr(&Ty::Bool, false, d);
                        let b2 = self.block(d);
                        format!("if {c} {then} else if {c2} {b2} else {}", self.block(d))
                    }
                }
            }
            Kind::IfLet => {
                let t = self.ty(2).payload();
                let o = self.expr(&Ty::opt(t.clone()), false, d);
                let v = self.fresh();
                self.enter_block();
                self.scope.declare(v.clone(), t, false);
                let then = self.block(d);
                self.leave_block();
                format!("if let {v} = {o} {then} else {}", self.block(d))
            }
            Kind::CountedWhile => {
                // The counter goes up first, so a `continue` in the body
                // cannot make the loop endless.
                let v = self.fresh();
                let n = self.count(d);
                self.declare(v.clone(), Ty::Int, true);
                let body = self.loop_body(d);
                format!("let mut {v} = 0; while ({v} < {n}) {{ {v} += 1; {body} }}")
            }
            Kind::While => {
                // Any condition: may never become false (the time limit
                // ends it) unless the body breaks out.
                let c = self.expr(&Ty::Bool, false, d);
                let body = self.loop_body(d);
                format!("while {c} {body}")
            }
            Kind::For => {
                let lo = self.count(d);
                let hi = self.count(d);
                let range = if self.chance(30) { "..=" } else { ".." };
                let v = self.fresh();
                self.enter_block();
                self.scope.declare(v.clone(), Ty::Int, false);
                let body = self.loop_body(d);
                self.leave_block();
                format!("for {v} in {lo}{range}{hi} {body}")
            }
            Kind::ForEach => {
                let t = self.ty(2);
                let a = self.expr(&Ty::array(t.clone()), false, d);
                let v = self.fresh();
                self.enter_block();
                self.scope.declare(v.clone(), t, false);
                let body = self.loop_body(d);
                self.leave_block();
                format!("for {v} in {a} {body}")
            }
            Kind::Call => {
                let j = self.callee(None);
                format!("{};", self.call(j, d))
            }
            Kind::Break => {
                let word = self.pick(&["break", "continue"]).to_string();
                if self.chance(20) {
                    format!("{word};")
                } else {
                    let c = self.expr(&Ty::Bool, false, d);
                    format!("if {c} {{ {word}; }}")
                }
            }
            Kind::Return => {
                let f = self.ctx.function.expect("in a function");
                let value = match self.sigs[f].ret.clone() {
                    Some(t) => format!(" {}", self.expr(&t, true, d)),
                    None => String::new(),
                };
                let c = self.expr(&Ty::Bool, false, d);
                format!("if {c} {{ return{value}; }}")
            }
            Kind::Assert => {
                let c = self.expr(&Ty::Bool, false, d);
                let n = self.below(100);
                format!("assert({c}, \"check {n}\");")
            }
            Kind::Panic => {
                let n = self.below(100);
                let c = self.expr(&Ty::Bool, false, d);
                format!("if {c} {{ panic(\"{PANIC_PREFIX}{n}\"); }}")
            }
            Kind::Spawn => {
                let j = self.below(self.sigs.len());
                let call = self.call_with(j, d, false);
                let v = self.fresh();
                self.declare(v.clone(), Ty::Task, false);
                format!("let {v} = spawn {call};")
            }
            Kind::Join => {
                let tasks = self.vars_where(|v| v.ty == Ty::Task);
                let t = self.pick(&tasks).name.clone();
                format!("join({t});")
            }
            Kind::Send => {
                let t = self.ty(1);
                let c = self.expr(&Ty::Chan(Box::new(t.clone())), false, d);
                let v = self.expr(&t, false, d);
                format!("send({c}, {v});")
            }
            Kind::Block => self.block(d),
            Kind::Sleep => format!("sleep({});", self.below(3)),
        }
    }

    fn loop_body(&mut self, d: u32) -> String {
        self.ctx.loops += 1;
        let body = self.block(d);
        self.ctx.loops -= 1;
        body
    }

    fn let_stmt(&mut self, d: u32) -> String {
        let t = self.ty(2);
        let v = self.fresh();
        let mutable = if self.chance(40) { "mut " } else { "" };
        // The initializer is made before the name is declared: it cannot
        // refer to itself.
        let text = if self.chance(50) {
            let e = self.expr(&t, true, d);
            format!("let {mutable}{v}: {t} = {e};")
        } else {
            let e = self.expr(&t, false, d);
            format!("let {mutable}{v} = {e};")
        };
        self.declare(v, t, !mutable.is_empty());
        text
    }

    fn assign(&mut self, d: u32) -> String {
        let vars = self.vars_where(|v| v.mutable);
        let var = self.pick(&vars).clone();
        let (op, rhs) = self.assign_rhs(&var.ty, d);
        format!("{} {op} {rhs};", var.name)
    }

    /// `=` and a value of type `t`, or a compound operator and its operand.
    pub(crate) fn assign_rhs(&mut self, t: &Ty, d: u32) -> (&'static str, String) {
        let risky = self.risky();
        let compound: &[&'static str] = match t {
            Ty::Int if !risky => &["+=", "-=", "*="],
            Ty::Int | Ty::Float => &["+=", "-=", "*=", "/=", "%="],
            Ty::Str => &["+="],
            _ => &[],
        };
        if !compound.is_empty() && self.chance(40) {
            let op = *self.pick(compound);
            (op, self.expr(t, false, d))
        } else {
            ("=", self.expr(t, true, d))
        }
    }

    // ---- calls -------------------------------------------------------

    /// Functions the current body may call for a result of type `ret`
    /// (`None`: any function, for a call statement). From a function
    /// `fi`: the later ones, and `fi` itself when it counts down — so the
    /// call graph has no other cycles and most programs end. Top-level
    /// code may call anything.
    pub(crate) fn callable(&self, ret: &Ty) -> Vec<usize> {
        (0..self.sigs.len())
            .filter(|&j| self.sigs[j].ret.as_ref() == Some(ret) && self.may_call(j))
            .collect()
    }

    fn may_call(&self, j: usize) -> bool {
        match self.ctx.function {
            None => true,
            Some(i) => j > i || (j == i && self.sigs[i].counted),
        }
    }

    /// A function to call for a statement (`ret`: None) or for a result;
    /// now and then one that closes a cycle in the call graph (endless
    /// recursion: a stack overflow, or the time limit).
    fn callee(&mut self, ret: Option<&Ty>) -> usize {
        let fits = |g: &Self, j: usize| ret.is_none_or(|r| g.sigs[j].ret.as_ref() == Some(r));
        let all: Vec<usize> = (0..self.sigs.len()).filter(|&j| fits(self, j)).collect();
        let allowed: Vec<usize> = all.iter().copied().filter(|&j| self.may_call(j)).collect();
        if allowed.is_empty() || (self.risk > 0 && self.chance(3)) {
            *self.pick(&all)
        } else {
            *self.pick(&allowed)
        }
    }

    /// A call of a function with a result of type `ty`.
    pub(crate) fn call_expr(&mut self, ty: &Ty, d: u32) -> String {
        let j = self.callee(Some(ty));
        self.call(j, d)
    }

    /// `fj(args)` (or `(a).fj(rest)`: method syntax). A counting function
    /// gets `p0 - 1` from itself and a small count (now and then a huge
    /// one) from elsewhere.
    pub(crate) fn call(&mut self, j: usize, d: u32) -> String {
        self.call_with(j, d, true)
    }

    /// [`Gen::call`]; `method`: method syntax allowed.
    fn call_with(&mut self, j: usize, d: u32, method: bool) -> String {
        let sig = self.sigs[j].clone();
        let mut args: Vec<String> = Vec::new();
        for (k, p) in sig.params.iter().enumerate() {
            let a = if k == 0 && sig.counted {
                if self.ctx.function == Some(j) {
                    format!("(p0 - {})", 1 + self.below(2))
                } else if !self.risky() {
                    self.below(8).to_string()
                } else {
                    match self.weighted(&[10, 1, 1]) {
                        0 => self.below(8).to_string(),
                        1 => self.render_int(1 << 40),
                        _ => self.expr(&Ty::Int, false, d),
                    }
                }
            } else {
                self.expr(p, true, d)
            };
            args.push(a);
        }
        if method && !args.is_empty() && self.chance(15) {
            let receiver = args.remove(0);
            format!("({receiver}).f{j}({})", args.join(", "))
        } else {
            format!("f{j}({})", args.join(", "))
        }
    }

    /// Arguments for a call through a function value of these parameters.
    pub(crate) fn args(&mut self, params: &[Ty], d: u32) -> String {
        let args: Vec<String> = params.iter().map(|p| self.expr(p, true, d)).collect();
        args.join(", ")
    }
}

/// How generated `panic` messages start (the oracle accepts them).
pub const PANIC_PREFIX: &str = "generated panic ";
