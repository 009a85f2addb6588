// duplicate struct and duplicate global definitions
struct Item { name: str }
struct Item { id: int }

let total = 0;
let total = 1;
