// runtime error: message starts with `something went wrong: 42`; stack: check (line 5), <main> (line 8). Stdout before it: "checking".
fn check(x: int) {
    println("checking");
    if x > 10 {
        panic("something went wrong: " + str(x));
    }
}
check(42);
println("unreachable");
