// pushing a value of the wrong element type (method-call sugar)
let mut names: [str] = [];
names.push(42);
