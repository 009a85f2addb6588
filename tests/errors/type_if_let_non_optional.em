// `if let` on a value that is not optional
let x = 5;
if let v = x {
    println(v);
}
