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
    let (mut tokens, mut diags) = lexer::lex(file, src);
    let truncated = match depth_guard(file, &tokens) {
        Some((at, d)) => {
            diags.push(d);
            tokens.truncate(at);
            true
        }
        None => false,
    };
    let lex_errors: Vec<(usize, usize)> = diags
        .iter()
        .map(|d| (d.primary.lo as usize, d.primary.hi as usize))
        .collect();
    // Diagnostics of errors repaired by a fix (see `Fix`).
    let mut fixed: Vec<Diagnostic> = Vec::new();
    let mut round = 0;
    loop {
        let st = St {
            file,
            src,
            tokens: &tokens,
            lex_errors: &lex_errors,
            diags: RefCell::new(Vec::new()),
            pending_min: RefCell::new(Vec::new()),
            last_error: Cell::new(None),
            reported: Cell::new(0),
            truncated,
            allow_fix: round < MAX_FIX_ROUNDS,
            fix: RefCell::new(None),
            brackets: OnceCell::new(),
        };
        // Once a fix is found, the rest of this round is moot: stop early.
        let stream = tokens
            .iter()
            .copied()
            .take_while(|_| st.fix.borrow().is_none())
            .map(Ok);
        let result = grammar::ModuleParser::new().parse(&st, stream);
        let fix = st.fix.take();
        if let Some(fix) = fix {
            drop(result);
            drop(st);
            fixed.extend(fix.diag);
            for (at, tok) in fix.inserts.into_iter().rev() {
                tokens.insert(at, tok);
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

/// How many times a file is re-parsed after repairing an error.
const MAX_FIX_ROUNDS: usize = 16;
/// Syntax errors reported per file at most (the rest are noise).
const MAX_SYNTAX_ERRORS: usize = 100;

/// A repair for a common syntax error, so that what follows it parses as
/// intended: the parser reports the error, inserts virtual tokens and parses
/// again. Used for a missing `;` before the next statement (insert `;`) and
/// for a struct literal in an `if`/`while`/`for` head (insert parentheses).
#[derive(Debug)]
struct Fix {
    /// (token index, token) in increasing index order; each token is
    /// inserted before the token currently at that index.
    inserts: Vec<(usize, Spanned<'static>)>,
    diag: Option<Diagnostic>,
}

/// A parsed statement-level piece, before blocks and modules are assembled.
#[derive(Debug)]
pub enum Piece {
    Fn(FnDecl),
    Struct(StructDecl),
    Stmt(Stmt),
    /// An empty statement `;` (it also ends a preceding block-like statement).
    Semi(Span),
}

impl Piece {
    pub(crate) fn into_stmt(self) -> Stmt {
        match self {
            Piece::Stmt(s) => s,
            Piece::Fn(FnDecl { span, .. }) | Piece::Struct(StructDecl { span, .. }) => Stmt {
                kind: StmtKind::Error,
                span,
            },
            Piece::Semi(span) => Stmt {
                kind: StmtKind::Error,
                span,
            },
        }
    }
}

/// What may end a block or module without a `;`.
#[derive(Debug)]
pub enum Last {
    /// A final expression: the block's value (or the REPL entry's echo).
    Expr(Expr),
    /// A final assignment without `;` (allowed, like Rust).
    Stmt(Stmt),
    /// A final `let` without `;` (allowed only in a REPL entry).
    Let(Stmt),
}

/// Parser state shared with the grammar actions.
pub struct St<'a> {
    file: FileId,
    src: &'a str,
    tokens: &'a [Spanned<'a>],
    /// Spans of lexical errors: syntax errors right after them are
    /// consequences and not reported.
    lex_errors: &'a [(usize, usize)],
    diags: RefCell<Vec<Diagnostic>>,
    /// Spans of `9223372036854775808` literals not (yet) negated.
    pending_min: RefCell<Vec<Span>>,
    /// Token index of the last reported syntax error.
    last_error: Cell<Option<usize>>,
    /// Syntax errors reported so far.
    reported: Cell<usize>,
    /// Whether this round may still ask for a [`Fix`].
    allow_fix: bool,
    fix: RefCell<Option<Fix>>,
    /// For each token, the index of its matching bracket (`u32::MAX` for
    /// none); computed when an error needs it.
    brackets: OnceCell<Vec<u32>>,
    /// The token stream was cut by the nesting limit: errors at its end are
    /// consequences, not news.
    truncated: bool,
}

impl std::fmt::Debug for St<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("St").field("file", &self.file).finish()
    }
}

impl<'a> St<'a> {
    pub(crate) fn span(&self, l: usize, r: usize) -> Span {
        Span::new(self.file, l, r)
    }

    pub(crate) fn ident(&self, s: &str, l: usize, r: usize) -> Ident {
        Ident {
            name: s.to_string(),
            span: self.span(l, r),
        }
    }

    pub(crate) fn expr(&self, kind: ExprKind, l: usize, r: usize) -> Expr {
        Expr {
            kind,
            span: self.span(l, r),
        }
    }

    pub(crate) fn ty(&self, kind: TypeExprKind, l: usize, r: usize) -> TypeExpr {
        TypeExpr {
            kind,
            span: self.span(l, r),
        }
    }

    pub(crate) fn binary(&self, op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
        let span = lhs.span.to(rhs.span);
        Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        }
    }

    /// A comparison; comparisons do not chain.
    pub(crate) fn compare(&self, op: BinOp, lhs: Expr, rhs: Expr, ol: usize, or: usize) -> Expr {
        if let ExprKind::Binary { op: first, .. } = &lhs.kind {
            if is_comparison(*first) {
                let first = *first;
                self.error(
                    Diagnostic::error(
                        "E0013",
                        "comparison operators cannot be chained",
                        self.span(ol, or),
                    )
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
                return Expr {
                    kind: ExprKind::Error,
                    span,
                };
            }
        }
        self.binary(op, lhs, rhs)
    }

    pub(crate) fn int(&self, n: u64, l: usize, r: usize) -> Expr {
        let value = if n == 1 << 63 {
            // Valid only as the operand of a unary minus (see `neg`).
            self.pending_min.borrow_mut().push(self.span(l, r));
            i64::MIN
        } else {
            n as i64
        };
        self.expr(ExprKind::Int(value), l, r)
    }

    pub(crate) fn neg(&self, operand: Expr, l: usize, r: usize) -> Expr {
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
                operand: Box::new(operand),
            },
            l,
            r,
        )
    }

    pub(crate) fn string(&self, raw: &str, l: usize, r: usize) -> Expr {
        self.expr(ExprKind::Str(lexer::decode_str(raw)), l, r)
    }

    /// `spawn e`: `e` must be a call; a method call `x.f(a)` is rewritten to
    /// the call `f(x, a)` it stands for.
    pub(crate) fn spawn(&self, operand: Expr, l: usize, r: usize) -> Expr {
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
        Piece::Stmt(Stmt {
            kind: StmtKind::Let {
                name,
                mutable,
                ty,
                init,
            },
            span: self.span(l, r),
        })
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
        Piece::Stmt(Stmt {
            kind: StmtKind::Assign { target, op, value },
            span: self.span(l, r),
        })
    }

    pub(crate) fn expr_stmt(&self, expr: Expr, semi: bool, l: usize, r: usize) -> Piece {
        Piece::Stmt(Stmt {
            kind: StmtKind::Expr { expr, semi },
            span: self.span(l, r),
        })
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
        Piece::Stmt(Stmt {
            kind: StmtKind::Error,
            span: name,
        })
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
                Piece::Stmt(s) => stmts.push(s),
                Piece::Semi(sp) => end_with_semi(stmts.last_mut(), sp),
                // Not produced inside blocks by the grammar.
                other => stmts.push(other.into_stmt()),
            }
        }
        let mut tail = None;
        match last {
            Some(Last::Expr(e)) => tail = Some(Box::new(e)),
            Some(Last::Stmt(s)) => stmts.push(s),
            Some(Last::Let(s)) => {
                self.missing_semi_at(self.token_index(r.saturating_sub(1), r), s.span);
                stmts.push(s);
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
        let at_eof = index >= self.tokens.len();
        // At the end of input after other errors, this is most likely a
        // consequence of the recovery.
        if (at_eof && (self.truncated || self.last_error.get().is_some()))
            || self.follow_on(index) != FollowOn::No
        {
            return;
        }
        self.last_error.set(Some(index));
        let end = what.hi as usize;
        let d = match self.tokens.get(index) {
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
                Piece::Fn(f) => items.push(TopLevel::Fn(f)),
                Piece::Struct(s) => items.push(TopLevel::Struct(s)),
                Piece::Stmt(s) => items.push(top_stmt(s)),
                Piece::Semi(sp) => {
                    if let Some(TopLevel::Stmt(s)) = items.last_mut() {
                        end_with_semi(Some(s), sp);
                    }
                }
            }
        }
        let eof = self.tokens.len();
        let mut tail = None;
        match (last, mode) {
            (Some(Last::Expr(e)), Mode::Entry) => tail = Some(e),
            (Some(Last::Stmt(s) | Last::Let(s)), Mode::Entry) => items.push(top_stmt(s)),
            (Some(Last::Expr(expr)), Mode::File) => {
                self.missing_semi_at(eof, expr.span);
                let span = expr.span;
                items.push(TopLevel::Stmt(Stmt {
                    kind: StmtKind::Expr { expr, semi: true },
                    span,
                }));
            }
            (Some(Last::Stmt(s) | Last::Let(s)), Mode::File) => {
                self.missing_semi_at(eof, s.span);
                items.push(top_stmt(s));
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

    /// Index of the token spanning `lo..hi` (the number of tokens if none:
    /// the end of input).
    fn token_index(&self, lo: usize, hi: usize) -> usize {
        let mut i = self.tokens.partition_point(|t| t.0 < lo);
        while i < self.tokens.len() && self.tokens[i].0 == lo {
            if self.tokens[i].2 == hi {
                return i;
            }
            i += 1;
        }
        self.tokens.len()
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
        Piece::Stmt(Stmt {
            kind: StmtKind::Error,
            span: self.span(l, r.max(l)),
        })
    }

    fn report(&self, e: &ParseError<usize, Tok<'a>, NoLexError>) {
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
                if self.truncated {
                    return;
                }
                let d = self.unexpected_eof(*location, expected);
                (self.tokens.len(), d, None, false)
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
                let p = self.tokens[index - 1].2;
                Some(Fix {
                    inserts: vec![(index, (p, Tok::Semi, p))],
                    diag,
                })
            } else if diag.as_ref().is_some_and(|d| d.code == "E0014") {
                self.matching(index - 2).map(|close| {
                    let open_at = self.tokens[index - 3].0;
                    let close_at = self.tokens[close].2;
                    Fix {
                        inserts: vec![
                            (index - 3, (open_at, Tok::LParen, open_at)),
                            (close + 1, (close_at, Tok::RParen, close_at)),
                        ],
                        diag,
                    }
                })
            } else {
                None
            };
            if fix.is_some() {
                *self.fix.borrow_mut() = fix;
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
        let n = self.tokens.len();
        if index > 0 && n > 0 {
            let lo = self.tokens[(index - 1).min(n - 1)].0;
            let hi = self.tokens.get(index).map_or(self.src.len(), |t| t.2);
            if self.lex_errors.iter().any(|&(a, b)| a < hi && b > lo) {
                return FollowOn::AfterLexError;
            }
        }
        let Some(prev) = self.last_error.get() else {
            return FollowOn::No;
        };
        if index < prev {
            return FollowOn::Cascade;
        }
        let synced = self.tokens[prev.min(n)..index.min(n)].iter().any(|t| {
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
            let mut m = vec![u32::MAX; self.tokens.len()];
            let mut stack: Vec<usize> = Vec::new();
            for (i, t) in self.tokens.iter().enumerate() {
                match t.1 {
                    Tok::LParen | Tok::LBracket | Tok::LBrace => stack.push(i),
                    Tok::RParen | Tok::RBracket | Tok::RBrace => {
                        if let Some(&o) = stack.last() {
                            if closer_of(self.tokens[o].1) == Some(t.1) {
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
                self.tokens[index - 3].1,
                self.tokens[index - 2].1,
                self.tokens[index - 1].1,
            ) {
                let start = self.tokens[index - 3].0;
                return Diagnostic::error(
                    "E0014",
                    "struct literals are not allowed here without parentheses",
                    self.span(start, self.tokens[index - 2].2),
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
            let prev_end = self.tokens[index - 1].2;
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
        let at = self.tokens.last().map_or(0, |t| t.2);
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
        for (i, t) in self.tokens.iter().enumerate() {
            match t.1 {
                Tok::LParen | Tok::LBracket | Tok::LBrace => stack.push(i),
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.last().map(|&i| {
            let t = &self.tokens[i];
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

/// Enforce [`MAX_BRACKETS`] and [`MAX_NESTING`] on the token stream.
/// Returns where to cut the stream, with the diagnostic.
///
/// The nesting estimate is the sum over open brackets of the operators seen
/// at that level since the last `;` or `,` (plus one per level): an upper
/// bound for the depth of the tree the parser will build.
fn depth_guard(file: FileId, tokens: &[Spanned<'_>]) -> Option<(usize, Diagnostic)> {
    let mut counts: Vec<usize> = vec![0];
    let mut sum = 1usize;
    for (i, &(lo, tok, hi)) in tokens.iter().enumerate() {
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
                counts.push(0);
                sum += 2;
                if counts.len() - 1 > MAX_BRACKETS {
                    return Some((
                        i,
                        Diagnostic::error(
                            "E0017",
                            format!("too many nested brackets (the limit is {MAX_BRACKETS})"),
                            Span::new(file, lo, hi),
                        )
                        .with_note("the rest of the input was not parsed"),
                    ));
                }
            }
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                if counts.len() > 1 {
                    sum -= counts.pop().unwrap_or(0) + 1;
                }
                // After a block, a new statement may start: siblings do not
                // nest. (Tokens that could continue an expression keep the
                // count.)
                let next_starts_stmt = tokens.get(i + 1).is_none_or(|t| {
                    matches!(
                        t.1,
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
                            | Tok::LBrace
                            | Tok::RBrace
                            | Tok::Semi
                            | Tok::Fn
                            | Tok::Struct
                            | Tok::True
                            | Tok::False
                            | Tok::None
                            | Tok::Spawn
                    )
                });
                if tok == Tok::RBrace && next_starts_stmt {
                    if let Some(c) = counts.last_mut() {
                        sum -= *c;
                        *c = 0;
                    }
                }
            }
            Tok::Semi | Tok::Comma => {
                if let Some(c) = counts.last_mut() {
                    sum -= *c;
                    *c = 0;
                }
            }
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
            _ => {
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
                sum += 1;
            }
        }
        if sum > MAX_NESTING {
            return Some((
                i,
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
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests;
