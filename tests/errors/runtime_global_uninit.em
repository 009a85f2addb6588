// runtime error: message starts with `global later used before initialization`; stack: read_later (line 5), <main> (line 3). Stdout before it: "start".
println("start");
let early = read_later() + 1;
fn read_later() -> int {
    later * 2
}
let later = 21;
println(early);
