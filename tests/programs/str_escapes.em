// Covers: string escapes \n \t \r \\ \" \0 \u{...}, their byte lengths, and how they print at top level vs inside containers.
println("line1\nline2");
println("a\tb");
println("quote: \"hi\"");
println("backslash: \\");
println("fire: \u{1F525}");
println("e acute: \u{e9}");
println(len("\u{1F525}"));
println(len("\n\t\\\""));
println(len("\0"));
println("\u{1F525}" == "🔥");
println(["tab\there", "new\nline", "q\"uote", "back\\slash", "nul\0", "cr\r", "\u{1F525}"]);
println(["k\n": "v\t"]);
let parts = split("a\nb\nc", "\n");
println(parts);
println(len(parts));
