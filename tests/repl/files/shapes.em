// Loaded by the REPL transcripts (`:load files/shapes.em`).
struct Point { x: float, y: float }

let mut loads: int = 0;
let origin = Point { x: 0.0, y: 0.0 };

fn norm(p: Point) -> float {
    sqrt(p.x * p.x + p.y * p.y)
}

fn describe(p: Point) -> str {
    "(" + str(p.x) + ", " + str(p.y) + ")"
}

loads += 1;
println("shapes loaded");
