-- entry
fn f(x: int) -> int { x + 1 }
fn g(x: int) -> int { f(x) * 10 }
let h = g;
-- entry
g(1)
-- entry
fn f(x: int) -> int { x + 2 }
-- entry
g(1)
-- entry
h(1)
-- entry
fn f(x: int) -> int { x + 2 }
-- versions fn f
-- rollback fn f
-- entry
g(1)
-- rollback fn f 2
-- entry
g(1)
-- versions fn f
-- rollback fn f 9
-- rollback fn nope
