//! A game-loop style per-frame callback written in Ember and redefined
//! while the loop runs.
//!
//! ```sh
//! cargo run --example game_loop   # 60 frames (~1 s), then it exits
//! ```
//!
//! Each frame the host calls `update(x: float, dt: float) -> float` (the
//! new position of a moving object) through a typed handle. Every 20
//! frames the "designer" redefines `update` (here from a list; in a game,
//! from the editor or a watched file): the very next frame runs the new
//! body, without stopping the loop. The script can log through a host
//! function the game registered.

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut engine = ember::Engine::builder()
        .time_limit(Duration::from_millis(5)) // a frame's script budget
        .build()?;
    engine.register_fn("log", |msg: &str| println!("  [script] {msg}"))?;
    engine.run_source(
        "game.em",
        "fn update(x: float, dt: float) -> float { x + 1.0 * dt }",
    )?;
    let update = engine.function::<(f64, f64), f64>("update")?;

    let edits = [
        "fn update(x: float, dt: float) -> float { x + 5.0 * dt }",
        "fn update(x: float, dt: float) -> float {
             let next = x - 2.0 * dt;
             if next < 0.0 { log(\"bounced at \" + str(next)); return -next; }
             next
         }",
    ];
    let dt = 1.0 / 60.0;
    let mut x = 0.0;
    let start = Instant::now();
    for frame in 0..60 {
        if frame > 0 && frame % 20 == 0 {
            let report = engine.reload_source("game.em", edits[frame / 20 - 1])?;
            println!("frame {frame}: {report}");
        }
        x = update.call((x, dt))?;
        if frame % 5 == 0 {
            println!("frame {frame:2}: x = {x:.4}");
        }
        std::thread::sleep(Duration::from_secs_f64(dt));
    }
    println!("60 frames in {:.2?}; final x = {x:.4}", start.elapsed());
    Ok(())
}
