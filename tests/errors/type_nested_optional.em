// nested optional types are rejected
let x: int?? = none;
