// runtime error: message starts with `division by zero`; stack: divide (line 3), <main> (line 7). Stdout before it: "before".
fn divide(a: int, b: int) -> int {
    let q = a / b;
    q
}
println("before");
let z = divide(10, 0);
println(z);
