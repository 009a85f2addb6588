-- file app.em
let mut counter = 10;
let name = "app";
fn bump() -> int { counter += 1; counter }
fn helper() -> int { 1 }
fn unused() -> int { 2 }
println("started");
-- run app.em
-- entry
bump()
-- file app.em
let mut counter = 0;
let name = 42;
let fresh = [1, 2, 3];
fn bump() -> int { counter += 100; counter }
fn helper() -> int { 1 }
println("started again?");
-- reload app.em
-- entry
bump()
-- entry
name
-- entry
fresh
-- entry
unused()
-- file app.em
let mut counter = 0;
let name = 42;
fn bump() -> int { counter += 100; counter }
-- entry
fn user() -> int { helper() + 1 }
-- reload app.em
-- entry
user()
-- file app.em
let mut counter = 0;
fn bump() -> int { counter += 100; counter
-- reload app.em
-- entry
bump()
