// A tiny bank: accounts are structs kept in a map by id; transfers check
// balances and record a history; a report prints everything at the end.
// Failed operations return a reason instead of stopping the program.
//
//     ember run examples/bank.em

struct Account { id: int, owner: str, cents: int, history: [str] }
struct Bank { name: str, accounts: map[int, Account], next_id: int }

fn money(cents: int) -> str {
    let sign = if cents < 0 { "-" } else { "" };
    let c = abs(cents);
    let frac = c % 100;
    sign + "$" + str(c / 100) + "." + (if frac < 10 { "0" } else { "" }) + str(frac)
}

fn open_account(bank: Bank, owner: str, deposit: int) -> int {
    let id = bank.next_id;
    bank.next_id += 1;
    bank.accounts[id] = Account { id: id, owner: owner, cents: deposit, history: ["opened with " + money(deposit)] };
    id
}

// Returns none on success, or the reason the transfer was refused.
fn transfer(bank: Bank, from: int, to: int, cents: int) -> str? {
    if cents <= 0 { return "amount must be positive"; }
    let src = get(bank.accounts, from);
    let dst = get(bank.accounts, to);
    if src == none { return "no account " + str(from); }
    if dst == none { return "no account " + str(to); }
    let a = src!;
    let b = dst!;
    if a.cents < cents { return a.owner + " has only " + money(a.cents); }
    a.cents -= cents;
    b.cents += cents;
    a.history.push("sent " + money(cents) + " to " + b.owner);
    b.history.push("received " + money(cents) + " from " + a.owner);
    none
}

fn apply_interest(bank: Bank, percent: int) {
    for id in keys(bank.accounts) {
        let acct = bank.accounts[id];
        let interest = acct.cents * percent / 100;
        acct.cents += interest;
        acct.history.push("interest " + money(interest));
    }
}

let bank = Bank { name: "First Ember Bank", accounts: map(), next_id: 100 };
let ada = open_account(bank, "Ada", 150_00);
let bo = open_account(bank, "Bo", 20_50);
let cy = open_account(bank, "Cy", 0);

let attempts = [[ada, bo, 45_25], [bo, cy, 100_00], [cy, ada, 0], [bo, 999, 1_00], [bo, cy, 60_75]];
for t in attempts {
    let result = transfer(bank, t[0], t[1], t[2]);
    if let reason = result {
        println("refused: " + reason);
    } else {
        println("ok: " + money(t[2]) + " from " + str(t[0]) + " to " + str(t[1]));
    }
}
apply_interest(bank, 2);

println("");
println(bank.name);
let mut total = 0;
for id in keys(bank.accounts) {
    let a = bank.accounts[id];
    total += a.cents;
    println(str(a.id) + " " + a.owner + ": " + money(a.cents));
    for h in a.history { println("    " + h); }
}
println("total deposits: " + money(total));
