-- entry
struct P { x: int }
let mailbox: chan[P] = chan();
send(mailbox, P { x: 1 });
let gate: chan[int] = chan();
let gate2: chan[P] = chan();
fn holder(g: chan[int]) { println("holder got " + str(recv(g))); }
let ready: chan[int] = chan();
fn user(g: chan[P]) { send(ready, 1); let p = recv(g); println("user got " + str(p.x)); }
let t1 = spawn holder(gate);
let t2 = spawn user(gate2);
recv(ready);
-- entry
struct P { x: int, y: int }
-- entry
send(gate2, P { x: 5 });
join(t2);
-- entry
struct P { x: int, y: int }
-- entry
recv(mailbox)
-- entry
send(gate, 7);
join(t1);
