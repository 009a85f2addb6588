// `return` with a value of the wrong type
fn name_of(id: int) -> str {
    if id == 0 {
        return 0;
    }
    "someone"
}
