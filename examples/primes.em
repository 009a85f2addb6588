// The sieve of Eratosthenes: cross out the multiples of every prime, and
// whatever is left standing is prime. Prints the primes below 100, how many
// there are below one million, and the largest gap between consecutive primes.
//
//     ember run examples/primes.em

fn sieve(limit: int) -> [bool] {
    let is_prime = [true; limit];
    is_prime[0] = false;
    is_prime[1] = false;
    let mut p = 2;
    while p * p < limit {
        if is_prime[p] {
            // multiples below p*p were already crossed out by smaller primes
            let mut m = p * p;
            while m < limit {
                is_prime[m] = false;
                m += p;
            }
        }
        p += 1;
    }
    is_prime
}

let LIMIT = 1_000_000;
let flags = sieve(LIMIT);

let small: [str] = [];
for n in 0..100 {
    if flags[n] { small.push(str(n)); }
}
println("primes below 100: " + join(small, " "));

let mut count = 0;
let mut prev = 2;
let mut gap = 0;
let mut gap_at = 0;
for n in 2..LIMIT {
    if flags[n] {
        count += 1;
        if n - prev > gap {
            gap = n - prev;
            gap_at = prev;
        }
        prev = n;
    }
}
println("primes below " + str(LIMIT) + ": " + str(count));
println("largest prime below " + str(LIMIT) + ": " + str(prev));
println("largest gap: " + str(gap) + " (after " + str(gap_at) + ")");
