//! Text forms of values (LANGUAGE.md §5), for `print`, `println`, `str`
//! and REPL echo.
//!
//! `int` in decimal; `float` as Rust's `{:?}` (`1.0`, `0.1`, `1e21`, `NaN`,
//! `inf`); `bool`; `str` as is at top level, quoted with Rust's `{:?}`
//! escapes inside arrays, maps and structs; a present `T?` as its `T`,
//! `none`; `()`; arrays `[1, 2, 3]`; maps `["a": 1]`, empty `[:]`; structs
//! `Point { x: 1.0, y: 2.0 }` in declared field order (an empty struct
//! `Name {}`); function values `fn name`; `chan`; `task`.
//!
//! Formatting is iterative (an explicit work stack), so a list a million
//! structs deep prints without overflowing the native stack. A container
//! that contains itself prints `[...]` (arrays, maps) or `Name { ... }`
//! (structs) where it recurs. A struct prints with the layout of the
//! instance itself (after a redefinition, old instances print their own
//! fields).

use std::collections::HashSet;

use ember_lang::Type;

use super::heap::{array_to_vec, map_entries, read_optional, Array, Map, Str, Struct};

enum Item {
    Val(u64, Type, bool),
    Text(&'static str),
    Owned(String),
    Leave(u64),
}

/// The text of `word` of type `ty` as `print` and `str` show it (a
/// top-level `str` unquoted). `fn_name` maps a function slot address to the
/// function's name.
///
/// # Safety
/// `word` must be a valid value of type `ty` (live objects, RUNTIME.md
/// representation), and no collection may run during the call.
pub unsafe fn format_value(word: u64, ty: &Type, fn_name: &dyn Fn(u64) -> String) -> String {
    let mut out = String::new();
    // SAFETY: forwarded contract.
    unsafe { write_value(&mut out, word, ty, false, fn_name) };
    out
}

/// The quoted text form (strings quoted even at top level): REPL echo.
///
/// # Safety
/// As [`format_value`].
pub unsafe fn format_value_quoted(word: u64, ty: &Type, fn_name: &dyn Fn(u64) -> String) -> String {
    let mut out = String::new();
    // SAFETY: forwarded contract.
    unsafe { write_value(&mut out, word, ty, true, fn_name) };
    out
}

/// Append the text form of `word` to `out`; `quoted` quotes a top-level
/// `str`.
///
/// # Safety
/// As [`format_value`].
pub unsafe fn write_value(
    out: &mut String,
    word: u64,
    ty: &Type,
    quoted: bool,
    fn_name: &dyn Fn(u64) -> String,
) {
    use std::fmt::Write;
    let mut stack = vec![Item::Val(word, ty.clone(), quoted)];
    let mut on_path: HashSet<u64> = HashSet::new();
    while let Some(item) = stack.pop() {
        let (w, ty, q) = match item {
            Item::Text(s) => {
                out.push_str(s);
                continue;
            }
            Item::Owned(s) => {
                out.push_str(&s);
                continue;
            }
            Item::Leave(w) => {
                on_path.remove(&w);
                continue;
            }
            Item::Val(w, ty, q) => (w, ty, q),
        };
        match &ty {
            Type::Int => {
                let _ = write!(out, "{}", w as i64);
            }
            Type::Float => {
                let _ = write!(out, "{:?}", f64::from_bits(w));
            }
            Type::Bool => out.push_str(if w != 0 { "true" } else { "false" }),
            Type::Unit | Type::Never => out.push_str("()"),
            Type::Task => out.push_str("task"),
            Type::Chan(_) => out.push_str("chan"),
            Type::Fn(_) => {
                out.push_str("fn ");
                out.push_str(&fn_name(w));
            }
            Type::Str => {
                // SAFETY: a `str` value is a live string.
                let s = unsafe { Str::from_word(w) }.as_str();
                if q {
                    let _ = write!(out, "{s:?}");
                } else {
                    out.push_str(s);
                }
            }
            Type::Optional(inner) => {
                // SAFETY: `w` is a valid `inner?` word.
                match unsafe { read_optional(w, inner) } {
                    None => out.push_str("none"),
                    Some(v) => stack.push(Item::Val(v, (**inner).clone(), q)),
                }
            }
            Type::Array(elem) => {
                if !on_path.insert(w) {
                    out.push_str("[...]");
                    continue;
                }
                // SAFETY: an array value is a live array.
                let items = array_to_vec(unsafe { Array::from_word(w) });
                out.push('[');
                stack.push(Item::Leave(w));
                stack.push(Item::Text("]"));
                for (i, &v) in items.iter().enumerate().rev() {
                    stack.push(Item::Val(v, (**elem).clone(), true));
                    if i > 0 {
                        stack.push(Item::Text(", "));
                    }
                }
            }
            Type::Map(kt, vt) => {
                // SAFETY: a map value is a live map.
                let entries = map_entries(unsafe { Map::from_word(w) });
                if entries.is_empty() {
                    out.push_str("[:]");
                    continue;
                }
                if !on_path.insert(w) {
                    out.push_str("[...]");
                    continue;
                }
                out.push('[');
                stack.push(Item::Leave(w));
                stack.push(Item::Text("]"));
                for (i, &(k, v)) in entries.iter().enumerate().rev() {
                    stack.push(Item::Val(v, (**vt).clone(), true));
                    stack.push(Item::Text(": "));
                    stack.push(Item::Val(k, (**kt).clone(), true));
                    if i > 0 {
                        stack.push(Item::Text(", "));
                    }
                }
            }
            Type::Struct(_) => {
                // SAFETY: a struct value is a live instance.
                let s = unsafe { Struct::from_word(w) };
                let layout = s.layout();
                out.push_str(layout.name());
                if layout.is_empty() {
                    out.push_str(" {}");
                    continue;
                }
                if !on_path.insert(w) {
                    out.push_str(" { ... }");
                    continue;
                }
                out.push_str(" { ");
                stack.push(Item::Leave(w));
                stack.push(Item::Text(" }"));
                let n = layout.len();
                for i in (0..n).rev() {
                    stack.push(Item::Val(s.get(i), layout.field_types()[i].clone(), true));
                    stack.push(Item::Owned(format!("{}: ", layout.field_names()[i])));
                    if i > 0 {
                        stack.push(Item::Text(", "));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ember_lang::Type;

    use super::super::heap::*;
    use super::*;

    fn show(w: u64, t: &Type) -> String {
        // SAFETY: tests pass valid words; no collection runs.
        unsafe { format_value(w, t, &|slot| format!("f{slot}")) }
    }
    fn quoted(w: u64, t: &Type) -> String {
        // SAFETY: as above.
        unsafe { format_value_quoted(w, t, &|slot| format!("f{slot}")) }
    }

    #[test]
    fn scalars() {
        assert_eq!(show(42, &Type::Int), "42");
        assert_eq!(show((-7i64) as u64, &Type::Int), "-7");
        for (x, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e21, "1e21"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0.0"),
            (2.5e-3, "0.0025"),
        ] {
            assert_eq!(show(f64::to_bits(x), &Type::Float), s);
        }
        assert_eq!(show(1, &Type::Bool), "true");
        assert_eq!(show(0, &Type::Bool), "false");
        assert_eq!(show(0, &Type::Unit), "()");
        assert_eq!(show(7, &Type::function(vec![], Type::Int)), "fn f7");
    }

    #[test]
    fn strings_and_containers() {
        let heap = Heap::new();
        let mut m = heap.mutator();
        let s = str_new(&mut m, "hi \"there\"\n").unwrap().word();
        assert_eq!(show(s, &Type::Str), "hi \"there\"\n");
        assert_eq!(quoted(s, &Type::Str), "\"hi \\\"there\\\"\\n\"");
        let a = array_from_slice(&mut m, false, &[1, 2, 3]).unwrap().word();
        assert_eq!(show(a, &Type::array(Type::Int)), "[1, 2, 3]");
        let e = array_new(&mut m, false).unwrap().word();
        assert_eq!(show(e, &Type::array(Type::Int)), "[]");
        let x = str_new(&mut m, "x").unwrap().word();
        let sa = array_from_slice(&mut m, true, &[x, s]).unwrap().word();
        assert_eq!(
            show(sa, &Type::array(Type::Str)),
            "[\"x\", \"hi \\\"there\\\"\\n\"]"
        );
        let nested = array_from_slice(&mut m, true, &[a, e]).unwrap().word();
        assert_eq!(
            show(nested, &Type::array(Type::array(Type::Int))),
            "[[1, 2, 3], []]"
        );

        let mp = map_new(&mut m, KeyKind::Str, false).unwrap();
        let mt = Type::map(Type::Str, Type::Int);
        assert_eq!(show(mp.word(), &mt), "[:]");
        let ka = str_new(&mut m, "a").unwrap();
        let kb = str_new(&mut m, "b").unwrap();
        map_set(mp, MapKey::Str(ka), 1);
        map_set(mp, MapKey::Str(kb), 2);
        assert_eq!(show(mp.word(), &mt), "[\"a\": 1, \"b\": 2]");
        let bm = map_new(&mut m, KeyKind::Bool, false).unwrap();
        map_set(bm, MapKey::Word(1), f64::to_bits(1.5));
        assert_eq!(
            show(bm.word(), &Type::map(Type::Bool, Type::Float)),
            "[true: 1.5]"
        );
    }

    #[test]
    fn optionals() {
        let heap = Heap::new();
        let mut m = heap.mutator();
        let oi = Type::optional(Type::Int);
        assert_eq!(show(0, &oi), "none");
        let b = make_optional(&mut m, Some(5), &Type::Int).unwrap();
        assert_eq!(show(b, &oi), "5");
        let s = str_new(&mut m, "s").unwrap().word();
        let os = Type::optional(Type::Str);
        assert_eq!(show(s, &os), "s");
        let arr = array_from_slice(&mut m, true, &[s, 0]).unwrap().word();
        assert_eq!(show(arr, &Type::array(os.clone())), "[\"s\", none]");
        // int?? : present(present(3)), present(none), none
        let ooi = Type::optional(oi.clone());
        let inner = make_optional(&mut m, Some(3), &Type::Int).unwrap();
        let outer = make_optional(&mut m, Some(inner), &oi).unwrap();
        assert_eq!(show(outer, &ooi), "3");
        let outer_none = make_optional(&mut m, Some(0), &oi).unwrap();
        assert_eq!(show(outer_none, &ooi), "none");
        let of = Type::optional(Type::function(vec![], Type::Unit));
        assert_eq!(show(9, &of), "fn f9");
        assert_eq!(show(0, &of), "none");
    }

    #[test]
    fn structs_chan_task() {
        let heap = Heap::new();
        let mut m = heap.mutator();
        let point = StructLayout::new(
            "Point",
            vec![("x".into(), Type::Float), ("y".into(), Type::Float)],
        );
        let p = struct_new(&mut m, &point, &[f64::to_bits(1.0), f64::to_bits(2.0)]).unwrap();
        assert_eq!(
            show(p.word(), &Type::strukt("Point")),
            "Point { x: 1.0, y: 2.0 }"
        );
        let named = StructLayout::new(
            "Named",
            vec![
                ("name".into(), Type::Str),
                ("at".into(), Type::strukt("Point")),
            ],
        );
        let s = str_new(&mut m, "n").unwrap();
        let n = struct_new(&mut m, &named, &[s.word(), p.word()]).unwrap();
        assert_eq!(
            show(n.word(), &Type::strukt("Named")),
            "Named { name: \"n\", at: Point { x: 1.0, y: 2.0 } }"
        );
        let empty = StructLayout::new("E", vec![]);
        let e = struct_alloc(&mut m, &empty).unwrap();
        assert_eq!(show(e.word(), &Type::strukt("E")), "E {}");
        let c = chan_new(&mut m, false).unwrap();
        assert_eq!(show(c.word(), &Type::chan(Type::Int)), "chan");
        let t = task_new(&mut m, Box::new(())).unwrap();
        assert_eq!(show(t.word(), &Type::Task), "task");
        let unit_arr = array_from_slice(&mut m, false, &[0, 0]).unwrap();
        assert_eq!(show(unit_arr.word(), &Type::array(Type::Unit)), "[(), ()]");
        let _ = Arc::strong_count(&point);
    }

    #[test]
    fn cycles_and_depth() {
        let heap = Heap::new();
        let mut m = heap.mutator();
        let node = StructLayout::new(
            "Node",
            vec![
                ("v".into(), Type::Int),
                ("next".into(), Type::optional(Type::strukt("Node"))),
            ],
        );
        let a = struct_new(&mut m, &node, &[1, 0]).unwrap();
        a.set(1, a.word());
        assert_eq!(
            show(a.word(), &Type::strukt("Node")),
            "Node { v: 1, next: Node { ... } }"
        );
        // A deep list formats without recursion.
        let mut head = 0u64;
        for i in 0..200_000 {
            head = struct_new(&mut m, &node, &[i, head]).unwrap().word();
        }
        let text = show(head, &Type::strukt("Node"));
        assert!(text.starts_with("Node { v: 199999, next: Node { v: 199998"));
        assert!(text.contains("Node { v: 0, next: none } }"));
        assert!(text.ends_with("} }"));
    }
}
