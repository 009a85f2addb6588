// runtime error: message starts with `stack overflow` (unbounded recursion); innermost frames: forever (line 3). Stdout before it: "going down".
fn forever(n: int) -> int {
    forever(n + 1) + 1
}
println("going down");
println(forever(0));
