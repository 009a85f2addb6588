// `for` over a map (iterate over keys(m) instead)
let ages = ["ann": 31, "bob": 42];
for k in ages {
    println(k);
}
