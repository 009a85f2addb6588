// a struct literal that misses a field
struct Point { x: float, y: float, z: float }

let p = Point { x: 1.0 };
