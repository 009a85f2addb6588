// Covers: break and continue in for and while loops, nested loops (they affect the innermost loop only).
for i in 0..10 {
    if i == 2 {
        continue;
    }
    if i == 5 {
        break;
    }
    print(i);
}
println("");
let mut found = -1;
for i in 0..10 {
    for j in 0..10 {
        if j > i {
            break;
        }
        if i * j == 42 {
            found = i * 100 + j;
        }
    }
}
println(found);
let mut primes: [int] = [];
for n in 2..30 {
    let mut is_prime = true;
    for p in primes {
        if p * p > n {
            break;
        }
        if n % p == 0 {
            is_prime = false;
            break;
        }
    }
    if !is_prime {
        continue;
    }
    primes.push(n);
}
println(primes);
let mut i = 0;
let mut odd_sum = 0;
while i < 100 {
    i += 1;
    if i % 2 == 0 { continue; }
    if i > 15 { break; }
    odd_sum += i;
}
println(odd_sum);
let items = ["a", "skip", "b", "stop", "c"];
for it in items {
    if it == "skip" { continue; }
    if it == "stop" { break; }
    println(it);
}
