// a field of an optional struct needs an unwrap first
struct Node { value: int, next: Node? }

fn second(n: Node) -> int {
    n.next.value
}
