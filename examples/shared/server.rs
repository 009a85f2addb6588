//! A line-based TCP server on 127.0.0.1 whose request handler is the Ember
//! function `handle(req: str) -> str`, shared by `examples/tcp_server.rs`
//! and the load test `tests/embed_server_load.rs`.
//!
//! Protocol: the client sends one request per line; the server answers
//! each with one line, `handle(request)`. Every connection is served by a
//! thread of its own, which calls the handler through a typed handle
//! (`ember::Function`): no lock, and each call runs the handler's current
//! definition, so edits apply to the next request.

#![allow(dead_code)] // each includer uses a part

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The handler's type as Rust sees it.
pub type Handler = ember::Function<(String,), String>;

/// Version `v` of the handler: answers `v<v> <len(req) * v> <req>`, so a
/// client can check which version served it and that it was right.
pub fn handler_source(v: u64) -> String {
    format!(
        "fn handle(req: str) -> str {{\n    \"v{v} \" + str(len(req) * {v}) + \" \" + req\n}}\n"
    )
}

/// Check a response to `req` by the scheme of [`handler_source`]; the
/// version that served it.
pub fn check_response(req: &str, resp: &str) -> Result<u64, String> {
    let bad = || format!("wrong response {resp:?} to {req:?}");
    let rest = resp.strip_prefix('v').ok_or_else(bad)?;
    let (v, rest) = rest.split_once(' ').ok_or_else(bad)?;
    let (n, echoed) = rest.split_once(' ').ok_or_else(bad)?;
    let v: u64 = v.parse().map_err(|_| bad())?;
    let n: u64 = n.parse().map_err(|_| bad())?;
    if echoed != req || n != req.len() as u64 * v {
        return Err(bad());
    }
    Ok(v)
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    /// Requests answered so far.
    pub served: Arc<AtomicU64>,
}

impl Server {
    /// Listen on an ephemeral port of 127.0.0.1 and serve with `handler`.
    pub fn start(handler: Handler) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicU64::new(0));
        let (stop2, served2) = (stop.clone(), served.clone());
        let accept = std::thread::Builder::new()
            .name("server-accept".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (h, served) = (handler.clone(), served2.clone());
                    let _ = std::thread::Builder::new()
                        .name("server-conn".into())
                        .spawn(move || serve(conn, &h, &served));
                }
            })?;
        Ok(Server {
            addr,
            stop,
            accept: Some(accept),
            served,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Answer every line of `conn` until the client closes it. A handler
/// error is answered as `error: MESSAGE` (one line).
fn serve(conn: TcpStream, handler: &Handler, served: &AtomicU64) {
    let _ = conn.set_nodelay(true);
    let Ok(write_half) = conn.try_clone() else {
        return;
    };
    let mut out = io::BufWriter::new(write_half);
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let req = line.trim_end_matches(['\r', '\n']).to_string();
        let resp = match handler.call((req,)) {
            Ok(r) => r,
            Err(e) => format!("error: {}", e.to_string().replace('\n', " | ")),
        };
        if writeln!(out, "{resp}").and_then(|_| out.flush()).is_err() {
            return;
        }
        served.fetch_add(1, Ordering::Relaxed);
    }
}

/// A client connection: one request, one response.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    /// Connect to `addr`.
    pub fn connect(addr: SocketAddr) -> io::Result<Client> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        Ok(Client {
            writer: s.try_clone()?,
            reader: BufReader::new(s),
        })
    }

    /// Send `req` (no newline in it), wait for the response line.
    pub fn request(&mut self, req: &str) -> io::Result<String> {
        writeln!(self.writer, "{req}")?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed",
            ));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
