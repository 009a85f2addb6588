// Covers: struct reference semantics: assignment and parameter passing share the instance; immutable bindings allow field writes.
struct Counter { n: int }
let a = Counter { n: 1 };
let b = a;
b.n = 99;
println(a.n);
fn bump(c: Counter) {
    c.n += 1;
}
bump(a);
println(b);
let list = [a, a, Counter { n: 0 }];
list[0].n = 7;
println(list);
println(a.n);
fn fresh(c: Counter) -> Counter {
    Counter { n: c.n * 2 }
}
let c = fresh(a);
c.n += 1;
println(a);
println(c);
let mut d = a;
d = Counter { n: -1 };
println(a);
println(d);
