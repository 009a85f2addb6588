// Covers: mutable globals of every kind changed by functions, reassigning reference-typed globals, global structs.
struct Config { name: str, level: int }
let mut count = 0;
let mut ratio = 1.0;
let mut flag = false;
let mut label = "init";
let mut items: [int] = [];
let mut table: map[str, int] = map();
let mut cfg = Config { name: "default", level: 1 };
let mut maybe: int? = none;
fn update(step: int) {
    count += step;
    ratio /= 2.0;
    flag = !flag;
    label = label + "+";
    items.push(step);
    table[str(step)] = step * step;
    cfg.level += 1;
    maybe = count;
}
update(1);
update(2);
update(3);
println(count);
println(ratio);
println(flag);
println(label);
println(items);
println(table);
println(cfg);
println(maybe);
items = [0];
cfg = Config { name: "fresh", level: 0 };
update(4);
println(items);
println(cfg);
println(maybe ?? -1);
