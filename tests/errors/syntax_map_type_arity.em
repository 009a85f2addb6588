// `map` takes two type arguments
let m: map[str] = [:];
