// strings cannot be indexed
let s = "hello";
let c = s[0];
