// an unknown type name in a signature (close to a declared struct)
struct Point { x: float, y: float }

fn norm(p: Pont) -> float { 0.0 }
