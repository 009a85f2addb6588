// Conway's Game of Life on a small wrapping board: a glider and a blinker,
// printed every few generations. Cells are stored in a [[bool]] grid.
//
//     ember run examples/life.em

let ROWS = 10;
let COLS = 20;

fn empty_board() -> [[bool]] {
    let board: [[bool]] = [];
    for r in 0..ROWS { board.push([false; COLS]); }
    board
}

fn place(board: [[bool]], cells: [[int]], dr: int, dc: int) {
    for c in cells { board[c[0] + dr][c[1] + dc] = true; }
}

// Live neighbours of (r, c); the board wraps around at the edges.
fn neighbours(board: [[bool]], r: int, c: int) -> int {
    let mut n = 0;
    for dr in -1..=1 {
        for dc in -1..=1 {
            if dr == 0 && dc == 0 { continue; }
            let rr = (r + dr + ROWS) % ROWS;
            let cc = (c + dc + COLS) % COLS;
            if board[rr][cc] { n += 1; }
        }
    }
    n
}

fn step(board: [[bool]]) -> [[bool]] {
    let next = empty_board();
    for r in 0..ROWS {
        for c in 0..COLS {
            let n = neighbours(board, r, c);
            next[r][c] = n == 3 || (n == 2 && board[r][c]);
        }
    }
    next
}

fn show(board: [[bool]], gen: int) {
    let mut alive = 0;
    println("generation " + str(gen) + ":");
    for row in board {
        let mut line = "";
        for cell in row {
            if cell { line += "#"; alive += 1; } else { line += "."; }
        }
        println(line);
    }
    println(str(alive) + " alive");
    println("");
}

let mut board = empty_board();
place(board, [[0, 1], [1, 2], [2, 0], [2, 1], [2, 2]], 1, 1);   // glider
place(board, [[0, 0], [0, 1], [0, 2]], 5, 12);                  // blinker
for gen in 0..=12 {
    if gen % 4 == 0 { show(board, gen); }
    board = step(board);
}
