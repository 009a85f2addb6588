// Covers: clock (monotonic, non-decreasing), sleep (returns, time advances), rand_int (always within lo..hi) — all checked deterministically.
let t0 = clock();
let t1 = clock();
println(t1 >= t0);
sleep(20);
let t2 = clock();
println(t2 >= t1);
println(t2 - t1 >= 0.015);
sleep(0);
println("slept");
let mut ok = true;
let mut seen_lo = false;
let mut seen_hi = false;
for i in 0..2000 {
    let r = rand_int(3, 7);
    if r < 3 || r >= 7 { ok = false; }
    if r == 3 { seen_lo = true; }
    if r == 6 { seen_hi = true; }
}
println(ok);
println(seen_lo && seen_hi);
let mut single = true;
for i in 0..100 {
    if rand_int(-5, -4) != -5 { single = false; }
}
println(single);
let mut big_ok = true;
for i in 0..100 {
    let r = rand_int(-1000000000000, 1000000000000);
    if r < -1000000000000 || r >= 1000000000000 { big_ok = false; }
}
println(big_ok);
let mut last = clock();
let mut monotonic = true;
for i in 0..1000 {
    let now = clock();
    if now < last { monotonic = false; }
    last = now;
}
println(monotonic);
