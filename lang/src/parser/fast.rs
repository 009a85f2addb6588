//! The fast path: a hand-written recursive-descent parser for input without
//! errors.
//!
//! It accepts exactly the language of `grammar.lalrpop` (the same modes, the
//! same node shapes and spans) but has no error handling at all: at the
//! first thing it does not expect — a syntax error, a lexical error, the
//! nesting limit, a `9223372036854775808` not negated, a long run of tokens without a node
//! (see [`MAX_RUN`]) or deep nesting ([`MAX_DEPTH`]) — it gives up, and
//! [`super::parse`] parses the input again with the lalrpop parser, which
//! produces the diagnostics and does the recovery. So valid input is parsed
//! once, fast, and everything else exactly as before.
//!
//! Invariant (tested in `parser/tests.rs` against the lalrpop parser on
//! every test program and on random token sequences): whenever this parser
//! returns a module, the lalrpop parser returns an equal module and no
//! diagnostic.

use super::{end_with_semi, is_comparison, precedence, top_stmt, Mode, Shared, Stream};
use crate::ast::{
    self, BinOp, Block, Expr, ExprKind, FieldDecl, FnDecl, ForIter, Ident, Name, Param, Stmt,
    StmtKind, StructDecl, TopLevel, TypeExpr, TypeExprKind, UnOp,
};
use crate::check::names::FxMap;
use crate::lexer::{self, Spanned, Tok};
use crate::{FileId, Span};

/// Tokens consumed without building a node after which the fast path gives
/// up. Well below the stream's own limit (`SKIP_RUN`), so that the lalrpop
/// parser would never have counted a skipping run on input accepted here.
const MAX_RUN: u32 = 32;

/// Recursion depth (nested expressions, blocks and types) after which the
/// fast path gives up: deeper input goes to the lalrpop parser, which does
/// not recurse.
const MAX_DEPTH: u32 = 96;

/// The fast path gave up; parse again with the lalrpop parser.
struct Bail;

type R<T> = Result<T, Bail>;

/// Expression modes of the grammar: `E` any expression, `N` no struct
/// literal and no `return`/`break`/`continue` (heads of `if`, `while`,
/// `for`), `S` statement start (no block-like expression leftmost).
#[derive(Clone, Copy, PartialEq, Eq)]
enum M {
    E,
    N,
    S,
}

impl M {
    /// The mode of every operand but the leftmost.
    fn rest(self) -> M {
        match self {
            M::N => M::N,
            M::E | M::S => M::E,
        }
    }
}

/// Parse `src` if it has no lexical or syntax error; `None` otherwise.
pub(super) fn parse(file: FileId, src: &str, mode: Mode) -> Option<ast::Module> {
    let shared = Shared::default();
    let mut p = P {
        stream: Stream::new(file, src, &[], Some(&shared)),
        shared: &shared,
        file,
        cur: None,
        last_hi: 0,
        run: 0,
        pending_min: None,
        depth: 0,
        after_jump: false,
        stmts: Vec::new(),
        exprs: Vec::new(),
        names: FxMap::default(),
    };
    p.cur = p.stream.next();
    let module = p.module(mode).ok()?;
    if p.pending_min.is_some() {
        return None;
    }
    drop(p);
    if shared.truncated.get() || !shared.lex_diags.borrow().is_empty() {
        return None;
    }
    Some(module)
}

struct P<'a> {
    stream: Stream<'a>,
    shared: &'a Shared,
    file: FileId,
    /// The lookahead token.
    cur: Option<Spanned<'a>>,
    /// The end of the last consumed token (lalrpop's `@R`).
    last_hi: usize,
    /// Tokens consumed since the last node was built.
    run: u32,
    /// The span of a `9223372036854775808` literal not (yet) negated.
    pending_min: Option<Span>,
    depth: u32,
    /// Statements of the enclosing blocks (see `block`).
    stmts: Vec<Stmt>,
    /// Elements of the enclosing lists (see `args`).
    exprs: Vec<Expr>,
    /// A `??` operand was a jump: the expression ends there.
    after_jump: bool,
    /// Every name seen so far: occurrences of a name share its text.
    names: FxMap<&'a str, Name>,
}

fn binop(t: Tok<'_>) -> Option<BinOp> {
    Some(match t {
        Tok::QuestionQuestion => BinOp::Coalesce,
        Tok::OrOr => BinOp::Or,
        Tok::AndAnd => BinOp::And,
        Tok::EqEq => BinOp::Eq,
        Tok::Ne => BinOp::Ne,
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::Pipe => BinOp::BitOr,
        Tok::Caret => BinOp::BitXor,
        Tok::Amp => BinOp::BitAnd,
        Tok::Shl => BinOp::Shl,
        Tok::Shr => BinOp::Shr,
        Tok::Plus => BinOp::Add,
        Tok::Minus => BinOp::Sub,
        Tok::Star => BinOp::Mul,
        Tok::Slash => BinOp::Div,
        Tok::Percent => BinOp::Rem,
        _ => return None,
    })
}

fn assign_op(t: Tok<'_>) -> Option<Option<BinOp>> {
    Some(match t {
        Tok::Eq => None,
        Tok::PlusEq => Some(BinOp::Add),
        Tok::MinusEq => Some(BinOp::Sub),
        Tok::StarEq => Some(BinOp::Mul),
        Tok::SlashEq => Some(BinOp::Div),
        Tok::PercentEq => Some(BinOp::Rem),
        _ => return None,
    })
}

/// Tokens that can start an expression in mode `E` (after `return`).
fn starts_expr(t: Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Return
            | Tok::Break
            | Tok::Continue
            | Tok::Minus
            | Tok::Bang
            | Tok::Spawn
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::True
            | Tok::False
            | Tok::None
            | Tok::Ident(_)
            | Tok::LParen
            | Tok::LBracket
            | Tok::LBrace
            | Tok::If
            | Tok::While
            | Tok::For
    )
}

fn is_block_like(t: Tok<'_>) -> bool {
    matches!(t, Tok::If | Tok::While | Tok::For | Tok::LBrace)
}

impl<'a> P<'a> {
    // ------------------------------------------------------------ tokens

    fn peek(&self) -> Option<Tok<'a>> {
        self.cur.map(|t| t.1)
    }

    fn at(&self, t: Tok<'_>) -> bool {
        self.cur.is_some_and(|c| c.1 == t)
    }

    /// The start of the lookahead token (lalrpop's `@L`).
    fn lo(&self) -> R<usize> {
        self.cur.map(|t| t.0).ok_or(Bail)
    }

    fn bump(&mut self) -> R<Spanned<'a>> {
        let t = self.cur.ok_or(Bail)?;
        self.last_hi = t.2;
        self.run += 1;
        if self.run >= MAX_RUN {
            return Err(Bail);
        }
        self.cur = self.stream.next();
        Ok(t)
    }

    fn expect(&mut self, t: Tok<'_>) -> R<Spanned<'a>> {
        if self.at(t) {
            self.bump()
        } else {
            Err(Bail)
        }
    }

    /// Consume `t` if it is the lookahead.
    fn eat(&mut self, t: Tok<'_>) -> R<bool> {
        if self.at(t) {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn span(&mut self, l: usize, r: usize) -> Span {
        // A node: the heartbeat of the stream (as in `St::span`).
        self.run = 0;
        self.shared.since_action.set(0);
        Span::new(self.file, l, r)
    }

    fn expr_node(&mut self, kind: ExprKind, l: usize) -> Expr {
        let span = self.span(l, self.last_hi);
        Expr { kind, span }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn intern(&mut self, s: &'a str) -> Name {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: Name = Name::from(s);
        self.names.insert(s, n.clone());
        n
    }

    fn ident(&mut self) -> R<Ident> {
        match self.cur {
            Some((l, Tok::Ident(s), r)) => {
                self.bump()?;
                Ok(Ident {
                    name: self.intern(s),
                    span: self.span(l, r),
                })
            }
            _ => Err(Bail),
        }
    }

    // ------------------------------------------------------------ items

    fn module(&mut self, mode: Mode) -> R<ast::Module> {
        let mut items: Vec<TopLevel> = Vec::new();
        let mut tail = None;
        while let Some(t) = self.peek() {
            match t {
                Tok::Fn => {
                    let f = self.fn_decl()?;
                    items.push(TopLevel::Fn(f));
                }
                Tok::Struct => {
                    let s = self.struct_decl()?;
                    items.push(TopLevel::Struct(s));
                }
                Tok::Semi => {
                    let (l, _, r) = self.bump()?;
                    let sp = self.span(l, r);
                    if let Some(TopLevel::Stmt(s)) = items.last_mut() {
                        end_with_semi(Some(s), sp);
                    }
                }
                _ => match self.stmt()? {
                    Parsed::Stmt(s) => items.push(top_stmt(s)),
                    // At the end of input without `;`: allowed in an entry.
                    Parsed::Last(s) => {
                        if self.cur.is_some() || mode == Mode::File {
                            return Err(Bail);
                        }
                        items.push(top_stmt(s));
                    }
                    Parsed::LastLet(s) => {
                        if self.cur.is_some() || mode == Mode::File {
                            return Err(Bail);
                        }
                        items.push(top_stmt(s));
                    }
                    Parsed::Tail(e) => {
                        if self.cur.is_some() || mode == Mode::File {
                            return Err(Bail);
                        }
                        tail = Some(e);
                    }
                },
            }
        }
        if mode == Mode::Entry && tail.is_none() {
            if let Some(TopLevel::Stmt(Stmt {
                kind: StmtKind::Expr { semi: false, .. },
                ..
            })) = items.last()
            {
                if let Some(TopLevel::Stmt(Stmt {
                    kind: StmtKind::Expr { expr, .. },
                    ..
                })) = items.pop()
                {
                    tail = Some(expr);
                }
            }
        }
        Ok(ast::Module { items, tail })
    }

    fn fn_decl(&mut self) -> R<FnDecl> {
        let (l, _, _) = self.expect(Tok::Fn)?;
        let name = self.ident()?;
        self.expect(Tok::LParen)?;
        let mut params = Vec::new();
        while !self.at(Tok::RParen) {
            let name = self.ident()?;
            self.expect(Tok::Colon)?;
            let ty = self.ty()?;
            params.push(Param { name, ty });
            if !self.eat(Tok::Comma)? {
                break;
            }
        }
        self.expect(Tok::RParen)?;
        let ret = if self.eat(Tok::Arrow)? {
            Some(self.ty()?)
        } else {
            None
        };
        let body = self.block()?;
        let span = self.span(l, self.last_hi);
        Ok(FnDecl {
            name,
            params,
            ret,
            body,
            span,
        })
    }

    fn struct_decl(&mut self) -> R<StructDecl> {
        let (l, _, _) = self.expect(Tok::Struct)?;
        let name = self.ident()?;
        self.expect(Tok::LBrace)?;
        let mut fields = Vec::new();
        while !self.at(Tok::RBrace) {
            let name = self.ident()?;
            self.expect(Tok::Colon)?;
            let ty = self.ty()?;
            fields.push(FieldDecl { name, ty });
            if !self.eat(Tok::Comma)? {
                break;
            }
        }
        self.expect(Tok::RBrace)?;
        let span = self.span(l, self.last_hi);
        Ok(StructDecl { name, fields, span })
    }

    // ------------------------------------------------------------ types

    fn ty(&mut self) -> R<TypeExpr> {
        self.enter()?;
        let t = if self.at(Tok::Fn) {
            let (l, _, _) = self.bump()?;
            self.expect(Tok::LParen)?;
            let params = self.type_list(Tok::RParen)?;
            let ret = if self.eat(Tok::Arrow)? {
                Some(Box::new(self.ty()?))
            } else {
                None
            };
            let span = self.span(l, self.last_hi);
            TypeExpr {
                kind: TypeExprKind::Fn(params, ret),
                span,
            }
        } else {
            let l = self.lo()?;
            let mut t = self.type_atom()?;
            loop {
                match self.cur {
                    Some((_, Tok::Question, r)) => {
                        self.bump()?;
                        let span = self.span(l, r);
                        t = TypeExpr {
                            kind: TypeExprKind::Optional(Box::new(t)),
                            span,
                        };
                    }
                    // `T??` lexes as one `??` token.
                    Some((m, Tok::QuestionQuestion, r)) => {
                        self.bump()?;
                        let inner_span = self.span(l, m + 1);
                        let inner = TypeExpr {
                            kind: TypeExprKind::Optional(Box::new(t)),
                            span: inner_span,
                        };
                        let span = self.span(l, r);
                        t = TypeExpr {
                            kind: TypeExprKind::Optional(Box::new(inner)),
                            span,
                        };
                    }
                    _ => break,
                }
            }
            t
        };
        self.leave();
        Ok(t)
    }

    /// `Comma<Type>` and the closing token.
    fn type_list(&mut self, close: Tok<'_>) -> R<Vec<TypeExpr>> {
        let mut v = Vec::new();
        while !self.at(close) {
            v.push(self.ty()?);
            if !self.eat(Tok::Comma)? {
                break;
            }
        }
        self.expect(close)?;
        Ok(v)
    }

    /// After `as`: an atom with `?` suffixes only.
    fn cast_type(&mut self) -> R<TypeExpr> {
        let l = self.lo()?;
        let mut t = self.type_atom()?;
        while let Some((_, Tok::Question, r)) = self.cur {
            self.bump()?;
            let span = self.span(l, r);
            t = TypeExpr {
                kind: TypeExprKind::Optional(Box::new(t)),
                span,
            };
        }
        Ok(t)
    }

    fn type_atom(&mut self) -> R<TypeExpr> {
        let (l, tok, r) = self.cur.ok_or(Bail)?;
        self.enter()?;
        let t = match tok {
            Tok::Ident(n) => {
                self.bump()?;
                if self.at(Tok::LBracket) {
                    self.bump()?;
                    let mut args = self.type_list(Tok::RBracket)?;
                    let kind = match (n, args.len()) {
                        ("map", 2) => {
                            let v = args.pop().ok_or(Bail)?;
                            let k = args.pop().ok_or(Bail)?;
                            TypeExprKind::Map(Box::new(k), Box::new(v))
                        }
                        ("chan", 1) => TypeExprKind::Chan(Box::new(args.pop().ok_or(Bail)?)),
                        _ => return Err(Bail),
                    };
                    let span = self.span(l, self.last_hi);
                    TypeExpr { kind, span }
                } else {
                    let span = self.span(l, r);
                    TypeExpr {
                        kind: TypeExprKind::Named(self.intern(n)),
                        span,
                    }
                }
            }
            Tok::LParen => {
                self.bump()?;
                if self.at(Tok::RParen) {
                    let (_, _, r) = self.bump()?;
                    let span = self.span(l, r);
                    TypeExpr {
                        kind: TypeExprKind::Unit,
                        span,
                    }
                } else {
                    let t = self.ty()?;
                    self.expect(Tok::RParen)?;
                    t
                }
            }
            Tok::LBracket => {
                self.bump()?;
                let t = self.ty()?;
                self.expect(Tok::RBracket)?;
                let span = self.span(l, self.last_hi);
                TypeExpr {
                    kind: TypeExprKind::Array(Box::new(t)),
                    span,
                }
            }
            _ => return Err(Bail),
        };
        self.leave();
        Ok(t)
    }

    // ------------------------------------------------------------ statements

    /// One statement (not `;`, `fn` or `struct`), or what may end a block or
    /// module without `;`.
    fn stmt(&mut self) -> R<Parsed> {
        let l = self.lo()?;
        match self.peek() {
            Some(Tok::Let) => {
                self.bump()?;
                let mutable = self.eat(Tok::Mut)?;
                let name = self.ident()?;
                let ty = if self.eat(Tok::Colon)? {
                    Some(self.ty()?)
                } else {
                    None
                };
                self.expect(Tok::Eq)?;
                let init = self.expr(M::E)?;
                let semi = self.eat(Tok::Semi)?;
                let span = self.span(l, self.last_hi);
                let s = Stmt {
                    kind: StmtKind::Let {
                        name,
                        mutable,
                        ty,
                        init,
                    },
                    span,
                };
                Ok(if semi {
                    Parsed::Stmt(s)
                } else {
                    Parsed::LastLet(s)
                })
            }
            Some(t) if is_block_like(t) => {
                let e = self.block_like()?;
                let span = e.span;
                Ok(Parsed::Stmt(Stmt {
                    kind: StmtKind::Expr {
                        expr: e,
                        semi: false,
                    },
                    span,
                }))
            }
            Some(_) => {
                let target = self.expr(M::S)?;
                if let Some(op) = self.peek().and_then(assign_op) {
                    self.bump()?;
                    let value = self.expr(M::E)?;
                    let semi = self.eat(Tok::Semi)?;
                    let span = self.span(l, self.last_hi);
                    let s = Stmt {
                        kind: StmtKind::Assign { target, op, value },
                        span,
                    };
                    Ok(if semi {
                        Parsed::Stmt(s)
                    } else {
                        Parsed::Last(s)
                    })
                } else if self.eat(Tok::Semi)? {
                    let span = self.span(l, self.last_hi);
                    Ok(Parsed::Stmt(Stmt {
                        kind: StmtKind::Expr {
                            expr: target,
                            semi: true,
                        },
                        span,
                    }))
                } else {
                    Ok(Parsed::Tail(target))
                }
            }
            None => Err(Bail),
        }
    }

    fn block(&mut self) -> R<Block> {
        self.enter()?;
        let (l, _, _) = self.expect(Tok::LBrace)?;
        // This block's statements are gathered on `self.stmts` (above
        // `base`) and moved into a vector of the exact size at the end.
        let base = self.stmts.len();
        let mut tail = None;
        loop {
            match self.peek() {
                Some(Tok::RBrace) => break,
                Some(Tok::Semi) => {
                    let (sl, _, sr) = self.bump()?;
                    let sp = self.span(sl, sr);
                    if self.stmts.len() > base {
                        end_with_semi(self.stmts.last_mut(), sp);
                    }
                }
                Some(Tok::Fn | Tok::Struct) | None => return Err(Bail),
                Some(_) => match self.stmt()? {
                    Parsed::Stmt(s) => self.stmts.push(s),
                    Parsed::Last(s) => {
                        if !self.at(Tok::RBrace) {
                            return Err(Bail);
                        }
                        self.stmts.push(s);
                        break;
                    }
                    Parsed::LastLet(_) => return Err(Bail),
                    Parsed::Tail(e) => {
                        if !self.at(Tok::RBrace) {
                            return Err(Bail);
                        }
                        tail = Some(Box::new(e));
                        break;
                    }
                },
            }
        }
        self.expect(Tok::RBrace)?;
        if tail.is_none() && self.stmts.len() > base {
            if let Some(Stmt {
                kind: StmtKind::Expr { semi: false, .. },
                ..
            }) = self.stmts.last()
            {
                if let Some(Stmt {
                    kind: StmtKind::Expr { expr, .. },
                    ..
                }) = self.stmts.pop()
                {
                    tail = Some(Box::new(expr));
                }
            }
        }
        let stmts: Vec<Stmt> = self.stmts.drain(base..).collect();
        let span = self.span(l, self.last_hi);
        self.leave();
        Ok(Block { stmts, tail, span })
    }

    // ------------------------------------------------------------ expressions

    /// `Expr<M, R>`: a chain of binary operators, or a jump.
    fn expr(&mut self, m: M) -> R<Expr> {
        self.enter()?;
        let e = self.expr_inner(m)?;
        self.leave();
        Ok(e)
    }

    fn expr_inner(&mut self, m: M) -> R<Expr> {
        if m != M::N && matches!(self.peek(), Some(Tok::Return | Tok::Break | Tok::Continue)) {
            return self.jump();
        }
        let saved = std::mem::replace(&mut self.after_jump, false);
        let first = self.cast(m)?;
        let e = self.binary(m, first, 0)?;
        // After `?? return ...` (or `break`, `continue`) the expression
        // ends: no operator may follow.
        if self.after_jump && self.peek().and_then(binop).is_some() {
            return Err(Bail);
        }
        self.after_jump = saved;
        Ok(e)
    }

    /// Operators of precedence `min` and above after `lhs` (precedence
    /// climbing; the same tree as `St::fold`: `??` is right-associative,
    /// every other operator left-associative, comparisons do not chain).
    fn binary(&mut self, m: M, mut lhs: Expr, min: u8) -> R<Expr> {
        while let Some(op) = self.peek().and_then(binop) {
            let p = precedence(op);
            if p < min || self.after_jump {
                break;
            }
            let (ol, _, or) = self.bump()?;
            self.span(ol, or);
            let mut rhs = if op == BinOp::Coalesce
                && matches!(self.peek(), Some(Tok::Return | Tok::Break | Tok::Continue))
            {
                if m == M::N {
                    return Err(Bail);
                }
                let j = self.jump()?;
                self.after_jump = true;
                j
            } else {
                self.cast(m.rest())?
            };
            while let Some(next) = self.peek().and_then(binop) {
                let np = precedence(next);
                if self.after_jump || np < p || (np == p && next != BinOp::Coalesce) {
                    break;
                }
                self.enter()?;
                rhs = self.binary(m, rhs, if np > p { p + 1 } else { p })?;
                self.leave();
            }
            if is_comparison(op) {
                if let ExprKind::Binary { op: first, .. } = &lhs.kind {
                    if is_comparison(*first) {
                        return Err(Bail);
                    }
                }
            }
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        Ok(lhs)
    }

    fn jump(&mut self) -> R<Expr> {
        let (l, t, _) = self.bump()?;
        let kind = match t {
            Tok::Return => {
                let e = match self.peek() {
                    Some(t) if starts_expr(t) => Some(Box::new(self.expr(M::E)?)),
                    _ => None,
                };
                ExprKind::Return(e)
            }
            Tok::Break => ExprKind::Break,
            Tok::Continue => ExprKind::Continue,
            _ => return Err(Bail),
        };
        Ok(self.expr_node(kind, l))
    }

    fn cast(&mut self, m: M) -> R<Expr> {
        let l = self.lo()?;
        let mut e = self.unary(m)?;
        while self.eat(Tok::As)? {
            let ty = self.cast_type()?;
            e = self.expr_node(
                ExprKind::Cast {
                    expr: Box::new(e),
                    ty,
                },
                l,
            );
        }
        Ok(e)
    }

    fn unary(&mut self, m: M) -> R<Expr> {
        let (l, t, _) = self.cur.ok_or(Bail)?;
        match t {
            Tok::Minus | Tok::Bang | Tok::Spawn => {
                self.bump()?;
                self.enter()?;
                let operand = self.unary(m.rest())?;
                self.leave();
                if t == Tok::Minus
                    && operand.kind == ExprKind::Int(i64::MIN)
                    && self.pending_min == Some(operand.span)
                {
                    self.pending_min = None;
                    return Ok(self.expr_node(ExprKind::Int(i64::MIN), l));
                }
                let kind = match t {
                    Tok::Minus => ExprKind::Unary {
                        op: UnOp::Neg,
                        operand: Box::new(operand),
                    },
                    Tok::Bang => ExprKind::Unary {
                        op: UnOp::Not,
                        operand: Box::new(operand),
                    },
                    _ => ExprKind::Spawn(Box::new(spawn_call(operand)?)),
                };
                Ok(self.expr_node(kind, l))
            }
            _ => self.postfix(m),
        }
    }

    fn postfix(&mut self, m: M) -> R<Expr> {
        let l = self.lo()?;
        let mut e = self.primary(m)?;
        loop {
            match self.peek() {
                Some(Tok::LParen) => {
                    self.bump()?;
                    let args = self.args(Tok::RParen)?;
                    e = self.expr_node(
                        ExprKind::Call {
                            callee: Box::new(e),
                            args,
                        },
                        l,
                    );
                }
                Some(Tok::LBracket) => {
                    self.bump()?;
                    let index = self.expr(M::E)?;
                    self.expect(Tok::RBracket)?;
                    e = self.expr_node(
                        ExprKind::Index {
                            expr: Box::new(e),
                            index: Box::new(index),
                        },
                        l,
                    );
                }
                Some(Tok::Dot) => {
                    self.bump()?;
                    let name = self.ident()?;
                    if self.eat(Tok::LParen)? {
                        let args = self.args(Tok::RParen)?;
                        e = self.expr_node(
                            ExprKind::MethodCall {
                                receiver: Box::new(e),
                                method: name,
                                args,
                            },
                            l,
                        );
                    } else {
                        e = self.expr_node(
                            ExprKind::Field {
                                expr: Box::new(e),
                                field: name,
                            },
                            l,
                        );
                    }
                }
                Some(Tok::Bang) => {
                    self.bump()?;
                    e = self.expr_node(ExprKind::Unwrap(Box::new(e)), l);
                }
                _ => return Ok(e),
            }
        }
    }

    /// `Exprs?` and the closing token.
    fn args(&mut self, close: Tok<'_>) -> R<Vec<Expr>> {
        // Gathered on `self.exprs`, then moved into an exact-size vector.
        let base = self.exprs.len();
        while !self.at(close) {
            let e = self.expr(M::E)?;
            self.exprs.push(e);
            if !self.eat(Tok::Comma)? {
                break;
            }
        }
        self.expect(close)?;
        Ok(self.exprs.drain(base..).collect())
    }

    fn primary(&mut self, m: M) -> R<Expr> {
        let (l, t, _) = self.cur.ok_or(Bail)?;
        let kind = match t {
            // `9223372036854775808` is valid only as the operand of a unary
            // minus (see `unary`); one at a time, else leave it (and its
            // diagnostics) to the lalrpop parser.
            Tok::Int(n) if n >= 1 << 63 => {
                if self.pending_min.is_some() {
                    return Err(Bail);
                }
                let (_, _, r) = self.bump()?;
                let span = self.span(l, r);
                self.pending_min = Some(span);
                return Ok(Expr {
                    kind: ExprKind::Int(i64::MIN),
                    span,
                });
            }
            Tok::Int(n) => {
                self.bump()?;
                ExprKind::Int(n as i64)
            }
            Tok::Float(x) => {
                self.bump()?;
                ExprKind::Float(x)
            }
            Tok::Str(raw) => {
                self.bump()?;
                ExprKind::Str(lexer::decode_str(raw))
            }
            Tok::True => {
                self.bump()?;
                ExprKind::Bool(true)
            }
            Tok::False => {
                self.bump()?;
                ExprKind::Bool(false)
            }
            Tok::None => {
                self.bump()?;
                ExprKind::None
            }
            Tok::Ident(s) => {
                let (_, _, r) = self.bump()?;
                if m != M::N && self.at(Tok::LBrace) {
                    let name = Ident {
                        name: self.intern(s),
                        span: self.span(l, r),
                    };
                    return self.struct_lit(name, l);
                }
                ExprKind::Name(self.intern(s))
            }
            Tok::LParen => {
                self.bump()?;
                if self.eat(Tok::RParen)? {
                    ExprKind::Unit
                } else {
                    let e = self.expr(M::E)?;
                    self.expect(Tok::RParen)?;
                    ExprKind::Paren(Box::new(e))
                }
            }
            Tok::LBracket => {
                self.bump()?;
                self.bracket()?
            }
            t if is_block_like(t) => {
                if m == M::S {
                    return Err(Bail);
                }
                return self.block_like();
            }
            _ => return Err(Bail),
        };
        Ok(self.expr_node(kind, l))
    }

    /// After `[`: an array, array-repeat or map literal, up to `]`.
    fn bracket(&mut self) -> R<ExprKind> {
        if self.eat(Tok::RBracket)? {
            return Ok(ExprKind::Array(Vec::new()));
        }
        if self.eat(Tok::Colon)? {
            self.expect(Tok::RBracket)?;
            return Ok(ExprKind::MapLit(Vec::new()));
        }
        let first = self.expr(M::E)?;
        if self.eat(Tok::Semi)? {
            let count = self.expr(M::E)?;
            self.expect(Tok::RBracket)?;
            return Ok(ExprKind::ArrayRepeat {
                value: Box::new(first),
                count: Box::new(count),
            });
        }
        if self.eat(Tok::Colon)? {
            let v = self.expr(M::E)?;
            let mut entries = vec![(first, v)];
            while self.eat(Tok::Comma)? {
                if self.at(Tok::RBracket) {
                    break;
                }
                let k = self.expr(M::E)?;
                self.expect(Tok::Colon)?;
                let v = self.expr(M::E)?;
                entries.push((k, v));
            }
            self.expect(Tok::RBracket)?;
            return Ok(ExprKind::MapLit(entries));
        }
        let base = self.exprs.len();
        self.exprs.push(first);
        while self.eat(Tok::Comma)? {
            if self.at(Tok::RBracket) {
                break;
            }
            let e = self.expr(M::E)?;
            self.exprs.push(e);
        }
        self.expect(Tok::RBracket)?;
        Ok(ExprKind::Array(self.exprs.drain(base..).collect()))
    }

    fn struct_lit(&mut self, name: Ident, l: usize) -> R<Expr> {
        self.expect(Tok::LBrace)?;
        let mut fields = Vec::new();
        while !self.at(Tok::RBrace) {
            let n = self.ident()?;
            self.expect(Tok::Colon)?;
            let v = self.expr(M::E)?;
            fields.push((n, v));
            if !self.eat(Tok::Comma)? {
                break;
            }
        }
        self.expect(Tok::RBrace)?;
        Ok(self.expr_node(ExprKind::StructLit { name, fields }, l))
    }

    fn block_like(&mut self) -> R<Expr> {
        let (l, t, _) = self.cur.ok_or(Bail)?;
        self.enter()?;
        let e = match t {
            Tok::If => self.if_expr()?,
            Tok::While => {
                self.bump()?;
                let cond = Box::new(self.expr(M::N)?);
                let body = self.block()?;
                self.expr_node(ExprKind::While { cond, body }, l)
            }
            Tok::For => {
                self.bump()?;
                let var = self.ident()?;
                self.expect(Tok::In)?;
                let lo = Box::new(self.expr(M::N)?);
                let iter = match self.peek() {
                    Some(Tok::DotDot | Tok::DotDotEq) => {
                        let inclusive = self.at(Tok::DotDotEq);
                        self.bump()?;
                        let hi = Box::new(self.expr(M::N)?);
                        ForIter::Range { lo, hi, inclusive }
                    }
                    _ => ForIter::Expr(lo),
                };
                let body = self.block()?;
                self.expr_node(ExprKind::For { var, iter, body }, l)
            }
            Tok::LBrace => {
                let b = self.block()?;
                self.expr_node(ExprKind::Block(b), l)
            }
            _ => return Err(Bail),
        };
        self.leave();
        Ok(e)
    }

    fn if_expr(&mut self) -> R<Expr> {
        self.enter()?;
        let (l, _, _) = self.expect(Tok::If)?;
        let e = if self.eat(Tok::Let)? {
            let name = self.ident()?;
            self.expect(Tok::Eq)?;
            let value = Box::new(self.expr(M::N)?);
            let then = self.block()?;
            let else_ = self.else_part()?;
            self.expr_node(
                ExprKind::IfLet {
                    name,
                    value,
                    then,
                    else_,
                },
                l,
            )
        } else {
            let cond = Box::new(self.expr(M::N)?);
            let then = self.block()?;
            let else_ = self.else_part()?;
            self.expr_node(ExprKind::If { cond, then, else_ }, l)
        };
        self.leave();
        Ok(e)
    }

    fn else_part(&mut self) -> R<Option<Box<Expr>>> {
        if !self.eat(Tok::Else)? {
            return Ok(None);
        }
        match self.peek() {
            Some(Tok::If) => Ok(Some(Box::new(self.if_expr()?))),
            Some(Tok::LBrace) => {
                let l = self.lo()?;
                let b = self.block()?;
                Ok(Some(Box::new(self.expr_node(ExprKind::Block(b), l))))
            }
            _ => Err(Bail),
        }
    }
}

/// A statement, or what may end a block or module without `;`.
enum Parsed {
    Stmt(Stmt),
    /// An assignment without `;`.
    Last(Stmt),
    /// A `let` without `;`.
    LastLet(Stmt),
    /// An expression without `;`.
    Tail(Expr),
}

/// `spawn e`: `e` must be a call; a method call is rewritten to the call it
/// stands for (as in `St::spawn`).
fn spawn_call(operand: Expr) -> R<Expr> {
    match operand.kind {
        ExprKind::Call { .. } => Ok(operand),
        ExprKind::MethodCall {
            receiver,
            method,
            mut args,
        } => {
            args.insert(0, *receiver);
            let callee = Expr {
                span: method.span,
                kind: ExprKind::Name(method.name),
            };
            Ok(Expr {
                kind: ExprKind::Call {
                    callee: Box::new(callee),
                    args,
                },
                span: operand.span,
            })
        }
        _ => Err(Bail),
    }
}
