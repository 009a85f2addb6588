//! The standard suite's operations: what each round redefines, what is
//! defined before the rounds, and how to tell the last round took effect.
//!
//! The function texts are those of `benches/redefine.rs` (the criterion
//! benchmark), so `ember bench` and `cargo bench --bench redefine` time the
//! same redefinitions; the reloaded file here also has a global (to check
//! that a reload keeps its value), and the struct change is this command's
//! own. (The texts are repeated, not shared: the benchmark is in the
//! `ember` crate, which cannot use this binary's modules.) Every operation
//! alternates between two versions, so every round is a real change (an
//! identical text is reported unchanged and compiles nothing).

/// How a round's text reaches the engine.
#[derive(Clone, Debug)]
pub enum Apply {
    /// `Engine::run_entry` (a REPL entry).
    Entry(String),
    /// `Engine::run_source`: the first load of the file `name`.
    Load { name: &'static str, text: String },
    /// `Engine::prepare_file`: the file's definitions, without running
    /// its top-level code (a user's program may run for ever).
    Define { name: String, text: String },
    /// `Engine::reload_source` of the file `name`.
    Reload { name: &'static str, text: String },
}

/// What every round must report, beyond being accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// These functions changed (a new version each).
    Changed(Vec<String>),
    /// This function changed and every other item of the file is
    /// unchanged.
    OnlyChanged(String),
    /// The struct changed and exactly this many instances were migrated.
    Migrated(String, usize),
}

/// One operation of the suite.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Stable identifier (the JSON `key`).
    pub key: String,
    /// What the table shows.
    pub label: String,
    /// Run once, in order, before anything else (definitions the versions
    /// use; the first version).
    pub setup: Vec<Apply>,
    /// The two versions the rounds alternate between; `setup` leaves
    /// `versions[0]` current.
    pub versions: [Apply; 2],
    pub expect: Expect,
    /// An `int` expression whose value tells the two versions apart
    /// (measured after each is applied in set-up, not assumed).
    pub probe: Option<String>,
    /// Extra checks after the rounds: (category, `bool` expression).
    pub checks: Vec<(super::state::Category, String)>,
}

/// The one-line function, version `k` (1 or 2).
fn one_line(k: usize) -> String {
    format!("fn f(x: int) -> int {{ x + {k} }}")
}

/// Defined once, called by the twenty-line function.
const HELPER: &str = "fn helper(a: int, b: int) -> int { if a > b { a - b } else { b - a } }";

/// The twenty-line function, version `k`.
fn twenty_lines(k: usize) -> String {
    format!(
        "fn work(n: int, xs: [int]) -> int {{
    let mut acc = {k};
    let mut halvings = 0;
    for j in 0..n {{
        let x = xs[j % len(xs)];
        if x > j {{
            acc += helper(x, j);
        }} else if j % 3 == 0 {{
            acc -= j * 2;
        }} else {{
            acc = acc ^ (j << 1);
        }}
    }}
    while acc > 1000 {{
        acc = acc / 2;
        halvings += 1;
    }}
    if halvings > 10 {{
        return -1;
    }}
    acc + halvings
}}"
    )
}

/// Three functions in one entry, version `k`.
fn three_functions(k: usize) -> String {
    format!(
        "fn a(x: int) -> int {{ x + {k} }}
fn b(x: int) -> int {{ a(x) * {k} }}
fn c(x: int) -> int {{ b(x) - a(x) + {k} }}"
    )
}

/// Live instances of the changing struct.
pub const INSTANCES: usize = 10_000;

/// The struct's two layouts: a field added, then removed again.
fn point(k: usize) -> String {
    match k {
        1 => "struct P { x: int, y: int }".to_string(),
        _ => "struct P { x: int, y: int, z: int }".to_string(),
    }
}

/// 10,000 instances in a global, and a function reading every one (it uses
/// `P`, so each round recompiles it too, as a real program's would be).
fn instances() -> String {
    format!(
        "let ps: [P] = [];
for i in 0..{INSTANCES} {{ ps.push(P {{ x: i, y: 2 * i }}); }}
fn ps_intact() -> bool {{
    if len(ps) != {INSTANCES} {{ return false; }}
    for i in 0..len(ps) {{
        if ps[i].x != i || ps[i].y != 2 * i {{ return false; }}
    }}
    true
}}"
    )
}

/// The reloaded file's name.
pub const BIG_FILE: &str = "big.em";

/// A file of 100 five-line functions and one global; `g50`'s constant is
/// `k`, everything else is the same in both versions.
fn big_file(k: usize) -> String {
    let mut s = String::from("let mut big_total = 0;\n");
    for i in 0..100 {
        let c = if i == 50 { 1000 + k } else { i };
        s.push_str(&format!(
            "fn g{i}(x: int) -> int {{
    let y = x * {c};
    if y > 100 {{ return y - {c}; }}
    y + {c}
}}
"
        ));
    }
    s
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The standard suite, in table order.
pub fn standard() -> Vec<Workload> {
    use super::state::Category;
    let entry = |s: String| Apply::Entry(s);
    let reload = |k| Apply::Reload {
        name: BIG_FILE,
        text: big_file(k),
    };
    vec![
        Workload {
            key: "one_small_function".to_string(),
            label: "one small function".to_string(),
            setup: vec![entry(one_line(1))],
            versions: [entry(one_line(1)), entry(one_line(2))],
            expect: Expect::Changed(names(&["f"])),
            probe: Some("f(40)".to_string()),
            checks: vec![],
        },
        Workload {
            key: "twenty_line_function".to_string(),
            label: "one 20-line function".to_string(),
            setup: vec![entry(HELPER.to_string()), entry(twenty_lines(1))],
            versions: [entry(twenty_lines(1)), entry(twenty_lines(2))],
            expect: Expect::Changed(names(&["work"])),
            probe: Some("work(50, [3, 70, 5, 90])".to_string()),
            checks: vec![],
        },
        Workload {
            key: "three_functions".to_string(),
            label: "three functions, one transaction".to_string(),
            setup: vec![entry(three_functions(1))],
            versions: [entry(three_functions(1)), entry(three_functions(2))],
            expect: Expect::Changed(names(&["a", "b", "c"])),
            probe: Some("c(10)".to_string()),
            checks: vec![],
        },
        Workload {
            key: "struct_change_10000".to_string(),
            label: "struct change, 10,000 instances".to_string(),
            setup: vec![entry(point(1)), entry(instances())],
            versions: [entry(point(1)), entry(point(2))],
            expect: Expect::Migrated("P".to_string(), INSTANCES),
            probe: None,
            checks: vec![(Category::Heap, "ps_intact()".to_string())],
        },
        Workload {
            key: "reload_100_functions".to_string(),
            label: "100-function file reload".to_string(),
            setup: vec![
                Apply::Load {
                    name: BIG_FILE,
                    text: big_file(1),
                },
                entry("big_total = 7;".to_string()),
            ],
            versions: [reload(1), reload(2)],
            expect: Expect::OnlyChanged("g50".to_string()),
            probe: Some("g50(0)".to_string()),
            checks: vec![(Category::Globals, "big_total == 7".to_string())],
        },
    ]
}
