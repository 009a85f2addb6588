// functions can only be declared at top level
fn outer() {
    fn inner() {}
}
