//! Dependency graph (stub).
