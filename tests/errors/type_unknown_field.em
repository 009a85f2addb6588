// reading a field a struct does not have
struct Point { x: float, y: float }

let p = Point { x: 1.0, y: 2.0 };
println(p.z);
