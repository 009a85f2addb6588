// Covers: a sieve of Eratosthenes with a [bool; n] array, while loops with step, counting and summing primes below 10000.
fn sieve(n: int) -> [bool] {
    let is_prime = [true; n + 1];
    is_prime[0] = false;
    is_prime[1] = false;
    let mut i = 2;
    while i * i <= n {
        if is_prime[i] {
            let mut j = i * i;
            while j <= n {
                is_prime[j] = false;
                j += i;
            }
        }
        i += 1;
    }
    is_prime
}
let flags = sieve(10000);
let mut count = 0;
let mut total = 0;
let mut last = 0;
for i in 0..len(flags) {
    if flags[i] {
        count += 1;
        total += i;
        last = i;
    }
}
println(count);
println(total);
println(last);
let small: [int] = [];
for i in 0..50 {
    if flags[i] { small.push(i); }
}
println(small);
let mut twins = 0;
for i in 2..9998 {
    if flags[i] && flags[i + 2] { twins += 1; }
}
println(twins);
