// Covers: early return from inside loops and nested blocks, `return;` in unit functions, return of values.
fn index_of(a: [int], target: int) -> int {
    for i in 0..len(a) {
        if a[i] == target {
            return i;
        }
    }
    -1
}
fn first_negative(a: [int]) -> int? {
    for x in a {
        if x < 0 {
            return x;
        }
    }
    return none;
}
fn report(n: int) {
    if n < 0 {
        println("negative, stopping");
        return;
    }
    println("value " + str(n));
}
fn deep(n: int) -> str {
    let mut i = 0;
    while true {
        i += 1;
        if i == n {
            {
                if n > 2 {
                    return "deep " + str(i);
                }
            }
            return "shallow";
        }
    }
    "unreachable"
}
let data = [4, 8, 15, 16, 23, 42];
println(index_of(data, 15));
println(index_of(data, 99));
println(first_negative(data));
println(first_negative([3, -7, -2]));
report(5);
report(-1);
println(deep(5));
println(deep(1));
