// Covers: nested structs; fields holding arrays, maps, optionals and other structs; chained field access and mutation.
struct Vec2 { x: int, y: int }
struct Rect { min: Vec2, max: Vec2 }
struct Inventory { owner: str, items: [str], counts: map[str, int], best: str?, origin: Vec2? }
let r = Rect { min: Vec2 { x: 0, y: 0 }, max: Vec2 { x: 4, y: 3 } };
println(r);
println(r.max.x - r.min.x);
r.max.y += 10;
println(r.max);
let shared = Vec2 { x: 1, y: 1 };
let r2 = Rect { min: shared, max: shared };
r2.max.x = 50;
println(r2);
let inv = Inventory { owner: "Ann", items: [], counts: map(), best: none, origin: none };
println(inv);
inv.items.push("sword");
inv.items.push("shield");
inv.counts["arrow"] = 20;
inv.counts["potion"] = 3;
inv.best = "sword";
inv.origin = Vec2 { x: 5, y: -5 };
println(inv);
println(len(inv.items));
println(inv.counts["arrow"]);
if let b = inv.best {
    println("best item: " + b);
}
if let o = inv.origin {
    println(o.x + o.y);
}
println(inv.origin!.x);
