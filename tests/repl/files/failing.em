// Its items compile; its top-level code fails at run time.
fn ten() -> int { 10 }
let zero = 0;
println(ten() / zero);
