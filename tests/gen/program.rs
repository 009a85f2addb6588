//! Whole programs: structs, functions, globals and top-level statements,
//! and the optional second phase that redefines one function.

use std::fmt;

use super::{BodyCtx, Gen, Sig, StructDef, Ty};

/// A generated program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The file (run with `Engine::run_source`).
    pub source: String,
    /// The second phase, if any.
    pub redefinition: Option<Redefinition>,
    /// The program spawns threads.
    pub threads: bool,
}

/// A live redefinition of one function with the same signature (and
/// perhaps a struct with its fields reordered), applied after the first
/// run, then a call.
#[derive(Clone, Debug)]
pub struct Redefinition {
    /// What is redefined (`f2`, `f2, S1 (fields reordered)`).
    pub what: String,
    pub apply: Apply,
    /// A REPL entry that calls the function again.
    pub call: String,
}

/// How the new definition reaches the engine.
#[derive(Clone, Debug)]
pub enum Apply {
    /// `Engine::reload_source` of the whole file with the new body.
    Reload(String),
    /// `Engine::run_entry` of the new definition alone.
    Entry(String),
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(r) = &self.redefinition {
            match &r.apply {
                Apply::Reload(text) => {
                    writeln!(f, "// ---- reload_source (redefines {}):", r.what)?;
                    f.write_str(text)?;
                }
                Apply::Entry(text) => {
                    writeln!(f, "// ---- run_entry (redefines {}):", r.what)?;
                    writeln!(f, "{text}")?;
                }
            }
            writeln!(f, "// ---- run_entry:")?;
            writeln!(f, "{}", r.call)?;
        }
        Ok(())
    }
}

/// One top-level piece of the file.
struct Part {
    text: String,
    /// The item this part defines (none: a statement).
    item: Option<Item>,
}

#[derive(Clone, Copy, PartialEq)]
enum Item {
    Function(usize),
    Struct(usize),
}

impl Gen<'_, '_> {
    pub(crate) fn program(&mut self) -> Program {
        let d = self.config().max_expr_depth;
        self.risk = self.weighted(&[3, 2, 2, 1]) as u8;
        let n_structs = self.below(4);
        self.structs = vec![StructDef { fields: Vec::new() }; n_structs];
        let n_fns = self.below(7);
        for _ in 0..n_fns {
            let sig = self.signature();
            self.sigs.push(sig);
        }
        for i in 0..n_structs {
            let fields = self.fields(i);
            self.structs[i].fields = fields;
        }

        // Top-level code first: its `let`s are globals. Function bodies
        // see those of a few leading `let`s with literal initializers
        // (initialized before any function can run), now and then all of
        // them (then a call from an earlier initializer may read one
        // before it is set: `global NAME used before initialization`).
        // Top-level code and every function body get an equal share of
        // the fuel (bodies are generated last and would otherwise get
        // nothing).
        self.fuel_share = self.config().fuel / (n_fns as u32 + 1);
        self.set_fuel(self.fuel_share);
        self.ctx = BodyCtx::default();
        self.scope.clear();
        let mut statements = Vec::new();
        for _ in 0..self.below(4) {
            let t = self.ty(2);
            let v = self.fresh();
            let value = self.leaf(&t, true, 2);
            let mutable = self.chance(50);
            let kw = if mutable { "let mut" } else { "let" };
            statements.push(format!("{kw} {v}: {t} = {value};"));
            self.declare(v, t, mutable);
        }
        self.fn_globals = self.globals.len();
        for _ in 0..1 + self.below(12) {
            statements.push(self.stmt(d));
        }
        let threads = statements.iter().any(|s| s.contains("spawn "));
        if self.risk > 0 && self.chance(10) {
            self.fn_globals = self.globals.len();
        }

        let mut items: Vec<Part> = (0..n_structs)
            .map(|i| Part {
                text: self.struct_decl(i),
                item: Some(Item::Struct(i)),
            })
            .collect();
        for k in 0..n_fns {
            let text = self.function(k);
            items.push(Part {
                text,
                item: Some(Item::Function(k)),
            });
        }

        // Items may appear in any order, before or among statements.
        let mut parts: Vec<Part> = statements
            .into_iter()
            .map(|text| Part { text, item: None })
            .collect();
        let interleave = self.chance(30);
        for (n, item) in items.into_iter().enumerate() {
            let at = if interleave {
                self.below(parts.len() + 1)
            } else {
                n
            };
            parts.insert(at, item);
        }
        let source = render(&parts, &[]);

        let redefinition = if self.config().redefine && n_fns > 0 && self.chance(50) {
            Some(self.redefinition(&parts))
        } else {
            None
        };
        Program {
            source,
            redefinition,
            threads,
        }
    }

    fn signature(&mut self) -> Sig {
        let counted = self.chance(30);
        let mut params: Vec<Ty> = (0..self.below(4)).map(|_| self.ty(2)).collect();
        if counted {
            params.insert(0, Ty::Int);
        }
        let ret = if self.chance(80) {
            Some(self.ty(2))
        } else {
            None
        };
        Sig {
            params,
            ret,
            counted,
        }
    }

    /// Fields of struct `i`: a field holding another struct directly
    /// refers only to an earlier one (else it is optional), so every
    /// struct has a finite literal.
    fn fields(&mut self, i: usize) -> Vec<(String, Ty)> {
        (0..self.below(5))
            .map(|k| {
                let t = match self.ty(2) {
                    Ty::Struct(j) if j >= i => Ty::opt(Ty::Struct(j)),
                    t => t,
                };
                (format!("a{k}"), t)
            })
            .collect()
    }

    fn struct_decl(&self, i: usize) -> String {
        let fields: Vec<String> = self.structs[i]
            .fields
            .iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect();
        format!("struct S{i} {{ {} }}", fields.join(", "))
    }

    /// The definition of function `k` (a fresh body each call).
    fn function(&mut self, k: usize) -> String {
        let d = self.config().max_expr_depth;
        self.set_fuel(self.fuel_share);
        let sig = self.sigs[k].clone();
        self.ctx = BodyCtx {
            function: Some(k),
            loops: 0,
            blocks: 1,
            globals_visible: self.fn_globals,
        };
        self.scope.clear();
        self.scope.push();
        let mut params = Vec::new();
        for (n, t) in sig.params.iter().enumerate() {
            self.scope.declare(format!("p{n}"), t.clone(), false);
            params.push(format!("p{n}: {t}"));
        }
        let mut body = String::new();
        if sig.counted {
            let value = match &sig.ret {
                Some(t) => format!(" {}", self.leaf(t, true, 1)),
                None => String::new(),
            };
            body.push_str(&format!("\n    if p0 <= 0 {{ return{value}; }}"));
        }
        for _ in 0..self.below(6) {
            let s = self.stmt(d);
            body.push_str("\n    ");
            body.push_str(&s);
        }
        let ret = match &sig.ret {
            Some(t) => {
                let tail = self.expr(t, true, d);
                body.push_str("\n    ");
                body.push_str(&tail);
                format!(" -> {t}")
            }
            None => String::new(),
        };
        self.scope.clear();
        self.ctx = BodyCtx::default();
        format!("fn f{k}({}){ret} {{{body}\n}}", params.join(", "))
    }

    /// A new body for one function; sometimes also a struct with its
    /// fields reordered (a new layout: its live instances are migrated and
    /// the functions using it recompiled, while every use stays valid).
    fn redefinition(&mut self, parts: &[Part]) -> Redefinition {
        let k = self.below(self.sigs.len());
        let mut new = vec![(Item::Function(k), self.function(k))];
        let mut what = format!("f{k}");
        let reorderable: Vec<usize> = (0..self.structs.len())
            .filter(|&i| self.structs[i].fields.len() >= 2)
            .collect();
        if !reorderable.is_empty() && self.chance(40) {
            let i = *self.pick(&reorderable);
            let n = self.structs[i].fields.len();
            let by = 1 + self.below(n - 1);
            self.structs[i].fields.rotate_left(by);
            new.insert(0, (Item::Struct(i), self.struct_decl(i)));
            what.push_str(&format!(", S{i} (fields reordered)"));
        }
        let apply = if self.chance(50) {
            Apply::Reload(render(parts, &new))
        } else {
            let texts: Vec<&str> = new.iter().map(|(_, t)| t.as_str()).collect();
            Apply::Entry(texts.join("\n"))
        };
        // The call runs as a REPL entry: top-level code that sees every
        // global (it declares none: the only statement is the call).
        self.ctx = BodyCtx {
            globals_visible: self.globals.len(),
            ..BodyCtx::default()
        };
        let call = self.call(k, self.config().max_expr_depth);
        let call = if self.sigs[k].ret.is_some() && self.chance(50) {
            format!("println({call});")
        } else {
            format!("{call};")
        };
        Redefinition { what, apply, call }
    }
}

/// The file text, with the items of `replace` given new texts.
fn render(parts: &[Part], replace: &[(Item, String)]) -> String {
    let mut out = String::new();
    for p in parts {
        let new = replace.iter().find(|(item, _)| Some(*item) == p.item);
        out.push_str(new.map_or(&p.text, |(_, text)| text));
        out.push('\n');
    }
    out
}
