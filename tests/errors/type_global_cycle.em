// unannotated globals whose initializers depend on each other
let a = b + 1;
let b = a + 1;
