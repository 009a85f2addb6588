// Covers: repeat literal [v; n] with literal and expression counts, zero count, 2-D grids built from repeat rows.
let zeros = [0; 5];
println(zeros);
let n = 3;
let fs = [1.5; n + 1];
println(fs);
let none_yet = [false; 0];
println(none_yet);
println(len(none_yet));
let words = ["ab"; 2];
println(words);
zeros[2] = 7;
println(zeros);
let grid: [[int]] = [];
for r in 0..3 {
    let row = [0; 4];
    for c in 0..4 {
        row[c] = r * 10 + c;
    }
    grid.push(row);
}
println(grid);
grid[1][2] = -1;
println(grid[1]);
println(grid[0]);
let counts = [0; 10];
let digits = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
for d in digits {
    counts[d] += 1;
}
println(counts);
let opts: [int?] = [none; 3];
opts[1] = 5;
println(opts);
