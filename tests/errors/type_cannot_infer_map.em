// `map()`, `[:]` and `chan()` with no type from context
let m = map();
let e = [:];
let c = chan();
