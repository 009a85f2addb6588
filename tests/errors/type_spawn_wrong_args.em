// a spawned call is type-checked like any call
fn worker(id: int, name: str) { println(name); }

let t = spawn worker("one", 1);
