// `spawn` takes a function call
fn work() {}
let t = spawn work;
