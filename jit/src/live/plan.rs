//! Planning a transaction: which definitions change in a way that affects
//! others, which existing functions must be re-checked and recompiled with
//! them, and the diagnostics when that would break something.
//!
//! | code  | rejection |
//! |-------|-----------|
//! | E0400 | a function's new signature breaks callers that are not redefined with it |
//! | E0401 | a struct's new fields break functions that use it |
//! | E0402 | a global's new type breaks functions that use it |
//! | E0403 | a function whose signature changes is stored as a value by top-level code |
//! | E0404 | a struct gains a field of a type without a zero value (struct, fn, chan, task) |
//! | E0405 | a struct whose layout changes is used by code a thread is running |
//! | E0406 | a change would break top-level code still running outside the engine (`ember run --watch`) |

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use ember_lang::ast::{self, TopLevel};
use ember_lang::deps::{DepGraph, Deps};
use ember_lang::tir::Program;
use ember_lang::types::{FnType, Type};
use ember_lang::{Diagnostic, Env, Span};

/// What a checked input changes that others depend on.
#[derive(Debug, Default)]
pub struct Ripple {
    /// Functions whose signature changes: old and new.
    pub signatures: BTreeMap<String, (FnType, FnType)>,
    /// Structs whose fields change (existing structs only).
    pub structs: BTreeSet<String>,
    /// Globals whose type changes: old and new.
    pub globals: BTreeMap<String, (Type, Type)>,
    /// Existing functions, not in the input, that use any of the above and
    /// must be re-checked and recompiled in the same transaction.
    pub dependents: BTreeSet<String>,
}

impl Ripple {
    /// Nothing outside the input is affected.
    pub fn is_empty(&self) -> bool {
        self.dependents.is_empty()
            && self.signatures.is_empty()
            && self.structs.is_empty()
            && self.globals.is_empty()
    }
}

/// Compare what `program` defines with `env` and collect the dependents
/// (from `graph`) that must be re-checked. `removed` are functions a file
/// reload removes (their users are dependents too).
pub fn ripple(program: &Program, env: &Env, graph: &DepGraph) -> Ripple {
    let mut r = Ripple::default();
    let defined: BTreeSet<&str> = program.functions.iter().map(|f| f.name.as_str()).collect();
    for f in &program.functions {
        if let Some(old) = env.functions.get(&f.name) {
            if *old != f.sig {
                r.signatures
                    .insert(f.name.clone(), (old.clone(), f.sig.clone()));
                r.dependents.extend(graph.dependents_of_function(&f.name));
            }
        }
    }
    for s in &program.structs {
        if let Some(old) = env.structs.get(&s.name) {
            if old.fields != s.fields {
                r.structs.insert(s.name.clone());
                r.dependents.extend(graph.users_of_struct(&s.name));
            }
        }
    }
    for g in &program.globals {
        if let Some(old) = env.globals.get(&g.name) {
            if old.ty != g.ty {
                r.globals
                    .insert(g.name.clone(), (old.ty.clone(), g.ty.clone()));
                r.dependents.extend(graph.users_of_global(&g.name));
            }
        }
    }
    r.dependents.retain(|d| {
        !defined.contains(d.as_str()) && d != "<main>" && env.functions.contains_key(d)
    });
    r
}

/// `module` with the current declarations of `dependents` appended (they
/// are checked together, so callers see the new signatures and layouts).
pub fn with_dependents(
    module: &ast::Module,
    dependents: &BTreeSet<String>,
    decls: &HashMap<String, Arc<ast::FnDecl>>,
) -> ast::Module {
    let mut m = module.clone();
    for d in dependents {
        if let Some(decl) = decls.get(d) {
            m.items.push(TopLevel::Fn((**decl).clone()));
        }
    }
    m
}

/// The function (among `dependents`) whose declaration contains `span`.
fn owner<'a>(
    span: Span,
    dependents: &'a BTreeSet<String>,
    decls: &HashMap<String, Arc<ast::FnDecl>>,
) -> Option<&'a str> {
    dependents.iter().map(String::as_str).find(|d| {
        decls.get(*d).is_some_and(|f| {
            f.span.file == span.file && f.span.lo <= span.lo && span.hi <= f.span.hi
        })
    })
}

/// Turn the errors of re-checking the dependents into a rejection: one
/// headline per change that breaks something, naming each function that
/// would break, followed by the errors themselves. `spans` gives each
/// changed item's name span in the input.
pub fn rejection(
    ripple: &Ripple,
    errors: Vec<Diagnostic>,
    graph: &DepGraph,
    decls: &HashMap<String, Arc<ast::FnDecl>>,
    spans: &HashMap<String, Span>,
) -> Vec<Diagnostic> {
    let broken: BTreeSet<&str> = errors
        .iter()
        .filter_map(|d| owner(d.primary, &ripple.dependents, decls))
        .collect();
    if broken.is_empty() {
        // The input itself is wrong; its own errors say why.
        return errors;
    }
    let list = |names: &BTreeSet<String>| -> Vec<String> {
        names
            .iter()
            .filter(|n| broken.contains(n.as_str()))
            .map(|n| format!("`{n}`"))
            .collect()
    };
    let span_of = |name: &str| spans.get(name).copied().unwrap_or_default();
    let mut out = Vec::new();
    for (name, (old, new)) in &ripple.signatures {
        let users = list(&graph.dependents_of_function(name));
        if users.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::error(
                "E0400",
                format!(
                    "changing the signature of `{name}` would break {}: {}",
                    plural(users.len(), "caller", "callers"),
                    users.join(", ")
                ),
                span_of(name),
            )
            .with_label(format!("now {new}"))
            .with_note(format!("`{name}` was {old}"))
            .with_help("redefine the callers in the same entry, or keep the old signature"),
        );
    }
    for name in &ripple.structs {
        let users = list(&graph.users_of_struct(name));
        if users.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::error(
                "E0401",
                format!(
                    "changing struct `{name}` would break {}: {}",
                    plural(users.len(), "function", "functions"),
                    users.join(", ")
                ),
                span_of(name),
            )
            .with_help("redefine those functions in the same entry"),
        );
    }
    for (name, (old, new)) in &ripple.globals {
        let users = list(&graph.users_of_global(name));
        if users.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::error(
                "E0402",
                format!(
                    "changing the type of global `{name}` would break {}: {}",
                    plural(users.len(), "function", "functions"),
                    users.join(", ")
                ),
                span_of(name),
            )
            .with_label(format!("now {new}"))
            .with_note(format!("`{name}` was {old}")),
        );
    }
    out.extend(errors);
    out
}

/// Signature changes of functions that top-level code stored as values
/// (`escaped`: name → where): those values keep the old type, so the
/// change is refused.
pub fn escaped_values(
    ripple: &Ripple,
    escaped: &HashMap<String, String>,
    spans: &HashMap<String, Span>,
) -> Vec<Diagnostic> {
    ripple
        .signatures
        .iter()
        .filter_map(|(name, (old, new))| {
            let place = escaped.get(name)?;
            Some(
                Diagnostic::error(
                    "E0403",
                    format!("cannot change the signature of `{name}`: it is stored as a function value"),
                    spans.get(name).copied().unwrap_or_default(),
                )
                .with_label(format!("now {new}"))
                .with_note(format!(
                    "top-level code of {place} took `{name}` as a value of type {old}; that value may still be called"
                ))
                .with_help("keep the signature, or define the new version under another name"),
            )
        })
        .collect()
}

/// Changes that would break top-level code still running (it cannot be
/// recompiled while it runs): a signature it calls, the type of a global
/// it uses.
pub fn breaks_running_main(
    ripple: &Ripple,
    uses: &Deps,
    source: &str,
    spans: &HashMap<String, Span>,
) -> Vec<Diagnostic> {
    let span_of = |name: &str| spans.get(name).copied().unwrap_or_default();
    let mut out = Vec::new();
    for (name, (old, new)) in &ripple.signatures {
        if uses.calls.contains(name) || uses.fn_values.contains(name) {
            out.push(
                Diagnostic::error(
                    "E0406",
                    format!("cannot change the signature of `{name}`: the top-level code of {source} is running and calls it"),
                    span_of(name),
                )
                .with_label(format!("now {new}"))
                .with_note(format!("`{name}` was {old}; running top-level code cannot be recompiled"))
                .with_help("keep the signature, or define the new version under another name"),
            );
        }
    }
    for (name, (old, new)) in &ripple.globals {
        if uses.globals.contains(name) {
            out.push(
                Diagnostic::error(
                    "E0406",
                    format!("cannot change the type of global `{name}`: the top-level code of {source} is running and uses it"),
                    span_of(name),
                )
                .with_label(format!("now {new}"))
                .with_note(format!("`{name}` was {old}; running top-level code cannot be recompiled")),
            );
        }
    }
    out
}

/// New fields without a zero value in changed structs (LANGUAGE.md §7).
pub fn fields_without_zero(
    program: &Program,
    ripple: &Ripple,
    env: &Env,
    spans: &HashMap<String, Span>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in program
        .structs
        .iter()
        .filter(|s| ripple.structs.contains(&s.name))
    {
        let old = &env.structs[&s.name];
        for (field, ty) in &s.fields {
            let kept = old.fields.iter().any(|(n, t)| n == field && t == ty);
            if kept || has_zero_value(ty) {
                continue;
            }
            out.push(
                Diagnostic::error(
                    "E0404",
                    format!("new field `{field}` of struct `{}` has no zero value for existing instances", s.name),
                    spans.get(&s.name).copied().unwrap_or(s.span),
                )
                .with_label(format!("`{field}: {ty}` added"))
                .with_note("existing instances get zero values for new fields; a struct, fn, chan or task type has none")
                .with_help(format!("make it optional: `{field}: {ty}?`")),
            );
        }
    }
    out
}

/// Does `ty` have a zero value for migrated instances?
pub fn has_zero_value(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Int
            | Type::Float
            | Type::Bool
            | Type::Str
            | Type::Unit
            | Type::Array(_)
            | Type::Map(..)
            | Type::Optional(_)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
