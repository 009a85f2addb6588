// spawning a standard function directly is not allowed
let t = spawn println("hello");
join(t);
