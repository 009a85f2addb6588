-- file lib.em
fn area(w: int, h: int) -> int { w * h }
fn total() -> int { area(2, 3) + area(4, 5) }
fn unrelated() -> int { 7 }
-- run lib.em
-- entry
total()
-- entry
fn area(w: int) -> int { w * w }
-- entry
total()
-- entry
fn area(w: int) -> int { w * w }
fn total() -> int { area(2) + area(4) }
-- entry
total()
-- entry
fn area(w: int) -> float { (w * w) as float }
fn twice(x: int) -> int { x * 2 }
