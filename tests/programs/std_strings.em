// Covers: standard string functions: len, substr (byte offsets), find (byte offset or -1), split, join, str of values.
let s = "hello, world";
println(len(s));
println(substr(s, 0, 5));
println(substr(s, 7, 12));
println(substr(s, 3, 3));
println(substr(s, 0, len(s)));
println(find(s, "o"));
println(find(s, "world"));
println(find(s, "xyz"));
println(find(s, ""));
println(find(s, "hello, world!"));
println(find("héllo", "l"));
println(substr("héllo", 0, 3));
println(split("a,b,,c", ","));
println(split("no separators", ","));
println(split("", ","));
println(split(",lead,trail,", ","));
println(split("one  two", " "));
println(split("a::b::c", "::"));
println(len(split("x", "x")));
println(join(["a", "b", "c"], ", "));
println(join(["solo"], "-"));
let empty: [str] = [];
println(join(empty, "-"));
println(join(["", ""], "+"));
println(join(split("1 2 3", " "), ""));
println(str(42) + str(-1.5) + str(false));
let csv = "name=ann;age=31;city=oslo";
for field in split(csv, ";") {
    let eq = find(field, "=");
    println(substr(field, 0, eq) + " -> " + substr(field, eq + 1, len(field)));
}
