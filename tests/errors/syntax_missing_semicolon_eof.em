// a final expression in a file needs `;`
let x = 1;
println(x)
