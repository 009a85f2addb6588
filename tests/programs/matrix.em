// Covers: 2-D arrays ([[float]] and [[int]]), nested loops, matrix multiplication, transpose, identity, float printing of results.
fn zeros(r: int, c: int) -> [[float]] {
    let m: [[float]] = [];
    for i in 0..r { m.push([0.0; c]); }
    m
}
fn matmul(a: [[float]], b: [[float]]) -> [[float]] {
    let n = len(a);
    let k = len(b);
    let p = len(b[0]);
    let out = zeros(n, p);
    for i in 0..n {
        for j in 0..p {
            let mut s = 0.0;
            for t in 0..k { s += a[i][t] * b[t][j]; }
            out[i][j] = s;
        }
    }
    out
}
fn transpose(m: [[int]]) -> [[int]] {
    let out: [[int]] = [];
    for j in 0..len(m[0]) {
        let row: [int] = [];
        for i in 0..len(m) { row.push(m[i][j]); }
        out.push(row);
    }
    out
}
let a = [[1.0, 2.0], [3.0, 4.0]];
let b = [[0.5, -1.0], [1.5, 0.25]];
println(matmul(a, b));
let id = zeros(3, 3);
for i in 0..3 { id[i][i] = 1.0; }
println(id);
let c = [[0.1, 0.2, 0.3]];
let d = [[1.0], [1.0], [1.0]];
println(matmul(c, d));
println(transpose([[1, 2, 3], [4, 5, 6]]));
let mut power = [[1.0, 1.0], [1.0, 0.0]];
for i in 0..9 { power = matmul(power, [[1.0, 1.0], [1.0, 0.0]]); }
println(power);
