// runtime error: message starts with `index out of bounds: index 3, length 3` (assignment to an element); stack: fill (line 4), <main> (line 9). Stdout before it: "[0, 0, 0]".
fn fill(a: [int]) {
    for i in 0..=len(a) {
        a[i] = i;
    }
}
let a = [0; 3];
println(a);
fill(a);
