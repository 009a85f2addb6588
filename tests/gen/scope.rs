//! Variables in scope while generating a body.

use super::{Gen, Ty};

/// A variable: a local, a parameter or a global.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
}

/// Nested blocks of locals (parameters are the outermost block).
#[derive(Clone, Debug, Default)]
pub struct Scope {
    blocks: Vec<Vec<Var>>,
}

impl Scope {
    pub fn push(&mut self) {
        self.blocks.push(Vec::new());
    }

    pub fn pop(&mut self) {
        self.blocks.pop();
    }

    pub fn declare(&mut self, name: String, ty: Ty, mutable: bool) {
        if self.blocks.is_empty() {
            self.push();
        }
        let block = self.blocks.last_mut().expect("a block");
        block.push(Var { name, ty, mutable });
    }

    pub fn locals(&self) -> impl Iterator<Item = &Var> {
        self.blocks.iter().flatten()
    }

    /// Forget every local (a new body starts).
    pub fn clear(&mut self) {
        self.blocks.clear();
    }
}

impl Gen<'_, '_> {
    /// Every variable visible here that satisfies `want`.
    pub(crate) fn vars_where(&self, want: impl Fn(&Var) -> bool) -> Vec<Var> {
        let globals = &self.globals[..self.ctx.globals_visible.min(self.globals.len())];
        self.scope
            .locals()
            .chain(globals.iter())
            .filter(|v| want(v))
            .cloned()
            .collect()
    }

    /// A variable of exactly type `ty`, if one is visible.
    pub(crate) fn var_of(&mut self, ty: &Ty) -> Option<Var> {
        let vars = self.vars_where(|v| &v.ty == ty);
        if vars.is_empty() {
            None
        } else {
            Some(self.pick(&vars).clone())
        }
    }

    /// Declare a local (or, in top-level code outside any block, a global:
    /// a top-level `let` declares one).
    pub(crate) fn declare(&mut self, name: String, ty: Ty, mutable: bool) {
        if self.ctx.function.is_none() && self.ctx.blocks == 0 {
            self.globals.push(Var { name, ty, mutable });
            self.ctx.globals_visible = self.globals.len();
        } else {
            self.scope.declare(name, ty, mutable);
        }
    }
}
