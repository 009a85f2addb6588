// Covers: maps with int, str and bool keys; values of reference types; strings quoted inside maps; nested maps.
let byint: map[int, str] = map();
byint[-1] = "minus one";
byint[0] = "zero";
byint[9223372036854775807] = "max";
println(byint);
println(byint[-1]);
let bybool = [true: "yes", false: "no"];
println(bybool);
println(bybool[1 < 2]);
bybool[true] = "YES";
println(bybool);
let bystr: map[str, [int]] = map();
bystr["odd"] = [];
bystr["even"] = [];
for i in 1..=6 {
    if i % 2 == 0 {
        bystr["even"].push(i);
    } else {
        bystr["odd"].push(i);
    }
}
println(bystr);
let nested: map[str, map[str, int]] = map();
nested["outer"] = ["inner": 1];
nested["outer"]["second"] = 2;
println(nested);
let fm = ["half": 0.5, "third": 1.0 / 3.0];
println(fm);
let sm = ["he said \"hi\"": "tab\there"];
println(sm);
let om: map[int, int?] = map();
om[1] = 10;
om[2] = none;
println(om);
