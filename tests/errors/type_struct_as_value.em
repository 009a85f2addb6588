// a struct name used as a value
struct Point { x: float, y: float }

let p = Point;
