// an optional used where its inner type is expected
fn lookup(m: map[str, int], k: str) -> int {
    get(m, k)
}
