// Covers: struct declaration, literals with fields in any order, field read/write, printing in declared field order.
struct Point { x: float, y: float }
struct Person { name: str, age: int, active: bool, }
let p = Point { y: 2.0, x: 1.0 };
println(p);
println(p.x);
println(p.y);
p.x = 3.5;
println(p);
let bob = Person { age: 42, active: true, name: "Bob" };
println(bob);
println(bob.name + " is " + str(bob.age));
bob.age += 1;
bob.active = false;
println(bob);
println(str(p));
fn dist2(a: Point, b: Point) -> float {
    let dx = a.x - b.x;
    let dy = a.y - b.y;
    dx * dx + dy * dy
}
println(dist2(Point { x: 0.0, y: 0.0 }, Point { x: 3.0, y: 4.0 }));
fn origin() -> Point { Point { x: 0.0, y: 0.0 } }
println(origin());
println(origin().x);
let q = Point {
    x: -0.0,
    y: 1e21,
};
println(q);
