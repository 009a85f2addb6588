//! `ember bench`: the binary with few rounds; every JSON field present with
//! a sane value, the table's rows, and the command's exit statuses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn ember(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run ember")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-bench-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON document of a successful `--json` run.
fn json_of(o: &Output) -> Value {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "{err}");
    serde_json::from_slice(&o.stdout).expect("valid JSON on standard output")
}

/// `v`'s keys are exactly `keys`.
fn has_exactly(v: &Value, keys: &[&str], what: &str) {
    let got: BTreeSet<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    let want: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(got, want, "{what}");
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"))
}

/// The fields every document has, and the operations' list.
fn check_document(doc: &Value, suite: &str, rounds: u64) -> Vec<Value> {
    has_exactly(
        doc,
        &[
            "ember_version",
            "suite",
            "file",
            "rounds",
            "build",
            "load_average",
            "operations",
            "errors",
            "ok",
        ],
        "document",
    );
    assert_eq!(doc["ember_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["suite"], suite);
    assert_eq!(doc["rounds"], rounds);
    assert!(matches!(doc["build"].as_str(), Some("debug" | "release")));
    let load = doc["load_average"]
        .as_array()
        .expect("load average (Linux)");
    assert_eq!(load.len(), 3);
    assert!(load.iter().all(|l| num(l, "load") >= 0.0));
    assert_eq!(doc["errors"], Value::Array(vec![]));
    assert_eq!(doc["ok"], true);
    let ops = doc["operations"].as_array().expect("operations").clone();
    for op in &ops {
        check_operation(op, rounds);
    }
    ops
}

fn check_operation(op: &Value, rounds: u64) {
    let name = format!("{} / {} threads", op["key"], op["threads"]);
    has_exactly(
        op,
        &[
            "key",
            "operation",
            "threads",
            "rounds",
            "phases",
            "memory",
            "migrated_per_round",
            "applied",
            "preserved",
            "collected_before_checks",
            "thread",
        ],
        &name,
    );
    assert!(!op["operation"].as_str().unwrap().is_empty());
    assert_eq!(op["rounds"], rounds, "{name}");
    let threads = op["threads"].as_u64().expect("threads");
    assert!(threads <= 1, "{name}");

    let phases = &op["phases"];
    has_exactly(
        phases,
        &["parse", "check", "compile", "pause", "total"],
        &name,
    );
    for phase in ["parse", "check", "compile", "pause", "total"] {
        let p = &phases[phase];
        has_exactly(p, &["median_ns", "p99_ns"], &format!("{name} {phase}"));
        let median = p["median_ns"].as_u64().expect("integer median");
        let p99 = p["p99_ns"].as_u64().expect("integer p99");
        assert!(median > 0 && p99 >= median, "{name} {phase}: {p}");
    }
    // The parts are not more than the whole.
    let median = |phase: &str| phases[phase]["median_ns"].as_u64().unwrap();
    assert!(median("compile") <= median("total"), "{name}: {phases}");
    assert!(median("pause") <= median("total"), "{name}: {phases}");

    let memory = &op["memory"];
    has_exactly(
        memory,
        &[
            "code_bytes_written_per_round",
            "code_bytes_reclaimed_per_round",
            "code_live_growth_per_round",
            "heap_footprint_growth_per_round",
            "rss_growth_per_round",
        ],
        &name,
    );
    // Every round compiles something.
    assert!(num(&memory["code_bytes_written_per_round"], "written") > 0.0);
    assert!(num(&memory["code_bytes_reclaimed_per_round"], "reclaimed") >= 0.0);
    num(&memory["code_live_growth_per_round"], "code live");
    num(&memory["heap_footprint_growth_per_round"], "heap");
    num(&memory["rss_growth_per_round"], "rss (Linux)");

    assert!(num(&op["migrated_per_round"], "migrated") >= 0.0);
    assert_eq!(op["applied"], true, "{name}");
    assert_eq!(op["collected_before_checks"], true, "{name}");

    let preserved = &op["preserved"];
    has_exactly(preserved, &["globals", "channels", "heap", "thread"], &name);
    for what in ["globals", "channels", "heap"] {
        assert_eq!(preserved[what], true, "{name}: {what}");
    }
    if threads == 1 {
        assert_eq!(preserved["thread"], true, "{name}");
        let t = &op["thread"];
        has_exactly(t, &["during_rounds", "still_running"], &name);
        assert!(t["during_rounds"].as_i64().expect("progress") >= 0);
        assert_eq!(t["still_running"], true, "{name}");
    } else {
        assert_eq!(preserved["thread"], Value::Null, "{name}");
        assert_eq!(op["thread"], Value::Null, "{name}");
    }
}

const SUITE: [&str; 5] = [
    "one_small_function",
    "twenty_line_function",
    "three_functions",
    "struct_change_10000",
    "reload_100_functions",
];

#[test]
fn standard_suite_json_has_every_field() {
    let dir = scratch("suite");
    let doc = json_of(&ember(&["bench", "--rounds", "3", "--json"], &dir));
    let ops = check_document(&doc, "standard", 3);
    assert_eq!(doc["file"], Value::Null);
    // Every operation, with 0 and with 1 running thread, in table order.
    let got: Vec<(String, u64)> = ops
        .iter()
        .map(|o| {
            (
                o["key"].as_str().unwrap().to_string(),
                o["threads"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64)> = SUITE
        .iter()
        .flat_map(|k| [(k.to_string(), 0), (k.to_string(), 1)])
        .collect();
    assert_eq!(got, want);
    for op in &ops {
        let migrated = num(&op["migrated_per_round"], "migrated");
        if op["key"] == "struct_change_10000" {
            assert_eq!(migrated, 10_000.0);
        } else {
            assert_eq!(migrated, 0.0, "{}", op["key"]);
        }
    }
}

#[test]
fn standard_suite_table() {
    let dir = scratch("table");
    let o = ember(&["bench", "--rounds", "2"], &dir);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.starts_with("ember bench: the standard suite, 2 rounds per operation"));
    let header = out
        .lines()
        .find(|l| l.starts_with("operation"))
        .expect(&out);
    for column in [
        "thr",
        "check",
        "compile",
        "pause",
        "total",
        "code",
        "RSS",
        "preserved",
    ] {
        assert!(header.contains(column), "{header}");
    }
    for label in [
        "one small function",
        "one 20-line function",
        "three functions, one transaction",
        "struct change, 10,000 instances",
        "100-function file reload",
    ] {
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with(label)).collect();
        assert_eq!(rows.len(), 2, "{label}: {out}");
        assert!(rows.iter().all(|r| r.ends_with("yes")), "{out}");
    }
    assert!(out.contains("\nthr: Ember threads running during the rounds (a worker spinning"));
}

#[test]
fn user_file_functions_are_each_redefined() {
    let dir = scratch("file");
    std::fs::write(
        dir.join("mine.em"),
        "struct Acc { total: int }
fn add(a: Acc, x: int) { a.total += x; }
let acc = Acc { total: 0 };
fn sum_to(n: int) -> int {
    let mut s = 0;
    for i in 0..n { s += i; }
    s
}
add(acc, sum_to(10));
println(acc.total);
",
    )
    .unwrap();
    let o = ember(&["bench", "mine.em", "--rounds", "3", "--json"], &dir);
    let doc = json_of(&o);
    let ops = check_document(&doc, "file", 3);
    // The file's name as given; its top-level code does not run.
    assert_eq!(doc["file"], "mine.em");
    let keys: Vec<&str> = ops.iter().map(|o| o["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["fn_add", "fn_sum_to"]);
    let labels: Vec<&str> = ops
        .iter()
        .map(|o| o["operation"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["fn add", "fn sum_to"]);
    assert!(ops.iter().all(|o| o["threads"] == 0));
    // The table: a row per function; its legend says no thread runs.
    let o = ember(&["bench", "mine.em", "--rounds", "2"], &dir);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.starts_with("ember bench: the functions of mine.em, 2 rounds"));
    assert!(out
        .lines()
        .any(|l| l.starts_with("fn sum_to ") && l.ends_with("yes")));
    assert!(out
        .contains("\nthr: Ember threads running during the rounds (none: FILE's code is not run)"));
}

#[test]
fn exit_statuses() {
    let dir = scratch("status");
    std::fs::write(dir.join("bad.em"), "fn f() -> int { \"x\" }\n").unwrap();
    std::fs::write(dir.join("none.em"), "let x = 1;\n").unwrap();
    // A file that does not compile: its diagnostics, status 1.
    let o = ember(&["bench", "bad.em", "--rounds", "1"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--> bad.em:1:"));
    assert!(o.stdout.is_empty());
    // No function to redefine.
    let o = ember(&["bench", "none.em", "--rounds", "1"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no functions"));
    // Bad usage: a missing file, zero rounds.
    assert_eq!(ember(&["bench", "missing.em"], &dir).status.code(), Some(2));
    assert_eq!(
        ember(&["bench", "--rounds", "0"], &dir).status.code(),
        Some(2)
    );
}
