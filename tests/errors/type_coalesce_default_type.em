// the default of `??` must have the optional's inner type
let x: int? = none;
let y = x ?? "zero";
