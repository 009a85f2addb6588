// a float literal needs a digit after the `.`
let x = 1.;
