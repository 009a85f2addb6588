//! Lexer (stub).
