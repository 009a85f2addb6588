//! Diagnostic rendering (stub).
