// a function without `-> T` whose body ends in a value
fn answer() {
    42
}
