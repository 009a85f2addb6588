// Covers: method-call sugar x.f(a) == f(x, a) for standard functions (push, len, pop, join, split, keys...) and user functions, chained.
fn twice(x: int) -> int { x * 2 }
fn add(x: int, y: int) -> int { x + y }
fn shout(s: str) -> str { s + "!" }
fn total(xs: [int]) -> int {
    let mut t = 0;
    for x in xs { t += x; }
    t
}
struct Account { owner: str, balance: int }
fn deposit(a: Account, amount: int) -> Account {
    a.balance += amount;
    a
}
let a: [int] = [];
a.push(1);
a.push(2);
a.push(3);
println(a.len());
println(a.total());
println(a.pop());
let n = 5;
println(n.twice());
println(n.twice().twice().add(1));
println(n.add(10).twice());
println("hey".shout().shout());
println("hello".len());
println("a,b,c".split(",").join("-"));
println("hello world".find("world"));
println("hello".substr(1, 4));
let m = ["x": 1];
println(m.keys());
println(m.values());
println(m.has("x"));
let acct = Account { owner: "Zoe", balance: 10 };
acct.deposit(5).deposit(7);
println(acct);
println(3.5.max(2.0));
println((-4).abs());
println(2.0.sqrt());
println(7.min(3));
