// `for` over an int (not an array, not a range)
let n = 10;
for i in n {
    println(i);
}
