// Covers: the text form of every type via print and str: strings bare at top level and quoted inside containers, nested containers, none, (), fn, chan, task.
struct Pair { left: str, right: [int?] }
fn nothing() {}
fn worker() {}
println(42);
println(-0.5);
println(true);
println("plain");
println(["quoted", "list"]);
println([["nested", "deep"], []]);
println([[1, 2], [3]]);
println(["k": ["v1", "v2"]]);
println([1: [2: [3: "x"]]]);
let em: map[str, int] = map();
println(em);
println([em, em]);
let o: str? = "present";
let n: str? = none;
println(o);
println(n);
println([o, n]);
println(Pair { left: "l", right: [1, none] });
println([Pair { left: "a\"b", right: [] }]);
println(());
println(nothing());
println([(), ()]);
println(nothing);
println([nothing, worker]);
let c: chan[int] = chan();
println(c);
println([c]);
let t = spawn worker();
join(t);
println(t);
println(str(t) + " " + str(c));
println(str("s") + str(["s"]));
println(str(o));
println(str(n));
println(str(()));
println(str([1.0, 2.5]));
print("no newline, ");
print(1);
print(" ");
print([true]);
println("");
println(str(Pair { left: "", right: [] }));
