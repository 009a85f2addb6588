// a struct literal field of the wrong type (int literal for a float field)
struct Point { x: float, y: float }

let p = Point { x: 1, y: 2.0 };
