// assigning to a global declared without `mut`
let limit = 10;

fn raise() {
    limit += 5;
}
