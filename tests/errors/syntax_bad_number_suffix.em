// letters after a number literal
let x = 12abc;
