// range bounds must be int
for i in 0..2.5 {
    println(i);
}
