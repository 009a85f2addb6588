// runtime error: message starts with `unwrap of none`; earlier effects stay done: stdout "1", "2", "[1, 2]" comes before it; stack: find_user (line 5), <main> (line 10).
let users = ["ann": 1, "bo": 2];
let mut seen: [int] = [];
fn find_user(name: str) -> int {
    let id = get(users, name)!;
    seen.push(id);
    id
}
for n in ["ann", "bo", "cy"] {
    println(find_user(n));
    if len(seen) == 2 { println(seen); }
}
