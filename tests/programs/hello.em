// Covers: the smallest program: top-level println of a str literal.
println("Hello, world!");
