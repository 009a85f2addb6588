// ranges only appear in `for` heads
let r = 0..10;
