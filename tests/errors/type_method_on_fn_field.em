// a function stored in a field is called as `(x.f)(a)`, not `x.f(a)`
struct Handler { run: fn(int) -> int }

fn twice(x: int) -> int { x * 2 }

let h = Handler { run: twice };
println(h.run(3));
