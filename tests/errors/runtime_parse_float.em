// runtime error: message starts with `cannot parse` (parse_float("1,5")); stack: read_all (line 5), <main> (line 10). Stdout before it: "1.5".
fn read_all(items: [str]) -> float {
    let mut total = 0.0;
    for s in items {
        total += parse_float(s);
        println(total);
    }
    total
}
println(read_all(["1.5", "1,5"]));
