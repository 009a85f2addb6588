// the same function defined twice
fn area(w: int, h: int) -> int { w * h }

fn area(r: float) -> float { 3.14 * r * r }
