// runtime error: message starts with `cannot parse`, in one of four worker threads (parse_int in parse_all, line 5, called from worker, line 11) that nobody joins; the other three keep working and main prints their results, then `ember run` reports the error at exit with the note. Stdout: "sum 5 = 15", "sum 20 = 210", "sum 30 = 465", "3 workers joined".
fn parse_all(parts: [str]) -> [int] {
    let out: [int] = [];
    for p in parts {
        out.push(parse_int(p));
    }
    out
}
fn worker(id: int, text: str, results: chan[str]) {
    let mut sum = 0;
    for v in parse_all(split(text, ",")) {
        sum += v;
    }
    send(results, "sum " + str(id) + " = " + str(sum));
}
fn numbers(n: int) -> str {
    let parts: [str] = [];
    for i in 1..=n { parts.push(str(i)); }
    join(parts, ",")
}
let results: chan[str] = chan();
let bad = spawn worker(99, "1,2,three,4", results);
let good: [task] = [];
good.push(spawn worker(5, numbers(5), results));
good.push(spawn worker(20, numbers(20), results));
good.push(spawn worker(30, numbers(30), results));
let got: map[int, str] = map();
for k in 0..3 {
    let r = recv(results);
    got[parse_int(split(r, " ")[1])] = r;
}
for t in good { join(t); }
println(got[5]);
println(got[20]);
println(got[30]);
println(str(len(good)) + " workers joined");
