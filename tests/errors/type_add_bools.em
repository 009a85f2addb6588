// `+` is not defined on bool
let t = true;
let u = t + false;
