// Covers: in-place array algorithms: insertion sort, recursive quicksort with swaps, sorting structs by a field, binary search.
struct Item { name: str, weight: int }
fn insertion_sort(a: [int]) {
    for i in 1..len(a) {
        let key = a[i];
        let mut j = i - 1;
        while j >= 0 && a[j] > key {
            a[j + 1] = a[j];
            j -= 1;
        }
        a[j + 1] = key;
    }
}
fn swap(a: [str], i: int, j: int) {
    let t = a[i];
    a[i] = a[j];
    a[j] = t;
}
fn quicksort(a: [str], lo: int, hi: int) {
    if lo >= hi { return; }
    let pivot = a[hi];
    let mut i = lo;
    for j in lo..hi {
        if a[j] < pivot {
            swap(a, i, j);
            i += 1;
        }
    }
    swap(a, i, hi);
    quicksort(a, lo, i - 1);
    quicksort(a, i + 1, hi);
}
fn sort_items(items: [Item]) {
    for i in 0..len(items) {
        let mut best = i;
        for j in i + 1..len(items) {
            if items[j].weight < items[best].weight { best = j; }
        }
        let t = items[i];
        items[i] = items[best];
        items[best] = t;
    }
}
fn bsearch(a: [int], x: int) -> int {
    let mut lo = 0;
    let mut hi = len(a);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if a[mid] < x { lo = mid + 1; } else { hi = mid; }
    }
    if lo < len(a) && a[lo] == x { lo } else { -1 }
}
let nums = [38, 27, 43, 3, 9, 82, 10, -5, 27, 0];
insertion_sort(nums);
println(nums);
let words = ["pear", "Apple", "fig", "banana", "apple", "cherry", "", "ümlaut"];
quicksort(words, 0, len(words) - 1);
println(words);
let items = [Item { name: "anvil", weight: 50 }, Item { name: "feather", weight: 1 }, Item { name: "book", weight: 3 }];
sort_items(items);
for it in items { println(it.name + " " + str(it.weight)); }
println(bsearch(nums, 43));
println(bsearch(nums, -5));
println(bsearch(nums, 4));
