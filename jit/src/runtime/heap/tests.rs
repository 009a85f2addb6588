//! Heap tests: operations, ordering rules, collection, memory bounds,
//! races.

use std::sync::Arc;

use ember_lang::Type;

use super::*;

fn s(m: &mut Mutator, text: &str) -> Str {
    str_new(m, text).unwrap()
}

/// Collect with the given root words.
fn collect(heap: &Heap, roots: &[u64]) -> HeapStats {
    // SAFETY: single-threaded tests: no mutator is mid-operation, and the
    // tests only use objects reachable from `roots` afterwards.
    unsafe {
        heap.collect(&mut |visit| {
            for &r in roots {
                visit(r)
            }
        })
    }
}

fn strs(a: Array) -> Vec<String> {
    array_to_vec(a)
        .into_iter()
        // SAFETY: the arrays passed here are `[str]`.
        .map(|w| unsafe { Str::from_word(w) }.as_str().to_string())
        .collect()
}

#[test]
fn string_ops() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let t = &mut heap.mutator();
    let a = s(m, "héllo");
    let b = s(m, " world");
    let c = str_concat(m, a, b).unwrap();
    assert_eq!(c.as_str(), "héllo world");
    assert_eq!(str_len(a), 6);
    assert!(str_eq(a, s(m, "héllo")));
    assert!(!str_eq(a, b));
    assert_eq!(str_cmp(s(m, "abc"), s(m, "abd")), std::cmp::Ordering::Less);
    assert_eq!(str_cmp(s(m, "b"), s(m, "abc")), std::cmp::Ordering::Greater);
    assert_eq!(str_cmp(s(m, "ab"), s(m, "ab")), std::cmp::Ordering::Equal);
    assert_eq!(str_substr(m, a, 0, 1).unwrap().as_str(), "h");
    assert_eq!(str_substr(m, a, 1, 3).unwrap().as_str(), "é");
    assert_eq!(str_substr(m, a, 6, 6).unwrap().as_str(), "");
    let e = str_substr(m, a, 1, 2).unwrap_err();
    assert!(
        e.message.starts_with("substr not on a char boundary"),
        "{e}"
    );
    let e = str_substr(m, a, 2, 10).unwrap_err();
    assert_eq!(e.message, "substr out of range: 2..10 for length 6");
    assert!(str_substr(m, a, -1, 2).is_err());
    assert!(str_substr(m, a, 3, 2).is_err());
    assert_eq!(str_find(c, s(m, "world")), 7);
    assert_eq!(str_find(c, s(m, "xyz")), -1);
    assert_eq!(str_find(c, s(m, "")), 0);
    let parts = str_split(m, s(t, "a,b,,c"), s(t, ",")).unwrap();
    assert_eq!(strs(parts), ["a", "b", "", "c"]);
    let chars = str_split(m, a, s(t, "")).unwrap();
    assert_eq!(strs(chars), ["h", "é", "l", "l", "o"]);
    assert_eq!(
        strs(str_split(m, s(t, ""), s(t, "")).unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(strs(str_split(m, s(t, ""), s(t, ",")).unwrap()), [""]);
    let joined = str_join(m, parts, s(t, "-")).unwrap();
    assert_eq!(joined.as_str(), "a-b--c");
    let empty = array_new(m, true).unwrap();
    assert_eq!(str_join(m, empty, s(t, ",")).unwrap().as_str(), "");
    assert_eq!(parse_int(s(m, "-42")).unwrap(), -42);
    assert_eq!(parse_int(s(m, "+7")).unwrap(), 7);
    assert_eq!(parse_int(s(m, "9223372036854775807")).unwrap(), i64::MAX);
    let e = parse_int(s(m, "12a")).unwrap_err();
    assert_eq!(e.message, "cannot parse \"12a\" as int");
    assert!(parse_int(s(m, " 1")).is_err());
    assert!(parse_int(s(m, "99999999999999999999")).is_err());
    assert_eq!(parse_float(s(m, "2.5e-3")).unwrap(), 2.5e-3);
    assert!(parse_float(s(m, "inf")).unwrap().is_infinite());
    assert!(parse_float(s(m, "x"))
        .unwrap_err()
        .message
        .starts_with("cannot parse"));
    for i in [0, 7, -1, 1234567890, i64::MIN, i64::MAX] {
        assert_eq!(str_from_int(m, i).unwrap().as_str(), i.to_string());
    }
    assert_eq!(str_from_float(m, 1.0).unwrap().as_str(), "1.0");
    assert_eq!(str_from_bool(m, true).unwrap().as_str(), "true");
    // Large strings take the large-object path.
    let big = "x".repeat(10_000);
    let bs = s(m, &big);
    assert_eq!(str_concat(m, bs, bs).unwrap().len(), 20_000);
}

#[test]
fn array_ops() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let a = array_new(m, false).unwrap();
    assert_eq!(array_len(a), 0);
    assert_eq!(array_pop(a).unwrap_err().message, "pop from empty array");
    assert_eq!(
        array_get(a, 0).unwrap_err().message,
        "index out of bounds: index 0, length 0"
    );
    for i in 0..100 {
        array_push(m, a, i).unwrap();
    }
    assert_eq!(array_len(a), 100);
    assert_eq!(array_get(a, 42).unwrap(), 42);
    array_set(a, 42, 7).unwrap();
    assert_eq!(array_get(a, 42).unwrap(), 7);
    assert_eq!(array_pop(a).unwrap(), 99);
    assert_eq!(array_len(a), 99);
    let e = array_get(a, 99).unwrap_err();
    assert_eq!(e.message, "index out of bounds: index 99, length 99");
    assert_eq!(
        array_set(a, -1, 0).unwrap_err().message,
        "index out of bounds: index -1, length 99"
    );
    let r = array_repeat(m, false, 5, 3).unwrap();
    assert_eq!(array_to_vec(r), [5, 5, 5]);
    assert_eq!(
        array_to_vec(array_repeat(m, false, 5, 0).unwrap()),
        Vec::<u64>::new()
    );
    assert!(array_repeat(m, false, 5, -1).is_err());
    let l = array_from_slice(m, false, &[1, 2, 3]).unwrap();
    assert_eq!(
        array_get(l, 7).unwrap_err().message,
        "index out of bounds: index 7, length 3"
    );
    // Layout constants agree with the handles.
    let b = l.buffer();
    assert_eq!(b.cap(), 3);
    // SAFETY: reading the documented offsets of a live buffer.
    unsafe {
        let base = b.word() as usize as *const u8;
        assert_eq!(
            *(base.add(object::BUFFER_LEN_OFFSET as usize) as *const u64),
            3
        );
        assert_eq!(
            *(base.add(object::BUFFER_CAP_OFFSET as usize) as *const u64),
            3
        );
        assert_eq!(
            *(base.add(object::element_offset(2) as usize) as *const u64),
            3
        );
        let abase = l.word() as usize as *const u8;
        assert_eq!(
            *(abase.add(object::ARRAY_BUF_OFFSET as usize) as *const u64),
            b.word()
        );
    }
}

#[test]
fn map_ops_and_ordering() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let mp = map_new(m, KeyKind::Str, false).unwrap();
    let k = |m: &mut Mutator, t: &str| MapKey::Str(s(m, t));
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        let key = k(m, name);
        map_set(mp, key, i as u64);
    }
    let key_strs = |m: &mut Mutator| strs(map_keys(m, mp).unwrap());
    assert_eq!(key_strs(m), ["a", "b", "c", "d"]);
    // Replace keeps position (lookup by content, a different object).
    let b2 = k(m, "b");
    map_set(mp, b2, 10);
    assert_eq!(key_strs(m), ["a", "b", "c", "d"]);
    assert_eq!(map_get(mp, k(m, "b")), Some(10));
    // Remove keeps the order of the others.
    assert!(map_remove(mp, k(m, "b")));
    assert!(!map_remove(mp, k(m, "zz")));
    assert_eq!(key_strs(m), ["a", "c", "d"]);
    // Re-inserted key goes last.
    map_set(mp, k(m, "b"), 11);
    assert_eq!(key_strs(m), ["a", "c", "d", "b"]);
    assert_eq!(array_to_vec(map_values(m, mp).unwrap()), [0, 2, 3, 11]);
    assert_eq!(map_len(mp), 4);
    assert!(map_has(mp, k(m, "c")));
    assert!(!map_has(mp, k(m, "x")));
    assert_eq!(map_get(mp, k(m, "x")), None);
    assert_eq!(
        map_index(mp, k(m, "x")).unwrap_err().message,
        "key not found: \"x\""
    );
    assert_eq!(map_index(mp, k(m, "d")).unwrap(), 3);
    let im = map_new(m, KeyKind::Int, false).unwrap();
    map_set(im, MapKey::Word((-3i64) as u64), 1);
    assert_eq!(
        map_index(im, MapKey::Word(4)).unwrap_err().message,
        "key not found: 4"
    );
    assert_eq!(map_get(im, MapKey::Word((-3i64) as u64)), Some(1));
    let bm = map_new(m, KeyKind::Bool, false).unwrap();
    assert_eq!(
        map_index(bm, MapKey::Word(1)).unwrap_err().message,
        "key not found: true"
    );
    // get as an optional word
    let v = map_get(im, MapKey::Word((-3i64) as u64));
    let w = make_optional(m, v, &Type::Int).unwrap();
    // SAFETY: `w` is an `int?` word.
    assert_eq!(unsafe { read_optional(w, &Type::Int) }, Some(1));
    assert_eq!(make_optional(m, None, &Type::Int).unwrap(), 0);
}

#[test]
fn boxes_structs_channels_tasks() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let t = &mut heap.mutator();
    let b = box_new(m, 99, false).unwrap();
    assert_eq!(box_get(b), 99);
    let layout = StructLayout::new("P", vec![("x".into(), Type::Int), ("s".into(), Type::Str)]);
    assert_eq!(layout.ref_fields(), &[1]);
    assert_eq!(layout.field_index("s"), Some(1));
    let st = struct_new(m, &layout, &[1, s(t, "x").word()]).unwrap();
    assert_eq!(struct_get(st, 0), 1);
    struct_set(st, 0, 5);
    assert_eq!(struct_get(st, 0), 5);
    assert_eq!(st.layout().name(), "P");
    // SAFETY: reading field 0 at its documented offset.
    unsafe {
        let base = st.word() as usize as *const u8;
        assert_eq!(
            *(base.add(object::field_offset(0) as usize) as *const u64),
            5
        );
    }
    let c = chan_new(m, false).unwrap();
    assert_eq!(chan_try_recv(c), None);
    chan_send(c, 1);
    chan_send(c, 2);
    assert_eq!(chan_len(c), 2);
    assert_eq!(chan_recv_blocking(c), 1);
    assert_eq!(chan_try_recv(c), Some(2));
    assert!(!chan_wait_timeout(c, std::time::Duration::from_millis(1)));
    let c2 = c;
    let h = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        chan_send(c2, 7);
    });
    assert_eq!(chan_recv_blocking(c), 7);
    h.join().unwrap();
    let t = task_new(m, Box::new(42i32)).unwrap();
    assert_eq!(task_payload(t).downcast_ref::<i32>(), Some(&42));
}

#[test]
fn gc_keeps_reachable_and_frees_unreachable() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let t = &mut heap.mutator();
    let node = StructLayout::new(
        "Node",
        vec![
            ("name".into(), Type::Str),
            ("next".into(), Type::optional(Type::strukt("Node"))),
            ("n".into(), Type::optional(Type::Int)),
        ],
    );
    let keep_str = s(m, "kept");
    let arr = array_new(m, true).unwrap();
    for i in 0..1000 {
        let t = str_from_int(m, i).unwrap();
        array_push(m, arr, t.word()).unwrap();
    }
    let mp = map_new(m, KeyKind::Str, true).unwrap();
    let (mk, mv) = (s(m, "key"), s(m, "value"));
    map_set(mp, MapKey::Str(mk), mv.word());
    let bx = make_optional(m, Some(77), &Type::Int).unwrap();
    let n1 = struct_new(m, &node, &[s(t, "one").word(), 0, bx]).unwrap();
    let n2 = struct_new(m, &node, &[s(t, "two").word(), n1.word(), 0]).unwrap();
    let ch = chan_new(m, true).unwrap();
    chan_send(ch, s(m, "queued").word());
    // Garbage.
    let mut garbage = Vec::new();
    for i in 0..10_000 {
        garbage.push(str_from_int(m, i).unwrap().word());
    }
    let gmap = map_new(m, KeyKind::Int, false).unwrap();
    map_set(gmap, MapKey::Word(1), 2);
    let _ = task_new(m, Box::new(String::from("payload"))).unwrap();
    let roots = [keep_str.word(), arr.word(), mp.word(), n2.word(), ch.word()];
    let st = collect(&heap, &roots);
    assert_eq!(st.collections, 1);
    // Everything reachable is intact.
    assert_eq!(keep_str.as_str(), "kept");
    assert_eq!(strs(arr)[999], "999");
    assert_eq!(strs(map_keys(m, mp).unwrap()), ["key"]);
    let v = map_get(mp, MapKey::Str(s(m, "key"))).unwrap();
    // SAFETY: values of a `map[str, str]`.
    assert_eq!(unsafe { Str::from_word(v) }.as_str(), "value");
    // SAFETY: field types per the layout.
    unsafe {
        let n1b = Struct::from_word(n2.get(1));
        assert_eq!(Str::from_word(n1b.get(0)).as_str(), "one");
        assert_eq!(read_optional(n1b.get(2), &Type::Int), Some(77));
        assert_eq!(
            Str::from_word(chan_try_recv(ch).unwrap()).as_str(),
            "queued"
        );
    }
    // Live: 1 + (array + buffer + 1000 strs) + (map + 2) + (2 structs + 2
    // strs + box) + (chan + queued str).
    let expected = 1 + 2 + 1000 + 3 + 5 + 2;
    assert_eq!(st.live_objects, expected, "{st:?}");
    // Freed memory is reused: allocating the same garbage again does not
    // grow the footprint.
    let before = heap.stats().footprint;
    for i in 0..10_000 {
        str_from_int(m, i).unwrap();
    }
    assert_eq!(heap.stats().footprint, before);
    // Collect again with no roots: everything goes.
    let st = collect(&heap, &[]);
    assert_eq!(st.live_objects, 0);
    assert_eq!(st.live_bytes, 0);
}

#[test]
fn gc_deep_chain_does_not_overflow() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let node = StructLayout::new(
        "L",
        vec![
            ("v".into(), Type::Int),
            ("next".into(), Type::optional(Type::strukt("L"))),
        ],
    );
    let mut head = 0u64;
    for i in 0..1_000_000 {
        head = struct_new(m, &node, &[i, head]).unwrap().word();
    }
    // Also a deep chain of nested arrays.
    let mut nested = array_new(m, true).unwrap();
    for _ in 0..100_000 {
        let outer = array_new(m, true).unwrap();
        array_push(m, outer, nested.word()).unwrap();
        nested = outer;
    }
    let st = collect(&heap, &[head, nested.word()]);
    assert_eq!(st.live_objects, 1_000_000 + 100_001 + 100_000);
    // SAFETY: `head` is an `L`.
    let mut n = unsafe { Struct::from_word(head) };
    let mut count = 1;
    while n.get(1) != 0 {
        // SAFETY: `next` is an `L?`.
        n = unsafe { Struct::from_word(n.get(1)) };
        count += 1;
    }
    assert_eq!(count, 1_000_000);
    let st = collect(&heap, &[]);
    assert_eq!(st.live_objects, 0);
}

#[test]
fn gc_request_threshold_and_hook() {
    let heap = Heap::with_config(HeapConfig {
        min_threshold: 1 << 20,
        ..HeapConfig::default()
    });
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h2 = hits.clone();
    heap.set_gc_request_hook(Arc::new(move || {
        h2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }));
    let m = &mut heap.mutator();
    assert!(!heap.gc_requested());
    while !heap.gc_requested() {
        s(m, "some short-lived text");
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    for _ in 0..100_000 {
        s(m, "more");
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "hook once per request"
    );
    collect(&heap, &[]);
    assert!(!heap.gc_requested());
}

#[test]
fn heap_limit_gives_out_of_memory() {
    let heap = Heap::with_config(HeapConfig {
        limit: 8 << 20,
        min_threshold: 1 << 20,
        ..HeapConfig::default()
    });
    let m = &mut heap.mutator();
    let a = array_new(m, true).unwrap();
    let mut err = None;
    for i in 0..10_000_000u64 {
        let t = match str_from_int(m, i as i64) {
            Ok(t) => t,
            Err(e) => {
                err = Some(e);
                break;
            }
        };
        if let Err(e) = array_push(m, a, t.word()) {
            err = Some(e);
            break;
        }
        if heap.gc_requested() {
            collect(&heap, &[a.word()]);
        }
    }
    assert_eq!(err.unwrap().message, "out of memory");
    // After dropping the live data, allocation works again.
    collect(&heap, &[]);
    assert!(str_new(m, "ok").is_ok());
}

#[test]
fn memory_stays_flat_over_many_cycles() {
    // ~1 GB of short strings in total, collecting whenever asked; a few
    // survivors each round. The footprint must stay bounded.
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let keep = array_new(m, true).unwrap();
    let mut total = 0usize;
    let mut collections = 0;
    let mut i = 0i64;
    while total < 1 << 30 {
        let t = str_from_int(m, i).unwrap();
        let u = str_concat(m, t, t).unwrap();
        total += 64;
        if i % 100_000 == 0 {
            array_push(m, keep, u.word()).unwrap();
            if array_len(keep) > 20 {
                array_pop(keep).unwrap();
            }
        }
        if heap.gc_requested() {
            collect(&heap, &[keep.word()]);
            collections += 1;
        }
        i += 1;
    }
    let st = heap.stats();
    assert!(collections > 20, "{collections} collections");
    assert!(
        st.peak_footprint < 64 << 20,
        "peak footprint {} bytes",
        st.peak_footprint
    );
    assert_eq!(array_len(keep), 20);
}

#[test]
fn layouts_are_dropped_when_unused() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let l = StructLayout::new("T", vec![("a".into(), Type::Int)]);
    let weak = Arc::downgrade(&l);
    let inst = struct_new(m, &l, &[1]).unwrap();
    drop(l);
    collect(&heap, &[inst.word()]);
    assert!(weak.upgrade().is_some(), "an instance still uses it");
    assert_eq!(inst.layout().name(), "T");
    collect(&heap, &[]);
    assert!(weak.upgrade().is_none(), "no instance, nobody holds it");
}

#[test]
fn pinned_words_survive() {
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let lit = s(m, "literal");
    heap.pin(lit.word());
    collect(&heap, &[]);
    assert_eq!(lit.as_str(), "literal");
    assert_eq!(heap.stats().live_objects, 1);
    heap.unpin(lit.word());
    collect(&heap, &[]);
    assert_eq!(heap.stats().live_objects, 0);
}

#[test]
fn racing_threads_on_one_array_and_map() {
    // Several threads push to and read one array, pop from it and write
    // one map, with no collection during the phase; then a collection with
    // both as roots, and everything left must be intact.
    let heap = Heap::new();
    let mut m = heap.mutator();
    let arr = array_new(&mut m, true).unwrap();
    let mp = map_new(&mut m, KeyKind::Str, true).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let heap = heap.clone();
            std::thread::spawn(move || {
                let mut m = heap.mutator();
                for i in 0..50_000i64 {
                    let v = str_from_int(&mut m, i).unwrap();
                    array_push(&mut m, arr, v.word()).unwrap();
                    let n = array_len(arr);
                    if n > 0 {
                        // A racy read: may be out of bounds if another
                        // thread popped meanwhile, but never unsafe.
                        if let Ok(w) = array_get(arr, (i * 7919) % n) {
                            // SAFETY: elements of a `[str]` are strings.
                            let got = unsafe { Str::from_word(w) };
                            assert!(got.as_str().parse::<i64>().is_ok());
                        }
                    }
                    if t == 3 && i % 3 == 0 {
                        let _ = array_pop(arr);
                    }
                    let key = str_from_int(&mut m, i % 500).unwrap();
                    map_set(mp, MapKey::Str(key), v.word());
                    if i % 7 == 0 {
                        map_remove(mp, MapKey::Str(key));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let n = array_len(arr);
    assert!(n > 0 && n <= 4 * 50_000);
    collect(&heap, &[arr.word(), mp.word()]);
    for w in array_to_vec(arr) {
        // SAFETY: elements of a `[str]`.
        assert!(unsafe { Str::from_word(w) }.as_str().parse::<i64>().is_ok());
    }
    for (k, v) in map_entries(mp) {
        // SAFETY: `map[str, str]`.
        unsafe {
            assert!(Str::from_word(k).as_str().parse::<i64>().unwrap() < 500);
            assert!(Str::from_word(v).as_str().parse::<i64>().is_ok());
        }
    }
    assert!(map_len(mp) <= 500);
}

/// Binary trees (CLBG, depth 16) through the heap API, collecting whenever
/// asked with the live trees as roots. `cargo test --release -p ember-jit
/// --lib bench_binary_trees -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_binary_trees() {
    fn make(m: &mut Mutator, l: &Arc<StructLayout>, d: u32) -> u64 {
        if d == 0 {
            return struct_new(m, l, &[0, 0]).unwrap().word();
        }
        let a = make(m, l, d - 1);
        let b = make(m, l, d - 1);
        struct_new(m, l, &[a, b]).unwrap().word()
    }
    fn check(w: u64) -> i64 {
        // SAFETY: `w` is a `Node`.
        let n = unsafe { Struct::from_word(w) };
        if n.get(0) == 0 {
            1
        } else {
            1 + check(n.get(0)) + check(n.get(1))
        }
    }
    let start = std::time::Instant::now();
    let mut config = HeapConfig::default();
    if let Some(mb) = std::env::var("EMBER_GC_MIN_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        config.min_threshold = mb << 20;
    }
    let heap = Heap::with_config(config);
    let m = &mut heap.mutator();
    let node = StructLayout::new(
        "Node",
        vec![
            ("l".into(), Type::optional(Type::strukt("Node"))),
            ("r".into(), Type::optional(Type::strukt("Node"))),
        ],
    );
    let max = 16;
    let stretch = make(m, &node, max + 1);
    println!(
        "stretch tree of depth {}\t check: {}",
        max + 1,
        check(stretch)
    );
    let long = make(m, &node, max);
    let mut d = 4;
    while d <= max {
        let iters = 1 << (max - d + 4);
        let mut c = 0;
        for _ in 0..iters {
            let t = make(m, &node, d);
            c += check(t);
            if heap.gc_requested() {
                collect(&heap, &[long]);
            }
        }
        println!("{iters}\t trees of depth {d}\t check: {c}");
        d += 2;
    }
    println!("long lived tree of depth {max}\t check: {}", check(long));
    let st = heap.stats();
    println!(
        "{:?} total; {} collections, total pause {:?}, max pause {:?}, peak footprint {} MB",
        start.elapsed(),
        st.collections,
        st.total_pause,
        st.max_pause,
        st.peak_footprint >> 20
    );
}

/// 10 GB of short-lived strings (cell bytes), collecting whenever asked;
/// prints the heap's peak footprint and the process's peak RSS.
/// `cargo test --release -p ember-jit --lib bench_short_strings -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_short_strings() {
    let start = std::time::Instant::now();
    let heap = Heap::new();
    let m = &mut heap.mutator();
    let mut total: u64 = 0;
    let mut i = 0i64;
    let mut last = 0u64;
    while total < 10 << 30 {
        let s = str_from_int(m, i).unwrap();
        let t = str_concat(m, s, s).unwrap();
        last = t.word();
        total += 64;
        if heap.gc_requested() {
            collect(&heap, &[last]);
        }
        i += 1;
    }
    let st = heap.stats();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    println!(
        "{:?}: {} strings, {} collections, total pause {:?}, peak footprint {} MB, {hwm} ({last:#x})",
        start.elapsed(),
        2 * i,
        st.collections,
        st.total_pause,
        st.peak_footprint >> 20
    );
}
