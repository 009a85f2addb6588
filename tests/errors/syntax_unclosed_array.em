// an array literal that is never closed
let a = [1, 2, 3;
let b = 1;
