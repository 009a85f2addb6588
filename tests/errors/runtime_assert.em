// runtime error: message starts with `assertion failed: balance must not be negative`; stack: <main> (line 5). Stdout before it: "ok".
let balance = 10 - 25;
assert(true, "never shown");
println("ok");
assert(balance >= 0, "balance must not be negative");
