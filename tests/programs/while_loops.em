// Covers: while loops, with break and continue, a loop whose condition becomes false, while as a countdown.
let mut i = 0;
let mut total = 0;
while i < 10 {
    i += 1;
    if i % 2 == 0 {
        continue;
    }
    total += i;
}
println(total);
let mut n = 27;
let mut steps = 0;
while n != 1 {
    if n % 2 == 0 {
        n = n / 2;
    } else {
        n = 3 * n + 1;
    }
    steps += 1;
}
println(steps);
let mut k = 0;
while true {
    k += 1;
    if k * k > 200 {
        break;
    }
}
println(k);
let mut countdown = 3;
while countdown > 0 {
    println(countdown);
    countdown -= 1;
}
println("liftoff");
while false {
    println("never");
}
