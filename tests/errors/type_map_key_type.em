// map keys must be int, str or bool
let weights: map[float, str] = [:];
let m = [1.5: "a", 2.5: "b"];
