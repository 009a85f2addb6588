// a character that starts no token
let x = 1 @ 2;
let y = 3;
