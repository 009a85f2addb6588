-- entry
fn inc(x: int) -> int { x + 1 }
fn dbl(x: int) -> int { x * 2 }
let ops = [inc, dbl];
fn apply_all(x: int) -> int { let mut r = x; for op in ops { r = op(r); } r }
apply_all(5)
-- entry
fn inc(x: int) -> int { x + 10 }
apply_all(5)
-- entry
fn inc(x: int, y: int) -> int { x + y }
-- entry
fn dbl(x: int) -> int { x * 3 }
-- entry
apply_all(1)
-- entry
let mut limit = 10;
fn under(x: int) -> bool { x < limit }
under(5)
-- entry
let limit = "ten";
-- entry
let mut limit = 3;
under(5)
-- entry
let limit = 2.5;
fn under(x: int) -> bool { (x as float) < limit }
under(2)
-- entry
under(3)
