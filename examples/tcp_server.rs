//! A TCP server on 127.0.0.1 whose request handler is an Ember function,
//! edited while it serves.
//!
//! ```sh
//! cargo run --example tcp_server            # demo: ~2 s, then it exits
//! cargo run --example tcp_server -- serve   # serve until Ctrl-C; edit handler.em meanwhile
//! ```
//!
//! The demo starts the server, has a client send a request every 100 ms,
//! and redefines the handler every half second (the client sees each new
//! version at its next request); then it stops. `serve` writes the first
//! handler to `handler.em` in the current folder, prints the address
//! (`nc 127.0.0.1 PORT`, one request per line) and reloads `handler.em`
//! on every save.

#[path = "shared/server.rs"]
mod server;

use std::time::Duration;

use server::{handler_source, Client, Server};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let serve = std::env::args().nth(1).as_deref() == Some("serve");
    let mut engine = ember::Engine::new()?;
    engine.run_source("handler.em", &handler_source(1))?;
    let handler = engine.function::<(String,), String>("handle")?;
    let srv = Server::start(handler)?;
    println!("serving on {}", srv.addr());

    if serve {
        std::fs::write("handler.em", handler_source(1))?;
        let shared = engine.into_shared();
        shared.reload_file("handler.em")?;
        let _watch = shared.watch("handler.em", |outcome| match outcome {
            Ok(report) => println!("handler reloaded: {report}"),
            Err(e) => eprint!("{}", ember::report_error(e)),
        })?;
        println!("edit handler.em to change the handler; Ctrl-C stops the server");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    // Demo: a client sends requests while the handler is edited.
    let addr = srv.addr();
    let client = std::thread::spawn(move || -> std::io::Result<()> {
        let mut c = Client::connect(addr)?;
        for i in 0..20 {
            let resp = c.request(&format!("request {i}"))?;
            println!("client: request {i} -> {resp}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    });
    for v in 2..=4 {
        std::thread::sleep(Duration::from_millis(500));
        let report = engine.reload_source("handler.em", &handler_source(v))?;
        println!("edited the handler: {report}");
    }
    client.join().expect("client thread")?;
    println!(
        "served {} requests; done",
        srv.served.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}
