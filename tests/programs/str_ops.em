// Covers: str concatenation with +, value semantics of str, += on str, comparison, len as byte count.
let a = "Hello";
let b = "World";
let c = a + ", " + b + "!";
println(c);
println(len(c));
let mut s = "";
for i in 0..5 {
    s += str(i);
}
println(s);
let s2 = s;
s += "!";
println(s2);
println(s);
println("" + "");
println(len(""));
println("abc" + str(1) + str(2.5) + str(true));
println("é" + "🔥");
println(len("é"));
println(len("🔥"));
println(len("héllo"));
println("héllo".len());
let words = ["pear", "apple", "fig", "apple pie", "Apple"];
let mut smallest = words[0];
for w in words {
    if w < smallest {
        smallest = w;
    }
}
println(smallest);
