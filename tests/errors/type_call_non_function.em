// calling a value that is not a function
let n = 5;
println(n(1));
