// Covers: shadowing: locals shadow globals and functions, `let` re-declares a name in the same block, inner blocks.
let value = 1;
fn helper() -> int { 100 }
fn show() -> int {
    value
}
fn shadow_fn() -> int {
    let helper = 5;
    helper * 2
}
fn shadow_global() -> int {
    let value = 50;
    value + show()
}
println(value);
println(helper());
println(shadow_fn());
println(shadow_global());
fn redeclare() {
    let x = 1;
    println(x);
    let x = x + 1;
    println(x);
    let x = "now a string";
    println(x);
    let x = [x, x];
    println(x);
    {
        let x = 3.5;
        println(x);
    }
    println(x);
}
redeclare();
fn param_shadow(n: int) -> int {
    let n = n * 10;
    let mut n = n + 1;
    n += 1;
    n
}
println(param_shadow(4));
for value in [7, 8] {
    print(value);
}
println("");
println(value);
