// runtime error: message starts with `division by zero` from `/=`; stack: halve_until (line 6), <main> (line 11). Stdout: 8 4 2 1 0 on separate lines.
fn halve_until(n: int) {
    let mut x = n;
    let mut d = 2;
    while true {
        x /= d;
        println(x);
        if x == 0 { d = 0; }
    }
}
halve_until(16);
