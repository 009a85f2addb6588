// Covers: blocks as expressions (value of the last expression without `;`), scoping inside blocks, unit-valued blocks.
let a = {
    let t = 1;
    t + 1
};
println(a);
let b = {
    let x = 10;
    let y = {
        let x = x * 2;
        x + 1
    };
    x + y
};
println(b);
let c = { 5 } * { 6 };
println(c);
fn compute(n: int) -> int {
    let doubled = {
        let mut acc = 0;
        for i in 0..n {
            acc += 2;
        }
        acc
    };
    doubled + 1
}
println(compute(7));
let u = {
    println("side effect in block");
};
println(u);
let nested = { { { 42 } } };
println(nested);
let s = {
    let first = "ab";
    first + "cd"
};
println(s);
