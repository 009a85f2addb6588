// a method call whose function does not exist
let names = ["a", "b"];
println(names.lenght());
