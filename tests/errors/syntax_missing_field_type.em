// a struct field without a type
struct Point { x: float, y }
