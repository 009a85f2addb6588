// a \u escape naming no Unicode scalar value
let s = "\u{D800}";
