// Covers: optional structs: a linked list with `Node?` links, if let over links, `!` on optional structs, printing nested optionals.
struct Node { value: int, next: Node? }
fn push_front(head: Node?, v: int) -> Node {
    Node { value: v, next: head }
}
fn length(head: Node?) -> int {
    let mut n = 0;
    let mut cur = head;
    while cur != none {
        n += 1;
        cur = cur!.next;
    }
    n
}
fn sum(head: Node?) -> int {
    if let node = head {
        node.value + sum(node.next)
    } else {
        0
    }
}
let mut list: Node? = none;
println(length(list));
for i in 1..=4 {
    list = push_front(list, i);
}
println(length(list));
println(sum(list));
println(list);
let second = list!.next!;
second.value = 30;
println(sum(list));
let tail = Node { value: 0, next: none };
println(tail);
let lonely: Node? = tail;
println(lonely);
println(lonely!.next == none);
