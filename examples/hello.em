// The smallest Ember program: `ember check examples/hello.em`.

fn greet(name: str) -> str {
    "hello, " + name + "!"
}

let names: [str] = ["world", "Ember"];

for n in names {
    println(greet(n));
}
