// a struct literal that names a field the struct does not have
struct Point { x: float, y: float }

let p = Point { x: 1.0, yy: 2.0 };
