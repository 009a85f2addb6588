// `->` without a return type
fn f() -> {
    1
}
