// several independent errors in one file are all reported
fn f(a: int) -> int {
    let s: str = a;
    undefined_thing();
    a + true
}

fn g() -> bool {
    f(1, 2);
    1
}

let v: [int] = ["x"];
