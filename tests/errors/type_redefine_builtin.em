// user items may not reuse a standard function's name
fn len(s: str) -> int { 0 }

let print = 1;
