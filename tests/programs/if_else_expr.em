// Covers: if / else if / else chains as statements and as expressions, if without else, nested ifs.
fn classify(n: int) -> str {
    if n < 0 {
        "negative"
    } else if n == 0 {
        "zero"
    } else if n < 10 {
        "small"
    } else if n < 100 {
        "medium"
    } else {
        "large"
    }
}
let tests = [-5, 0, 7, 42, 1000];
for t in tests {
    println(str(t) + " is " + classify(t));
}
let x = 15;
let fizz = if x % 15 == 0 { "FizzBuzz" } else if x % 3 == 0 { "Fizz" } else if x % 5 == 0 { "Buzz" } else { str(x) };
println(fizz);
let sign = if x > 0 { 1 } else { -1 } * 10;
println(sign);
let y = 1 + if x > 10 { 100 } else { 200 };
println(y);
if x > 100 {
    println("big");
}
if x > 10 {
    if x > 12 {
        println("over twelve");
    } else {
        println("eleven or twelve");
    }
}
