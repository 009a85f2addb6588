//! The parser: tokens (from [`crate::lexer`]) → [`ast::Module`], using the
//! lalrpop grammar in `grammar.lalrpop`. This module holds the entry point,
//! the node-building helpers the grammar actions call, error recovery and
//! the conversion of parse errors into [`Diagnostic`]s.
//!
//! The parser never panics and never gives up: it always returns a module
//! (with `Error` placeholders where it recovered) and every error it found.
//! Recovery happens at statement level (lalrpop's `!`): the broken statement
//! becomes `StmtKind::Error` and parsing resumes at the next token that can
//! follow a statement; follow-on errors before the next `;`, `{`, `}`,
//! `let`, `fn` or `struct` are not reported.
//!
//! Nesting is limited (see [`MAX_BRACKETS`], [`MAX_NESTING`]) so that deep
//! input can neither overflow the stack in later recursive passes nor when
//! the AST is dropped.
//!
//! # Diagnostic codes (lexical and syntax errors: E0001–E0099)
//!
//! | code  | meaning |
//! |-------|---------|
//! | E0001 | unknown character |
//! | E0002 | unterminated block comment |
//! | E0003 | unterminated string literal |
//! | E0004 | invalid escape sequence in a string |
//! | E0005 | malformed number literal (`0x`, `12abc`, `0b102`, `1e`) |
//! | E0006 | integer literal out of the range of `int` |
//! | E0007 | float literal without a digit after the `.` (`1.`) |
//! | E0010 | unexpected token ("expected X, found Y") |
//! | E0011 | unexpected end of file (unclosed delimiter, unfinished item) |
//! | E0012 | missing `;` |
//! | E0013 | chained comparison (`a < b < c`) |
//! | E0014 | struct literal in an `if`/`while`/`for` head without parentheses |
//! | E0015 | `spawn` of something that is not a function call |
//! | E0016 | bad type arguments (`map[K, V]`, `chan[T]`) |
//! | E0017 | input nested too deeply |
//! | E0018 | `fn` or `struct` declared inside a block |
//! | E0019 | `let` without an initial value |

use std::cell::{Cell, OnceCell, RefCell};

use crate::ast::{
    self, BinOp, Block, Expr, ExprKind, FnDecl, GlobalDecl, Ident, Stmt, StmtKind, StructDecl,
    TopLevel, TypeExpr, TypeExprKind,
};
use crate::lexer::{self, Spanned, Tok};
use crate::{Diagnostic, FileId, Span};
use lalrpop_util::{ErrorRecovery, ParseError};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused,
        unreachable_pub,
        missing_debug_implementations
    )]
    grammar,
    "/grammar.rs"
);

/// What is being parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A whole file: a final expression must end in `;` (unless block-like).
    File,
    /// A REPL entry: a final bare expression is allowed and becomes
    /// [`ast::Module::tail`]; a final `let` or assignment may omit its `;`.
    Entry,
}

/// Maximum depth of nested brackets `(`, `[`, `{`.
pub const MAX_BRACKETS: usize = 256;
/// Maximum estimated nesting depth of the syntax tree (operators, postfix
/// chains, `else if` chains and brackets all count).
pub const MAX_NESTING: usize = 1000;

/// The lexer never fails (its errors are diagnostics), so the token stream
/// has no error type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoLexError {}

/// Parse a file or REPL entry. Always returns a module; the diagnostics are
/// lexical and syntax errors in source order.
pub fn parse(file: FileId, src: &str, mode: Mode) -> (ast::Module, Vec<Diagnostic>) {
    // Valid input: one fast pass (see `fast`); anything else is parsed by
    // the lalrpop parser, which reports and recovers.
    if let Some(module) = fast::parse(file, src, mode) {
        return (module, Vec::new());
    }
    parse_lalrpop(file, src, mode)
}

/// Parse with the lalrpop parser only (the path for input with errors).
pub(crate) fn parse_lalrpop(file: FileId, src: &str, mode: Mode) -> (ast::Module, Vec<Diagnostic>) {
    // Virtual tokens inserted by fixes: (real-token ordinal, token), sorted.
    let mut inserts: Vec<(u32, Spanned<'static>)> = Vec::new();
    // Diagnostics of errors repaired by a fix (see `Fix`).
    let mut fixed: Vec<Diagnostic> = Vec::new();
    let mut round = 0;
    loop {
        let shared = Shared::default();
        let st = St {
            file,
            src,
            shared: &shared,
            inserts: &inserts,
            tokens: OnceCell::new(),
            diags: RefCell::new(Vec::new()),
            pending_min: RefCell::new(Vec::new()),
            last_error: Cell::new(None),
            reported: Cell::new(0),
            seen: Cell::new(0),
            allow_fix: round < MAX_FIX_ROUNDS,
            fix: RefCell::new(None),
            brackets: OnceCell::new(),
        };
        let stream = Stream::new(file, src, &inserts, Some(&shared)).map(Ok);
        let result = grammar::ModuleParser::new().parse(&st, stream);
        if let Some(fix) = st.fix.take() {
            drop(result);
            drop(st);
            fixed.extend(fix.diag);
            for ins in fix.inserts {
                let at = inserts.partition_point(|x| x.0 <= ins.0);
                inserts.insert(at, ins);
            }
            round += 1;
            continue;
        }
        let module = match result {
            Ok((pieces, last)) => st.module(pieces, last, mode),
            Err(e) => {
                st.report(&e);
                ast::Module::default()
            }
        };
        let mut diags = shared.lex_diags.take();
        for span in st.pending_min.take() {
            diags.push(
                Diagnostic::error("E0006", "integer literal is out of range for `int`", span)
                    .with_note("the largest `int` is 9223372036854775807; `-9223372036854775808` is allowed as a negative literal"),
            );
        }
        diags.extend(fixed);
        diags.extend(st.diags.take());
        diags.sort_by_key(|d| (d.primary.lo, d.primary.hi));
        return (module, diags);
    }
}

/// What the token stream shares with the parser state.
#[derive(Debug, Default)]
struct Shared {
    /// Lexical errors and the nesting-limit error, in source order.
    lex_diags: RefCell<Vec<Diagnostic>>,
    /// The stream was cut by the nesting limit: errors at its end are
    /// consequences, not news.
    truncated: Cell<bool>,
    /// Set by the parser state to end the stream early (a fix was found,
    /// or too many errors).
    stop: Cell<bool>,
    /// Tokens handed out since the last grammar action. Error recovery
    /// skips tokens without running actions, and each skipped token costs
    /// time proportional to the nesting depth; long runs are cut short so
    /// that no input makes the parser slow.
    since_action: Cell<u32>,
    /// Tokens handed out in such runs, over the whole parse.
    skipped: Cell<u32>,
}

/// Tokens without a grammar action after which a run counts as skipping
/// (valid code runs an action every few tokens).
const SKIP_RUN: u32 = 64;
/// The longest skipping run tolerated.
const MAX_SKIP_RUN: u32 = 4096;
/// Tokens in skipping runs tolerated per parse.
const MAX_SKIPPED: u32 = 20_000;

/// The tokens of one parse round: the lexer's tokens with the virtual
/// tokens of fixes inserted, cut at the nesting limit.
struct Stream<'a> {
    tokens: lexer::Tokens<'a>,
    file: FileId,
    inserts: &'a [(u32, Spanned<'static>)],
    next_insert: usize,
    /// Real tokens returned so far.
    ordinal: u32,
    /// `None` when replaying the stream for error messages.
    shared: Option<&'a Shared>,
    guard: DepthGuard,
    lexer_done: bool,
    cut: bool,
}

impl<'a> Stream<'a> {
    fn new(
        file: FileId,
        src: &'a str,
        inserts: &'a [(u32, Spanned<'static>)],
        shared: Option<&'a Shared>,
    ) -> Stream<'a> {
        Stream {
            tokens: lexer::Tokens::new(file, src),
            file,
            inserts,
            next_insert: 0,
            ordinal: 0,
            shared,
            guard: DepthGuard::new(),
            lexer_done: false,
            cut: false,
        }
    }
}

impl<'a> Iterator for Stream<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        if self.cut || self.shared.is_some_and(|s| s.stop.get()) {
            return None;
        }
        if let Some(&(ord, tok)) = self.inserts.get(self.next_insert) {
            if ord <= self.ordinal || self.lexer_done {
                self.next_insert += 1;
                return Some(tok);
            }
        }
        if self.lexer_done {
            return None;
        }
        let next = self.tokens.next();
        if self.tokens.has_diags() {
            let diags = self.tokens.take_diags();
            if let Some(shared) = self.shared {
                shared.lex_diags.borrow_mut().extend(diags);
            }
        }
        let Some(tok) = next else {
            self.lexer_done = true;
            return self.next();
        };
        self.ordinal += 1;
        if let Some(shared) = self.shared {
            let run = shared.since_action.get() + 1;
            shared.since_action.set(run);
            if run > SKIP_RUN {
                shared.skipped.set(shared.skipped.get() + 1);
                if run > MAX_SKIP_RUN || shared.skipped.get() > MAX_SKIPPED {
                    self.cut = true;
                    shared.lex_diags.borrow_mut().push(
                        Diagnostic::error(
                            "E0010",
                            "too many unexpected tokens; parsing stopped here",
                            Span::new(self.file, tok.0, tok.2),
                        )
                        .with_note("the rest of the input was not parsed"),
                    );
                    shared.truncated.set(true);
                    return None;
                }
            }
        }
        if let Some(d) = self.guard.check(self.file, tok) {
            self.cut = true;
            if let Some(shared) = self.shared {
                shared.lex_diags.borrow_mut().push(d);
                shared.truncated.set(true);
            }
            return None;
        }
        Some(tok)
    }
}

/// How many times a file is re-parsed after repairing an error.
const MAX_FIX_ROUNDS: usize = 16;
/// Syntax errors reported per file at most (the rest are noise).
const MAX_SYNTAX_ERRORS: usize = 100;
/// Syntax errors (reported or not) after which parsing stops.
const MAX_ERRORS_SEEN: usize = 1000;

/// A repair for a common syntax error, so that what follows it parses as
/// intended: the parser reports the error, inserts virtual tokens and parses
/// again. Used for a missing `;` before the next statement (insert `;`) and
/// for a struct literal in an `if`/`while`/`for` head (insert parentheses).
#[derive(Debug)]
struct Fix {
    /// (ordinal of a real token, virtual token to insert before it).
    inserts: Vec<(u32, Spanned<'static>)>,
    diag: Option<Diagnostic>,
}

/// A parsed statement-level piece, before blocks and modules are assembled.
#[derive(Debug)]
pub enum Piece {
    Fn(Box<FnDecl>),
    Struct(Box<StructDecl>),
    Stmt(Box<Stmt>),
    /// An empty statement `;` (it also ends a preceding block-like statement).
    Semi(Span),
}

impl Piece {
    pub(crate) fn into_stmt(self) -> Box<Stmt> {
        let span = match self {
            Piece::Stmt(s) => return s,
            Piece::Fn(f) => f.span,
            Piece::Struct(s) => s.span,
            Piece::Semi(span) => span,
        };
        Box::new(Stmt {
            kind: StmtKind::Error,
            span,
        })
    }
}

/// What may end a block or module without a `;`.
#[derive(Debug)]
pub enum Last {
    /// A final expression: the block's value (or the REPL entry's echo).
    Expr(Box<Expr>),
    /// A final assignment without `;` (allowed, like Rust).
    Stmt(Box<Stmt>),
    /// A final `let` without `;` (allowed only in a REPL entry).
    Let(Box<Stmt>),
}

/// A chain of binary operations `a op b op c ...` as parsed, before
/// precedence is applied by [`St::fold`].
#[derive(Debug)]
pub struct Chain {
    first: Box<Expr>,
    rest: Vec<(BinOp, Span, Box<Expr>)>,
}

impl Chain {
    pub(crate) fn new(first: Box<Expr>) -> Chain {
        Chain {
            first,
            rest: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, op: BinOp, op_span: Span, rhs: Box<Expr>) {
        self.rest.push((op, op_span, rhs));
    }
}

/// Binding strength of a binary operator (LANGUAGE.md §4), loosest first.
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Coalesce => 1,
        BinOp::Or => 2,
        BinOp::And => 3,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
        BinOp::BitOr => 5,
        BinOp::BitXor => 6,
        BinOp::BitAnd => 7,
        BinOp::Shl | BinOp::Shr => 8,
        BinOp::Add | BinOp::Sub => 9,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
    }
}

/// Parser state shared with the grammar actions.
pub struct St<'a> {
    file: FileId,
    src: &'a str,
    shared: &'a Shared,
    inserts: &'a [(u32, Spanned<'static>)],
    /// All tokens of this round, for error messages: built on the first
    /// error (by lexing again), so that error-free parsing streams tokens
    /// without storing them.
    tokens: OnceCell<Vec<Spanned<'a>>>,
    diags: RefCell<Vec<Diagnostic>>,
    /// Spans of `9223372036854775808` literals not (yet) negated.
    pending_min: RefCell<Vec<Span>>,
    /// Token index of the last reported syntax error.
    last_error: Cell<Option<usize>>,
    /// Syntax errors reported so far.
    reported: Cell<usize>,
    /// Syntax errors seen so far, reported or not.
    seen: Cell<usize>,
    /// Whether this round may still ask for a [`Fix`].
    allow_fix: bool,
    fix: RefCell<Option<Fix>>,
    /// For each token, the index of its matching bracket (`u32::MAX` for
    /// none); computed when an error needs it.
    brackets: OnceCell<Vec<u32>>,
}

impl std::fmt::Debug for St<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("St").field("file", &self.file).finish()
    }
}

impl<'a> St<'a> {
    pub(crate) fn span(&self, l: usize, r: usize) -> Span {
        // Nearly every action builds a span: a heartbeat for `Stream`.
        self.shared.since_action.set(0);
        Span::new(self.file, l, r)
    }

    pub(crate) fn ident(&self, s: &str, l: usize, r: usize) -> Ident {
        Ident {
            name: s.into(),
            span: self.span(l, r),
        }
    }

    pub(crate) fn expr(&self, kind: ExprKind, l: usize, r: usize) -> Box<Expr> {
        Box::new(Expr {
            kind,
            span: self.span(l, r),
        })
    }

    pub(crate) fn ty(&self, kind: TypeExprKind, l: usize, r: usize) -> TypeExpr {
        TypeExpr {
            kind,
            span: self.span(l, r),
        }
    }

    /// Apply precedence and associativity to a chain of binary operators
    /// (shunting-yard; no recursion).
    pub(crate) fn fold(&self, chain: Chain) -> Box<Expr> {
        if chain.rest.is_empty() {
            return chain.first;
        }
        let mut operands: Vec<Box<Expr>> = Vec::with_capacity(chain.rest.len() + 1);
        let mut ops: Vec<(BinOp, Span)> = Vec::with_capacity(chain.rest.len());
        operands.push(chain.first);
        for (op, op_span, rhs) in chain.rest {
            let p = precedence(op);
            while let Some(&(top, top_span)) = ops.last() {
                let tp = precedence(top);
                // `??` is right-associative, everything else left.
                if tp > p || (tp == p && op != BinOp::Coalesce) {
                    ops.pop();
                    self.reduce_top(&mut operands, top, top_span);
                } else {
                    break;
                }
            }
            ops.push((op, op_span));
            operands.push(rhs);
        }
        while let Some((top, top_span)) = ops.pop() {
            self.reduce_top(&mut operands, top, top_span);
        }
        operands.pop().unwrap_or_else(|| {
            Box::new(Expr {
                kind: ExprKind::Error,
                span: Span::default(),
            })
        })
    }

    // The boxes move into the tree as they are.
    #[allow(clippy::vec_box)]
    fn reduce_top(&self, operands: &mut Vec<Box<Expr>>, op: BinOp, op_span: Span) {
        let (Some(rhs), Some(lhs)) = (operands.pop(), operands.pop()) else {
            return;
        };
        let e = if is_comparison(op) {
            self.compare(op, lhs, rhs, op_span)
        } else {
            self.binary(op, lhs, rhs)
        };
        operands.push(e);
    }

    pub(crate) fn binary(&self, op: BinOp, lhs: Box<Expr>, rhs: Box<Expr>) -> Box<Expr> {
        let span = lhs.span.to(rhs.span);
        Box::new(Expr {
            kind: ExprKind::Binary { op, lhs, rhs },
            span,
        })
    }

    /// A comparison; comparisons do not chain.
    fn compare(&self, op: BinOp, lhs: Box<Expr>, rhs: Box<Expr>, op_span: Span) -> Box<Expr> {
        if let ExprKind::Binary { op: first, .. } = &lhs.kind {
            if is_comparison(*first) {
                let first = *first;
                self.error(
                    Diagnostic::error("E0013", "comparison operators cannot be chained", op_span)
                        .with_secondary(
                            lhs.span,
                            format!("this is already a `{}` comparison", first.symbol()),
                        )
                        .with_help(format!(
                            "combine the comparisons with `&&`: `a {} b && b {} c`",
                            first.symbol(),
                            op.symbol()
                        )),
                );
                let span = lhs.span.to(rhs.span);
                return Box::new(Expr {
                    kind: ExprKind::Error,
                    span,
                });
            }
        }
        self.binary(op, lhs, rhs)
    }

    pub(crate) fn int(&self, n: u64, l: usize, r: usize) -> Box<Expr> {
        let value = if n == 1 << 63 {
            // Valid only as the operand of a unary minus (see `neg`).
            self.pending_min.borrow_mut().push(self.span(l, r));
            i64::MIN
        } else {
            n as i64
        };
        self.expr(ExprKind::Int(value), l, r)
    }

    pub(crate) fn neg(&self, operand: Box<Expr>, l: usize, r: usize) -> Box<Expr> {
        if operand.kind == ExprKind::Int(i64::MIN) {
            let mut pending = self.pending_min.borrow_mut();
            if pending.last() == Some(&operand.span) {
                pending.pop();
                return self.expr(ExprKind::Int(i64::MIN), l, r);
            }
        }
        self.expr(
            ExprKind::Unary {
                op: ast::UnOp::Neg,
                operand,
            },
            l,
            r,
        )
    }

    pub(crate) fn string(&self, raw: &str, l: usize, r: usize) -> Box<Expr> {
        self.expr(ExprKind::Str(lexer::decode_str(raw)), l, r)
    }

    /// `spawn e`: `e` must be a call; a method call `x.f(a)` is rewritten to
    /// the call `f(x, a)` it stands for.
    pub(crate) fn spawn(&self, operand: Expr, l: usize, r: usize) -> Box<Expr> {
        let call = match operand.kind {
            ExprKind::Call { .. } => operand,
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
                Expr {
                    kind: ExprKind::Call {
                        callee: Box::new(callee),
                        args,
                    },
                    span: operand.span,
                }
            }
            ExprKind::Error => return self.expr(ExprKind::Error, l, r),
            _ => {
                self.error(
                    Diagnostic::error("E0015", "`spawn` needs a function call", operand.span)
                        .with_label("this is not a call")
                        .with_help("write `spawn f(args)` to run `f` on a new thread"),
                );
                return self.expr(ExprKind::Error, l, r);
            }
        };
        self.expr(ExprKind::Spawn(Box::new(call)), l, r)
    }

    /// `name[args]` in a type: `map[K, V]` or `chan[T]`.
    pub(crate) fn generic_type(
        &self,
        name: &str,
        mut args: Vec<TypeExpr>,
        l: usize,
        r: usize,
    ) -> TypeExpr {
        let kind = match (name, args.len()) {
            ("map", 2) => {
                let v = args.pop().map(Box::new);
                let k = args.pop().map(Box::new);
                match (k, v) {
                    (Some(k), Some(v)) => TypeExprKind::Map(k, v),
                    _ => TypeExprKind::Error,
                }
            }
            ("chan", 1) => match args.pop() {
                Some(t) => TypeExprKind::Chan(Box::new(t)),
                None => TypeExprKind::Error,
            },
            ("map", n) | ("chan", n) => {
                let (want, form) = if name == "map" {
                    (2, "map[K, V]")
                } else {
                    (1, "chan[T]")
                };
                self.error(
                    Diagnostic::error(
                        "E0016",
                        format!(
                            "`{name}` takes {want} type argument{}, found {n}",
                            if want == 1 { "" } else { "s" }
                        ),
                        self.span(l, r),
                    )
                    .with_help(format!("write `{form}`")),
                );
                TypeExprKind::Error
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        "E0016",
                        format!("type `{name}` takes no type arguments"),
                        self.span(l, r),
                    )
                    .with_note("only `map[K, V]` and `chan[T]` take type arguments; an array type is written `[T]`"),
                );
                TypeExprKind::Error
            }
        };
        self.ty(kind, l, r)
    }

    pub(crate) fn let_stmt(
        &self,
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        init: Expr,
        l: usize,
        r: usize,
    ) -> Piece {
        Piece::Stmt(Box::new(Stmt {
            kind: StmtKind::Let {
                name,
                mutable,
                ty,
                init,
            },
            span: self.span(l, r),
        }))
    }

    /// `let x;`: reported; the variable is still declared (with an error
    /// initializer) so that later uses do not cascade.
    pub(crate) fn let_without_init(
        &self,
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        semi: usize,
        l: usize,
        r: usize,
    ) -> Piece {
        let at = self.span(semi, r);
        self.error(
            Diagnostic::error("E0019", "expected `=`, found `;`", at)
                .with_secondary(name.span, format!("`{}` needs an initial value", name.name))
                .with_help(format!("write `let {} = value;`", name.name)),
        );
        let init = Expr {
            kind: ExprKind::Error,
            span: at,
        };
        self.let_stmt(name, mutable, ty, init, l, r)
    }

    pub(crate) fn assign(
        &self,
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
        l: usize,
        r: usize,
    ) -> Piece {
        Piece::Stmt(Box::new(Stmt {
            kind: StmtKind::Assign { target, op, value },
            span: self.span(l, r),
        }))
    }

    pub(crate) fn expr_stmt(&self, expr: Expr, semi: bool, l: usize, r: usize) -> Piece {
        Piece::Stmt(Box::new(Stmt {
            kind: StmtKind::Expr { expr, semi },
            span: self.span(l, r),
        }))
    }

    /// A `fn` or `struct` inside a block: reported, then dropped.
    pub(crate) fn nested_item(&self, what: &str, name: Span) -> Piece {
        self.error(
            Diagnostic::error(
                "E0018",
                format!("{what} can only be declared at top level"),
                name,
            )
            .with_help("move the declaration out of the block"),
        );
        Piece::Stmt(Box::new(Stmt {
            kind: StmtKind::Error,
            span: name,
        }))
    }

    /// Assemble a block: `;` after a block-like statement marks it as
    /// terminated; a final block-like statement becomes the tail.
    pub(crate) fn block(
        &self,
        pieces: Vec<Piece>,
        last: Option<Last>,
        l: usize,
        r: usize,
    ) -> Block {
        let mut stmts = Vec::with_capacity(pieces.len() + 1);
        for p in pieces {
            match p {
                Piece::Stmt(s) => stmts.push(*s),
                Piece::Semi(sp) => end_with_semi(stmts.last_mut(), sp),
                // Not produced inside blocks by the grammar.
                other => stmts.push(*other.into_stmt()),
            }
        }
        let mut tail = None;
        match last {
            Some(Last::Expr(e)) => tail = Some(e),
            Some(Last::Stmt(s)) => stmts.push(*s),
            Some(Last::Let(s)) => {
                self.missing_semi_at(self.token_index(r.saturating_sub(1), r), s.span);
                stmts.push(*s);
            }
            None => {
                if let Some(Stmt {
                    kind: StmtKind::Expr { semi: false, .. },
                    ..
                }) = stmts.last()
                {
                    if let Some(Stmt {
                        kind: StmtKind::Expr { expr, .. },
                        ..
                    }) = stmts.pop()
                    {
                        tail = Some(Box::new(expr));
                    }
                }
            }
        }
        Block {
            stmts,
            tail,
            span: self.span(l, r),
        }
    }

    /// Report "expected `;`" before token `index` (or at the end of input)
    /// after the statement or expression `what`.
    fn missing_semi_at(&self, index: usize, what: Span) {
        let at_eof = index >= self.toks().len();
        // At the end of input after other errors, this is most likely a
        // consequence of the recovery.
        if (at_eof && (self.shared.truncated.get() || self.last_error.get().is_some()))
            || self.follow_on(index) != FollowOn::No
        {
            return;
        }
        self.last_error.set(Some(index));
        let end = what.hi as usize;
        let d = match self.toks().get(index) {
            Some(t) => Diagnostic::error(
                "E0012",
                format!("expected `;`, found {}", t.1.describe()),
                self.span(t.0, t.2),
            )
            .with_secondary(self.span(end, end), "add `;` here"),
            None => Diagnostic::error(
                "E0012",
                "expected `;`, found end of file",
                self.span(end, end),
            )
            .with_label("add `;` here"),
        };
        self.error(d);
    }

    /// Assemble the module.
    fn module(&self, pieces: Vec<Piece>, last: Option<Last>, mode: Mode) -> ast::Module {
        let mut items: Vec<TopLevel> = Vec::with_capacity(pieces.len() + 1);
        for p in pieces {
            match p {
                Piece::Fn(f) => items.push(TopLevel::Fn(*f)),
                Piece::Struct(s) => items.push(TopLevel::Struct(*s)),
                Piece::Stmt(s) => items.push(top_stmt(*s)),
                Piece::Semi(sp) => {
                    if let Some(TopLevel::Stmt(s)) = items.last_mut() {
                        end_with_semi(Some(s), sp);
                    }
                }
            }
        }
        let mut tail = None;
        match (last, mode) {
            (Some(Last::Expr(e)), Mode::Entry) => tail = Some(*e),
            (Some(Last::Stmt(s) | Last::Let(s)), Mode::Entry) => items.push(top_stmt(*s)),
            (Some(Last::Expr(expr)), Mode::File) => {
                self.missing_semi_at(self.toks().len(), expr.span);
                let span = expr.span;
                items.push(TopLevel::Stmt(Stmt {
                    kind: StmtKind::Expr {
                        expr: *expr,
                        semi: true,
                    },
                    span,
                }));
            }
            (Some(Last::Stmt(s) | Last::Let(s)), Mode::File) => {
                self.missing_semi_at(self.toks().len(), s.span);
                items.push(top_stmt(*s));
            }
            (None, Mode::Entry) => {
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
            (None, Mode::File) => {}
        }
        ast::Module { items, tail }
    }

    // ------------------------------------------------------------ errors

    /// The tokens of this round (see [`St::tokens`]).
    fn toks(&self) -> &[Spanned<'a>] {
        self.tokens
            .get_or_init(|| Stream::new(self.file, self.src, self.inserts, None).collect())
    }

    /// The number of real (not inserted) tokens before token `index`.
    fn ordinal(&self, index: usize) -> u32 {
        let toks = self.toks();
        let virtual_before = toks[..index.min(toks.len())]
            .iter()
            .filter(|t| t.0 == t.2)
            .count();
        (index - virtual_before) as u32
    }

    /// Index of the token spanning `lo..hi` (the number of tokens if none:
    /// the end of input).
    fn token_index(&self, lo: usize, hi: usize) -> usize {
        let mut i = self.toks().partition_point(|t| t.0 < lo);
        while i < self.toks().len() && self.toks()[i].0 == lo {
            if self.toks()[i].2 == hi {
                return i;
            }
            i += 1;
        }
        self.toks().len()
    }

    /// The `!` action: report the error (unless it is a follow-on error) and
    /// produce an error statement.
    pub(crate) fn recover(
        &self,
        e: ErrorRecovery<usize, Tok<'a>, NoLexError>,
        l: usize,
        r: usize,
    ) -> Piece {
        self.report(&e.error);
        Piece::Stmt(Box::new(Stmt {
            kind: StmtKind::Error,
            span: self.span(l, r.max(l)),
        }))
    }

    fn report(&self, e: &ParseError<usize, Tok<'a>, NoLexError>) {
        // Garbage input: stop early rather than recover at every token.
        let seen = self.seen.get() + 1;
        self.seen.set(seen);
        if seen > MAX_ERRORS_SEEN {
            return;
        }
        if seen == MAX_ERRORS_SEEN {
            self.shared.stop.set(true);
            self.shared.truncated.set(true);
            let at = match e {
                ParseError::UnrecognizedToken { token, .. } | ParseError::ExtraToken { token } => {
                    self.span(token.0, token.2)
                }
                _ => self.span(self.src.len(), self.src.len()),
            };
            self.diags.borrow_mut().push(
                Diagnostic::error("E0010", "too many syntax errors; parsing stopped here", at)
                    .with_note("the rest of the input was not parsed"),
            );
            return;
        }
        let (index, diag, tok, semi_ok) = match e {
            ParseError::UnrecognizedToken {
                token: (lo, tok, hi),
                expected,
            } => {
                let index = self.token_index(*lo, *hi);
                let semi_ok = Expected::new(expected).has(";");
                (
                    index,
                    self.unexpected_token(index, *lo, tok, *hi, expected),
                    Some(*tok),
                    semi_ok,
                )
            }
            ParseError::ExtraToken {
                token: (lo, tok, hi),
            } => {
                let index = self.token_index(*lo, *hi);
                (
                    index,
                    self.unexpected_token(index, *lo, tok, *hi, &[]),
                    Some(*tok),
                    false,
                )
            }
            ParseError::UnrecognizedEof { location, expected } => {
                if self.shared.truncated.get() {
                    return;
                }
                let d = self.unexpected_eof(*location, expected);
                (self.toks().len(), d, None, false)
            }
            ParseError::InvalidToken { location } => (
                self.token_index(*location, *location),
                Diagnostic::error("E0010", "invalid token", self.span(*location, *location)),
                None,
                false,
            ),
            ParseError::User { error } => match *error {},
        };
        let follow = self.follow_on(index);
        if follow == FollowOn::Cascade {
            return;
        }
        self.last_error.set(Some(index));
        // Repairs: a missing `;` before a new statement, a struct literal
        // in a head.
        if self.allow_fix && self.fix.borrow().is_none() {
            let diag = (follow == FollowOn::No).then(|| diag.clone());
            let semi_fix = semi_ok
                && index > 0
                && tok.is_some_and(starts_statement)
                && diag.as_ref().is_none_or(|d| d.code == "E0012");
            let fix = if semi_fix {
                let p = self.toks()[index - 1].2;
                Some(Fix {
                    inserts: vec![(self.ordinal(index), (p, Tok::Semi, p))],
                    diag,
                })
            } else if diag.as_ref().is_some_and(|d| d.code == "E0014") {
                self.matching(index - 2).map(|close| {
                    let open_at = self.toks()[index - 3].0;
                    let close_at = self.toks()[close].2;
                    Fix {
                        inserts: vec![
                            (self.ordinal(index - 3), (open_at, Tok::LParen, open_at)),
                            (self.ordinal(close) + 1, (close_at, Tok::RParen, close_at)),
                        ],
                        diag,
                    }
                })
            } else {
                None
            };
            if fix.is_some() {
                *self.fix.borrow_mut() = fix;
                self.shared.stop.set(true);
                return;
            }
        }
        if follow == FollowOn::No {
            self.error(diag);
        }
    }

    /// Push a syntax error, up to [`MAX_SYNTAX_ERRORS`].
    fn error(&self, d: Diagnostic) {
        let n = self.reported.get();
        self.reported.set(n + 1);
        if n < MAX_SYNTAX_ERRORS {
            self.diags.borrow_mut().push(d);
        } else if n == MAX_SYNTAX_ERRORS {
            self.diags.borrow_mut().push(
                Diagnostic::error(
                    "E0010",
                    "too many syntax errors; stopped reporting",
                    d.primary,
                )
                .with_note(format!("only the first {MAX_SYNTAX_ERRORS} are shown")),
            );
        }
    }

    /// Is a syntax error at token `index` a consequence of an earlier error?
    /// A cascade if nothing re-synchronised the parser since the last error;
    /// also one if it comes right after a lexical error.
    fn follow_on(&self, index: usize) -> FollowOn {
        let n = self.toks().len();
        if index > 0 && n > 0 {
            let lo = self.toks()[(index - 1).min(n - 1)].0;
            let hi = self.toks().get(index).map_or(self.src.len(), |t| t.2);
            let lex = self.shared.lex_diags.borrow();
            let (lo, hi) = (lo as u32, hi as u32);
            if lex.iter().any(|d| d.primary.lo < hi && d.primary.hi > lo) {
                return FollowOn::AfterLexError;
            }
        }
        let Some(prev) = self.last_error.get() else {
            return FollowOn::No;
        };
        if index < prev {
            return FollowOn::Cascade;
        }
        let synced = self.toks()[prev.min(n)..index.min(n)].iter().any(|t| {
            matches!(
                t.1,
                Tok::Semi | Tok::LBrace | Tok::RBrace | Tok::Let | Tok::Fn | Tok::Struct
            )
        });
        if synced {
            FollowOn::No
        } else {
            FollowOn::Cascade
        }
    }

    /// The index of the bracket matching the bracket at token `i`.
    fn matching(&self, i: usize) -> Option<usize> {
        let m = self.brackets.get_or_init(|| {
            let mut m = vec![u32::MAX; self.toks().len()];
            let mut stack: Vec<usize> = Vec::new();
            for (i, t) in self.toks().iter().enumerate() {
                match t.1 {
                    Tok::LParen | Tok::LBracket | Tok::LBrace => stack.push(i),
                    Tok::RParen | Tok::RBracket | Tok::RBrace => {
                        if let Some(&o) = stack.last() {
                            if closer_of(self.toks()[o].1) == Some(t.1) {
                                stack.pop();
                                m[o] = i as u32;
                                m[i] = o as u32;
                            }
                        }
                    }
                    _ => {}
                }
            }
            m
        });
        m.get(i)
            .copied()
            .filter(|&j| j != u32::MAX)
            .map(|j| j as usize)
    }

    fn unexpected_token(
        &self,
        index: usize,
        lo: usize,
        tok: &Tok<'a>,
        hi: usize,
        expected: &[String],
    ) -> Diagnostic {
        let span = self.span(lo, hi);
        let found = tok.describe();
        let exp = Expected::new(expected);
        // A struct literal in a head: `if p == Point { x: 1 } {`.
        if *tok == Tok::Colon && index >= 3 {
            if let (Tok::Ident(name), Tok::LBrace, Tok::Ident(_)) = (
                self.toks()[index - 3].1,
                self.toks()[index - 2].1,
                self.toks()[index - 1].1,
            ) {
                let start = self.toks()[index - 3].0;
                return Diagnostic::error(
                    "E0014",
                    "struct literals are not allowed here without parentheses",
                    self.span(start, self.toks()[index - 2].2),
                )
                .with_label("this looks like a struct literal")
                .with_help(format!(
                    "in the head of `if`, `while` and `for`, wrap it in parentheses: `({name} {{ ... }})`"
                ));
            }
        }
        if let Some(open) = opener_of(*tok) {
            if !exp.has(tok.text()) && self.matching(index).is_none() {
                return Diagnostic::error("E0010", format!("unmatched `{}`", tok.text()), span)
                    .with_label(format!("this `{}` has no matching `{open}`", tok.text()));
            }
        }
        let (code, want) = exp.describe();
        let mut d = Diagnostic::error(code, format!("expected {want}, found {found}"), span);
        if code == "E0012" && index > 0 && starts_statement(*tok) {
            let prev_end = self.toks()[index - 1].2;
            d = d.with_secondary(self.span(prev_end, prev_end), "add `;` here");
        }
        match tok {
            Tok::Else if !exp.has("else") => {
                d = d.with_help("`else` must directly follow the `}` of an `if` block")
            }
            Tok::Eq if exp.has("==") => d = d.with_help("use `==` to compare values"),
            Tok::DotDot | Tok::DotDotEq if !exp.has(tok.text()) => {
                d = d.with_help("ranges `a..b` and `a..=b` are only allowed in `for` heads")
            }
            _ => {}
        }
        d
    }

    fn unexpected_eof(&self, location: usize, expected: &[String]) -> Diagnostic {
        let exp = Expected::new(expected);
        let (code, want) = match ["}", ")", "]"].into_iter().find(|c| exp.has(c)) {
            Some(c) if !exp.has(",") => ("E0011", format!("`{c}`")),
            _ => exp.describe(),
        };
        let _ = location;
        let at = self.toks().last().map_or(0, |t| t.2);
        let code = if code == "E0012" { code } else { "E0011" };
        let mut d = Diagnostic::error(
            code,
            format!("expected {want}, found end of file"),
            self.span(at, at),
        );
        if let Some((lo, hi, open)) = self.innermost_unclosed() {
            d = d.with_secondary(self.span(lo, hi), format!("this `{open}` is never closed"));
        }
        d
    }

    /// The innermost bracket left open at the end of the token stream.
    fn innermost_unclosed(&self) -> Option<(usize, usize, &'static str)> {
        let mut stack: Vec<usize> = Vec::new();
        for (i, t) in self.toks().iter().enumerate() {
            match t.1 {
                Tok::LParen | Tok::LBracket | Tok::LBrace => stack.push(i),
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.last().map(|&i| {
            let t = &self.toks()[i];
            (t.0, t.2, t.1.text())
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FollowOn {
    No,
    AfterLexError,
    Cascade,
}

fn opener_of(close: Tok<'_>) -> Option<&'static str> {
    match close {
        Tok::RParen => Some("("),
        Tok::RBracket => Some("["),
        Tok::RBrace => Some("{"),
        _ => None,
    }
}

fn closer_of(open: Tok<'_>) -> Option<Tok<'static>> {
    match open {
        Tok::LParen => Some(Tok::RParen),
        Tok::LBracket => Some(Tok::RBracket),
        Tok::LBrace => Some(Tok::RBrace),
        _ => None,
    }
}

/// Can this token start a statement (so a `;` before it would help)?
fn starts_statement(t: Tok<'_>) -> bool {
    matches!(
        t,
        Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::Let
            | Tok::If
            | Tok::While
            | Tok::For
            | Tok::Return
            | Tok::Break
            | Tok::Continue
            | Tok::Spawn
            | Tok::True
            | Tok::False
            | Tok::None
            | Tok::Fn
            | Tok::Struct
            | Tok::RBrace
    )
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

fn end_with_semi(stmt: Option<&mut Stmt>, semi: Span) {
    if let Some(Stmt {
        kind: StmtKind::Expr {
            semi: s @ false, ..
        },
        span,
    }) = stmt
    {
        if span.hi <= semi.lo {
            *s = true;
            *span = span.to(semi);
        }
    }
}

fn top_stmt(s: Stmt) -> TopLevel {
    match s.kind {
        StmtKind::Let {
            name,
            mutable,
            ty,
            init,
        } => TopLevel::Global(GlobalDecl {
            name,
            mutable,
            ty,
            init,
            span: s.span,
        }),
        kind => TopLevel::Stmt(Stmt { kind, span: s.span }),
    }
}

/// The set of terminals lalrpop says would have been accepted.
struct Expected<'e> {
    names: Vec<&'e str>,
}

impl<'e> Expected<'e> {
    fn new(expected: &'e [String]) -> Self {
        let names = expected
            .iter()
            .map(|s| {
                s.strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(s)
            })
            .collect();
        Expected { names }
    }

    fn has(&self, t: &str) -> bool {
        self.names.contains(&t)
    }

    /// A short description of what was expected, and the error code.
    fn describe(&self) -> (&'static str, String) {
        let closer = [")", "]", "}"].into_iter().find(|c| self.has(c));
        if self.has("Int") {
            return (
                "E0010",
                match closer {
                    Some(c) if self.has(",") || self.names.len() > 1 => {
                        format!("expression or `{c}`")
                    }
                    _ => "expression".to_string(),
                },
            );
        }
        if self.has("fn") && self.has("(") && self.has("[") {
            return ("E0010", "type".to_string());
        }
        if self.has(",") {
            if let Some(c) = closer {
                return ("E0010", format!("`,` or `{c}`"));
            }
        }
        if self.has(";") {
            return ("E0012", "`;`".to_string());
        }
        // Drop what could continue an expression; list the rest.
        const CONTINUE: &[&str] = &[
            "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&&", "||", "==", "!=", "<", "<=",
            ">", ">=", "??", "as", ".", "(", "[", "!", "?",
        ];
        let rest: Vec<String> = self
            .names
            .iter()
            .filter(|n| !CONTINUE.contains(n))
            .map(|n| match *n {
                "Ident" => "identifier".to_string(),
                "Str" => "string literal".to_string(),
                "Float" => "float literal".to_string(),
                other => format!("`{other}`"),
            })
            .collect();
        let text = match rest.len() {
            0 if self.has("+") => "an operator".to_string(),
            0 => "something else".to_string(),
            1 => rest[0].clone(),
            2..=4 => {
                let (last, init) = rest.split_last().unwrap_or((&rest[0], &[]));
                format!("{} or {}", init.join(", "), last)
            }
            _ => format!("one of {}", rest[..4].join(", ") + ", ..."),
        };
        ("E0010", text)
    }
}

/// Enforces [`MAX_BRACKETS`] and [`MAX_NESTING`] on the token stream.
///
/// The nesting estimate is the sum over open brackets of the operators seen
/// at that level since the last `;` or `,` (plus one per level): an upper
/// bound for the depth of the tree the parser will build.
#[derive(Debug)]
struct DepthGuard {
    counts: Vec<usize>,
    sum: usize,
    /// The previous token was a `}`: if this one starts a statement, the
    /// block was a statement, and its siblings do not nest.
    after_brace: bool,
}

impl DepthGuard {
    fn new() -> DepthGuard {
        DepthGuard {
            counts: vec![0],
            sum: 1,
            after_brace: false,
        }
    }

    fn reset_level(&mut self) {
        if let Some(c) = self.counts.last_mut() {
            self.sum -= *c;
            *c = 0;
        }
    }

    fn bump_level(&mut self) {
        if let Some(c) = self.counts.last_mut() {
            *c += 1;
        }
        self.sum += 1;
    }

    /// Account for `tok`; an error if a limit is exceeded.
    fn check(&mut self, file: FileId, (lo, tok, hi): Spanned<'_>) -> Option<Diagnostic> {
        if std::mem::take(&mut self.after_brace) && starts_statement(tok) {
            self.reset_level();
        }
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                self.bump_level();
                self.counts.push(0);
                self.sum += 1;
                if self.counts.len() - 1 > MAX_BRACKETS {
                    return Some(
                        Diagnostic::error(
                            "E0017",
                            format!("too many nested brackets (the limit is {MAX_BRACKETS})"),
                            Span::new(file, lo, hi),
                        )
                        .with_note("the rest of the input was not parsed"),
                    );
                }
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                if self.counts.len() > 1 {
                    self.sum -= self.counts.pop().unwrap_or(0) + 1;
                }
                self.after_brace = tok == Tok::RBrace;
            }
            Tok::Semi | Tok::Comma => self.reset_level(),
            Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Str(_)
            | Tok::True
            | Tok::False
            | Tok::None
            | Tok::Let
            | Tok::Mut
            | Tok::Fn
            | Tok::Struct
            | Tok::If
            | Tok::While
            | Tok::For
            | Tok::In
            | Tok::Break
            | Tok::Continue
            | Tok::Colon => {}
            _ => self.bump_level(),
        }
        if self.sum > MAX_NESTING {
            return Some(
                Diagnostic::error(
                    "E0017",
                    format!(
                        "expression nested too deeply (the limit is about {MAX_NESTING} levels)"
                    ),
                    Span::new(file, lo, hi),
                )
                .with_note(
                    "split it into several statements; the rest of the input was not parsed",
                ),
            );
        }
        None
    }
}

mod fast;
#[cfg(test)]
mod tests;
