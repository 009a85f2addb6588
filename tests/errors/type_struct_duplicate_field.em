// a struct literal that names a field twice
struct Point { x: float, y: float }

let p = Point { x: 1.0, y: 2.0, x: 3.0 };
