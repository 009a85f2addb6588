// standard functions check their argument types and name their signatures
let n = len(42);
let r = sqrt(2);
let s = substr("hello", "1", 3);
