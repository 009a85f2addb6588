// Covers: structs in arrays and maps, functions returning optional structs, error codes instead of panics, aggregate reports.
struct Account { id: int, owner: str, balance: int, history: [str] }
struct Bank { accounts: map[int, Account], next_id: int }
fn open(b: Bank, owner: str, initial: int) -> Account {
    let a = Account { id: b.next_id, owner: owner, balance: initial, history: ["open " + str(initial)] };
    b.accounts[a.id] = a;
    b.next_id += 1;
    a
}
fn lookup(b: Bank, id: int) -> Account? {
    get(b.accounts, id)
}
fn transfer(b: Bank, from: int, to: int, amount: int) -> bool {
    if let src = lookup(b, from) {
        if let dst = lookup(b, to) {
            if src.balance < amount { return false; }
            src.balance -= amount;
            dst.balance += amount;
            src.history.push("sent " + str(amount));
            dst.history.push("got " + str(amount));
            return true;
        }
    }
    false
}
let bank = Bank { accounts: map(), next_id: 1 };
let alice = open(bank, "alice", 100);
let bob = open(bank, "bob", 20);
open(bank, "carol", 0);
println(transfer(bank, 1, 2, 30));
println(transfer(bank, 2, 3, 60));
println(transfer(bank, 2, 3, 50));
println(transfer(bank, 9, 1, 1));
println(alice.balance);
println(bob);
let mut total = 0;
for id in keys(bank.accounts) {
    let a = bank.accounts[id];
    total += a.balance;
    println(a.owner + ": " + str(a.balance) + " " + str(a.history));
}
println(total);
println(lookup(bank, 3)!.history);
println(lookup(bank, 4) == none);
