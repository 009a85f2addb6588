// array elements of different types
let xs = [1, 2, "three"];
