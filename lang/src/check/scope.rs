//! Per-function state: the locals table, lexical scopes and loops.
//!
//! Scopes are one hash map from name to the innermost [`LocalId`] plus an
//! undo log, so lookups are O(1) however deep the nesting or long the
//! function, and leaving a scope costs only what it declared.

use super::names::FxMap;
use crate::span::Span;
use crate::tir::{Local, LocalId};
use crate::types::Type;

/// How a local came to be (for assignment diagnostics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalKind {
    Param,
    Let,
    LoopVar,
    IfLet,
}

pub(crate) struct FnCtx<'a> {
    pub(crate) locals: Vec<Local>,
    pub(crate) kinds: Vec<LocalKind>,
    names: FxMap<&'a str, LocalId>,
    undo: Vec<(&'a str, Option<LocalId>)>,
    marks: Vec<usize>,
    /// One entry per enclosing loop: whether a `break` targets it.
    pub(crate) loops: Vec<bool>,
    /// The declared return type; `None` in `<main>` (no `return` there).
    pub(crate) ret: Option<Type>,
}

/// The scope state set aside while a global initializer is checked out of
/// turn.
pub(crate) struct SavedScope<'a> {
    names: FxMap<&'a str, LocalId>,
    undo: Vec<(&'a str, Option<LocalId>)>,
    marks: Vec<usize>,
    loops: Vec<bool>,
}

impl<'a> FnCtx<'a> {
    pub(crate) fn new(ret: Option<Type>) -> FnCtx<'a> {
        FnCtx {
            locals: Vec::new(),
            kinds: Vec::new(),
            names: FxMap::default(),
            undo: Vec::new(),
            marks: Vec::new(),
            loops: Vec::new(),
            ret,
        }
    }

    /// Start a new function, keeping the tables' allocations; returns the
    /// previous function's locals.
    pub(crate) fn reset(&mut self, ret: Option<Type>) -> Vec<Local> {
        self.kinds.clear();
        self.names.clear();
        self.undo.clear();
        self.marks.clear();
        self.loops.clear();
        self.ret = ret;
        std::mem::take(&mut self.locals)
    }

    pub(crate) fn push_scope(&mut self) {
        self.marks.push(self.undo.len());
    }

    pub(crate) fn pop_scope(&mut self) {
        let mark = self.marks.pop().unwrap_or(0);
        while self.undo.len() > mark {
            if let Some((name, prev)) = self.undo.pop() {
                match prev {
                    Some(id) => {
                        self.names.insert(name, id);
                    }
                    None => {
                        self.names.remove(name);
                    }
                }
            }
        }
    }

    /// A new local, not yet visible by name (see [`FnCtx::bind`]).
    pub(crate) fn new_local(
        &mut self,
        name: &str,
        ty: Type,
        mutable: bool,
        span: Span,
        kind: LocalKind,
    ) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local {
            name: name.to_string(),
            ty,
            mutable,
            span,
        });
        self.kinds.push(kind);
        id
    }

    /// Make `name` refer to `id` until the current scope ends.
    pub(crate) fn bind(&mut self, name: &'a str, id: LocalId) {
        let prev = self.names.insert(name, id);
        self.undo.push((name, prev));
    }

    pub(crate) fn declare(
        &mut self,
        name: &'a str,
        ty: Type,
        mutable: bool,
        span: Span,
        kind: LocalKind,
    ) -> LocalId {
        let id = self.new_local(name, ty, mutable, span, kind);
        self.bind(name, id);
        id
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<LocalId> {
        self.names.get(name).copied()
    }

    pub(crate) fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }

    pub(crate) fn kind(&self, id: LocalId) -> LocalKind {
        self.kinds[id.0 as usize]
    }

    /// Names visible now (for "did you mean").
    pub(crate) fn visible_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.names.keys().copied()
    }

    pub(crate) fn save_scope(&mut self) -> SavedScope<'a> {
        SavedScope {
            names: std::mem::take(&mut self.names),
            undo: std::mem::take(&mut self.undo),
            marks: std::mem::take(&mut self.marks),
            loops: std::mem::take(&mut self.loops),
        }
    }

    pub(crate) fn restore_scope(&mut self, saved: SavedScope<'a>) {
        self.names = saved.names;
        self.undo = saved.undo;
        self.marks = saved.marks;
        self.loops = saved.loops;
    }
}
