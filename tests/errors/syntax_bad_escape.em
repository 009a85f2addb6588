// an unknown escape sequence in a string
let s = "tab\qhere";
