// a hexadecimal literal beyond 64 bits
let x = 0x1_0000_0000_0000_0000;
