//! A live rule engine: pricing rules written in Ember, reloaded from a
//! `.em` file while orders keep being priced.
//!
//! ```sh
//! cargo run --example rule_engine            # demo: edits the rules file itself, ~1.5 s
//! cargo run --example rule_engine -- FILE    # watch FILE: edit it yourself; Ctrl-C stops
//! ```
//!
//! The host registers `customer_tier` (a Rust lookup) for the rules to
//! call, loads the rules file, and prices a stream of orders through the
//! typed handle `discount(total: float, items: int, customer: str) ->
//! float`. The rules file is watched: every save is reloaded in the
//! background (a rules file that does not compile is reported and the old
//! rules stay).

use std::time::Duration;

const RULES_V1: &str = "\
// Pricing rules. Edit and save: the engine reloads them while it runs.
fn discount(total: float, items: int, customer: str) -> float {
    if customer_tier(customer) == \"gold\" { total * 0.10 } else { 0.0 }
}
";

const RULES_V2: &str = "\
fn discount(total: float, items: int, customer: str) -> float {
    let mut d = 0.0;
    if customer_tier(customer) == \"gold\" { d = total * 0.15; }
    if items >= 3 { d = d + 5.0; }
    d
}
";

const RULES_BROKEN: &str = "\
fn discount(total: float, items: int, customer: str) -> float {
    total * \"0.5\"
}
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let user_file = std::env::args().nth(1);
    let path = match &user_file {
        Some(f) => std::path::PathBuf::from(f),
        None => std::env::temp_dir().join(format!("rules-{}.em", std::process::id())),
    };
    if user_file.is_none() || !path.exists() {
        std::fs::write(&path, RULES_V1)?;
    }

    let mut engine = ember::Engine::builder()
        .parts(ember::Parts::all() - ember::Parts::IO - ember::Parts::TIME)
        .build()?;
    engine.register_fn("customer_tier", |name: &str| {
        if name.starts_with('a') {
            "gold"
        } else {
            "basic"
        }
        .to_string()
    })?;
    engine.load_file(&path)?;
    let discount = engine.function::<(f64, i64, String), f64>("discount")?;
    let shared = engine.into_shared();
    let _watch = shared.watch(&path, |outcome| match outcome {
        Ok(report) => println!("rules reloaded: {report}"),
        Err(e) => print!(
            "rules rejected (the old rules stay):\n{}",
            ember::report_error(e)
        ),
    })?;
    println!("pricing with the rules in {}", path.display());

    let orders = [("alice", 100.0, 1), ("bob", 100.0, 3), ("anna", 40.0, 4)];
    let rounds = if user_file.is_some() { u64::MAX } else { 15 };
    for round in 0..rounds {
        if user_file.is_none() {
            // The demo edits the file the way a user would.
            match round {
                5 => std::fs::write(&path, RULES_V2)?,
                10 => std::fs::write(&path, RULES_BROKEN)?,
                _ => {}
            }
        }
        let (who, total, items) = orders[round as usize % orders.len()];
        let d = discount.call((total, items, who.to_string()))?;
        println!("order {round}: {who}, {items} items, {total:.2} -> discount {d:.2}");
        std::thread::sleep(Duration::from_millis(100));
    }
    if user_file.is_none() {
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}
