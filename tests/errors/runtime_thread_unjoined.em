// runtime error: message starts with `worker failed`, in a spawned thread nobody joins: `ember run` waits for it, reports it and exits 1; stack: fail (line 4). Stdout: "main done".
fn fail() {
    sleep(10);
    panic("worker failed");
}
let t = spawn fail();
println("main done");
