// a standard function called with the wrong number of arguments
let a = [1, 2, 3];
push(a);
