// runtime error: message starts with `key not found`; stack: price (line 4), <main> (line 7). Stdout before it: "3".
let prices = ["apple": 3, "pear": 4];
fn price(name: str) -> int {
    prices[name]
}
println(price("apple"));
println(price("plum"));
