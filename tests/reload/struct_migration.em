-- entry
struct Point { x: int, y: int }
let origin = Point { x: 1, y: 2 };
let pts = [Point { x: 3, y: 4 }, Point { x: 5, y: 6 }];
fn show(p: Point) -> str { str(p.x) + "," + str(p.y) }
-- entry
origin
-- entry
struct Point { y: int, x: int, label: str, tags: [str], z: float? }
-- entry
origin
-- entry
pts
-- entry
show(origin)
-- entry
struct Point { x: str, y: int }
-- entry
struct Point { x: str, y: int }
fn show(p: Point) -> str { p.x + "," + str(p.y) }
-- entry
origin
-- entry
struct Point { x: str, y: int, next: Point }
