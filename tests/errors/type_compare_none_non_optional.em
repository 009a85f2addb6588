// comparing a value that is not optional with `none`
let x = 5;
if x == none { println("none"); }
