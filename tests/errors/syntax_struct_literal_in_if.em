// a struct literal in an `if` head needs parentheses
struct Point { x: float, y: float }
fn main() {
    let p = Point { x: 1.0, y: 2.0 };
    if p.x == Point { x: 1.0, y: 2.0 }.x {
        println("same");
    }
}
