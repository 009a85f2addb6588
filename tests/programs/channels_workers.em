// Covers: several worker threads consuming jobs from one channel and sending results on another; results combined order-independently.
struct Job { id: int, n: int }
fn collatz_steps(n: int) -> int {
    let mut x = n;
    let mut s = 0;
    while x != 1 {
        if x % 2 == 0 { x = x / 2; } else { x = 3 * x + 1; }
        s += 1;
    }
    s
}
fn worker(jobs: chan[Job?], results: chan[int]) {
    while true {
        let j = recv(jobs);
        if let job = j {
            send(results, job.id * 1000 + collatz_steps(job.n));
        } else {
            return;
        }
    }
}
let jobs: chan[Job?] = chan();
let results: chan[int] = chan();
let pool: [task] = [];
for i in 0..3 {
    pool.push(spawn worker(jobs, results));
}
for i in 1..=12 {
    send(jobs, Job { id: i, n: i * 7 });
}
for i in 0..3 {
    send(jobs, none);
}
let by_id: map[int, int] = map();
for i in 0..12 {
    let r = recv(results);
    by_id[r / 1000] = r % 1000;
}
for t in pool { join(t); }
for id in 1..=12 {
    println(str(id * 7) + ": " + str(by_id[id]));
}
