// a nested block comment closed only once
let x = 1;
/* outer /* inner */
let y = 2;
