// `[]` with no type from context
let items = [];
