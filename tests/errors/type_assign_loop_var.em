// a `for` loop variable cannot be assigned
for i in 0..3 {
    i = 5;
}
