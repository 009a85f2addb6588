//! Load test on loopback (issue 7): the example TCP server
//! (`examples/shared/server.rs`) under steady load from 4 client threads
//! while its handler is redefined 1,000 times. Every response must be the
//! right one for the handler version that served it; no request may fail.
//! Bounded: the clients stop once the redefinitions are done (and at the
//! latest after 60 s), each after at most 200,000 requests.

#[path = "../examples/shared/server.rs"]
mod server;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use server::{check_response, handler_source, Client, Server};

const REDEFINITIONS: u64 = 1_000;
const CLIENTS: usize = 4;
const MAX_REQUESTS_PER_CLIENT: u64 = 200_000;
const DEADLINE: Duration = Duration::from_secs(60);

#[test]
fn server_under_load_while_its_handler_is_redefined_1000_times() {
    let mut engine = ember::Engine::new().expect("engine");
    engine
        .run_source("handler.em", &handler_source(1))
        .expect("first handler");
    let handler = engine
        .function::<(String,), String>("handle")
        .expect("handle");
    let srv = Server::start(handler).expect("server");
    let addr = srv.addr();
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let done = done.clone();
            std::thread::spawn(move || -> Result<(u64, u64, u64), String> {
                let mut client = Client::connect(addr).map_err(|e| e.to_string())?;
                let (mut n, mut last_v, mut versions_seen) = (0u64, 0u64, 0u64);
                while !done.load(Ordering::SeqCst)
                    && n < MAX_REQUESTS_PER_CLIENT
                    && started.elapsed() < DEADLINE
                {
                    let req = format!("c{c}-r{n}-{}", "x".repeat((n % 7) as usize));
                    let resp = client
                        .request(&req)
                        .map_err(|e| format!("request {n}: {e}"))?;
                    let v = check_response(&req, &resp)?;
                    // Versions only go forward, and exist.
                    if v < last_v || v > REDEFINITIONS + 1 {
                        return Err(format!("version {v} after {last_v}"));
                    }
                    if v != last_v {
                        versions_seen += 1;
                    }
                    last_v = v;
                    n += 1;
                }
                Ok((n, versions_seen, last_v))
            })
        })
        .collect();

    // Let the load start, then redefine.
    std::thread::sleep(Duration::from_millis(50));
    for v in 2..=REDEFINITIONS + 1 {
        engine
            .reload_source("handler.em", &handler_source(v))
            .expect("redefinition");
    }
    let redefined_in = started.elapsed();
    // Some requests on the last version too.
    std::thread::sleep(Duration::from_millis(50));
    done.store(true, Ordering::SeqCst);

    let mut total = 0;
    for c in clients {
        let (n, seen, last) = c.join().expect("client thread").expect("client");
        assert!(n > 0);
        assert!(seen > 1, "a client saw only {seen} handler version(s)");
        assert_eq!(
            last,
            REDEFINITIONS + 1,
            "the last version serves in the end"
        );
        total += n;
    }
    assert!(started.elapsed() < DEADLINE + Duration::from_secs(5));
    eprintln!(
        "{total} requests from {CLIENTS} clients, all right; {REDEFINITIONS} redefinitions in {redefined_in:?}"
    );
    drop(srv);
}
