// several syntax errors in one file are all reported
fn a() {
    let x = ;
}
fn b() -> int {
    let y = 1
    y
}
struct S { f: }
let z = (1 + );
