// `??` on a value that is not optional
let x = 5;
let y = x ?? 0;
