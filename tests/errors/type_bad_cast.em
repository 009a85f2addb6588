// casts that `as` does not allow
let s = "42";
let n = s as int;
let b = 1 as bool;
