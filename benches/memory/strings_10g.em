// allocates about 10 GB of short-lived strings in total
let mut base = "";
for i in 0..1000 { base = base + "x"; }
let mut total = 0;
for i in 0..10000000 {
    let t = base + str(i);
    total = total + len(t);
}
println(total);
