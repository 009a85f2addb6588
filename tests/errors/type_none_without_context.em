// `none` with no type from context
let nothing = none;
