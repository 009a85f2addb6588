// Covers: NaN and infinities: arithmetic, comparisons (NaN != NaN), negative zero equality.
let inf = 1e308 * 10.0;
let nan = inf - inf;
println(inf);
println(-inf);
println(nan);
println(nan == nan);
println(nan != nan);
println(nan < 1.0);
println(nan > 1.0);
println(nan <= nan);
println(inf > 1e308);
println(-inf < -1e308);
println(inf + 1.0);
println(inf * -1.0);
println(inf - inf);
println(inf * 0.0);
println(1.0 / inf);
println(-1.0 / inf);
println(0.0 == -0.0);
println(-0.0 < 0.0);
println(sqrt(-1.0));
println(nan + 1.0);
println(inf == inf);
println(inf / inf);
let x = nan;
if x == x {
    println("equal");
} else {
    println("nan is not equal to itself");
}
