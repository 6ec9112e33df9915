//! A fault-injecting HTTP/1.1 proxy in front of a real HTTP server (the tests put it before
//! Python's `http.server` serving a store directory).
//!
//! Every request is forwarded as it came (method, path, `Range`/`If-*` headers) on a fresh
//! upstream connection; the answer is sent back with a `Content-Length` on a kept-alive
//! connection, unless the [`Plan`] says to spoil it. The proxy counts requests per method and
//! path (`n` in [`Request`] is 1 for the first `GET` of a path since the last [`Proxy::reset`])
//! and the body bytes it sent per path, so tests can check what a client fetched.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the plan sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The path, without the query string (`/segments/00000000000000000003.seg`).
    pub path: String,
    /// The how-many-th request with this method and path since the last reset (from 1).
    pub n: u32,
}

/// What to do to one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Pass it through.
    None,
    /// Answer this status instead (a short text body), without asking upstream.
    Status(u16),
    /// Send the headers with the full `Content-Length`, half the body, then close the
    /// connection: the client sees the connection end mid-body.
    CutMidBody,
    /// Send only the first half of the body, with a `Content-Length` that matches it: a
    /// complete HTTP answer carrying a truncated object.
    Truncate,
    /// Wait this long before answering.
    Slow(Duration),
    /// Flip one bit in the last event line of the body (same length).
    Flip,
    /// Send the headers and half the body, then reset the connection (RST, not FIN).
    Reset,
    /// Announce 64 bytes more than the body, send the body, then close.
    LengthTooLong,
    /// Announce 64 bytes fewer than the body and send the whole body on the kept-alive
    /// connection: the client reads a short object, and 64 stray bytes wait before the next
    /// answer on that connection.
    LengthTooShort,
    /// Send the body in ten pieces spread over this long.
    Dribble(Duration),
    /// Change one byte, keeping the length: in a segment, the tag letter of the last event's
    /// `request_id` becomes the one before it in ASCII (`a` → `` ` ``), so an altered event is
    /// easy to spot; in anything else (a checkpoint), the sixth-last byte (inside the
    /// signature's base64) becomes another base64 letter.
    Altered,
}

/// Decides the fault for each request.
pub type Plan = Box<dyn FnMut(&Request) -> Fault + Send>;

#[derive(Default)]
struct Tally {
    counts: BTreeMap<(String, String), u32>,
    log: Vec<Request>,
    bytes: BTreeMap<String, u64>,
}

struct Shared {
    upstream: u16,
    plan: Mutex<Plan>,
    tally: Mutex<Tally>,
    stop: AtomicBool,
}

/// The proxy, stopped when dropped.
pub struct Proxy {
    /// Its port on 127.0.0.1.
    pub port: u16,
    shared: Arc<Shared>,
}

/// How long an idle client connection is kept before its thread gives up.
const IDLE: Duration = Duration::from_secs(60);

/// Bytes announced too many or too few by the length faults.
const LENGTH_ERROR: usize = 64;

impl Proxy {
    /// Starts a proxy for the HTTP server on 127.0.0.1:`upstream`, passing everything through.
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream,
            plan: Mutex::new(Box::new(|_: &Request| Fault::None)),
            tally: Mutex::new(Tally::default()),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let s = Arc::clone(&s);
                std::thread::spawn(move || serve(&s, conn));
            }
        });
        Proxy { port, shared }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Replaces the plan.
    pub fn set_plan(&self, plan: impl FnMut(&Request) -> Fault + Send + 'static) {
        *self.shared.plan.lock().expect("plan") = Box::new(plan);
    }

    /// Replaces the plan and forgets the counts (so `n` starts again at 1).
    pub fn replan(&self, plan: impl FnMut(&Request) -> Fault + Send + 'static) {
        self.set_plan(plan);
        self.reset();
    }

    /// Forgets every count, log entry and byte tally.
    pub fn reset(&self) {
        *self.shared.tally.lock().expect("tally") = Tally::default();
    }

    /// Every request since the last reset, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.tally.lock().expect("tally").log.clone()
    }

    /// Requests with `method` for `path` since the last reset.
    pub fn count(&self, method: &str, path: &str) -> u32 {
        let t = self.shared.tally.lock().expect("tally");
        t.counts
            .get(&(method.to_string(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Body bytes sent for each path since the last reset.
    pub fn bytes(&self) -> BTreeMap<String, u64> {
        self.shared.tally.lock().expect("tally").bytes.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// A parsed HTTP message head: the first line and the headers.
struct Head {
    first: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a message head; `None` at a clean end of the connection.
fn read_head(r: &mut impl BufRead) -> Option<Head> {
    let mut first = String::new();
    if r.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Some(Head {
        first: first.trim_end().to_string(),
        headers,
    })
}

/// Serves one client connection, request after request.
fn serve(shared: &Shared, conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(IDLE));
    let mut reader = BufReader::new(conn.try_clone().expect("cloning the connection"));
    let mut out = conn;
    while let Some(req) = read_head(&mut reader) {
        let mut parts = req.first.split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        // Requests here have no body, but drain one if announced so the stream stays in step.
        let len: usize = req
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut sink = vec![0; len];
        if reader.read_exact(&mut sink).is_err() {
            return;
        }
        let path = target.split('?').next().unwrap_or("/").to_string();
        let request = {
            let mut t = shared.tally.lock().expect("tally");
            let n = t.counts.entry((method.clone(), path.clone())).or_insert(0);
            *n += 1;
            let r = Request {
                method: method.clone(),
                path: path.clone(),
                n: *n,
            };
            t.log.push(r.clone());
            r
        };
        let fault = (shared.plan.lock().expect("plan"))(&request);
        let close = req
            .get("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let head_only = method == "HEAD";
        let keep = match fault {
            Fault::Status(code) => {
                let body = b"injected fault\n";
                let text = format!(
                    "HTTP/1.1 {code} Injected\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let mut msg = text.into_bytes();
                if !head_only {
                    msg.extend_from_slice(body);
                }
                out.write_all(&msg).is_ok()
            }
            _ => {
                if let Fault::Slow(d) = fault {
                    std::thread::sleep(d);
                }
                let Some((status, headers, mut body)) =
                    forward(shared.upstream, &method, &target, &req)
                else {
                    return;
                };
                let mut length = body.len();
                let mut cut = None;
                match fault {
                    Fault::CutMidBody | Fault::Reset if !head_only => cut = Some(body.len() / 2),
                    Fault::Truncate if !head_only => {
                        body.truncate(body.len() / 2);
                        length = body.len();
                    }
                    Fault::Flip if body.len() > 8 => {
                        let i = body.len() - 5;
                        body[i] ^= 0x01;
                    }
                    Fault::Altered if !head_only => alter(&mut body),
                    Fault::LengthTooLong if !head_only => length += LENGTH_ERROR,
                    Fault::LengthTooShort if !head_only => {
                        length = length.saturating_sub(LENGTH_ERROR);
                    }
                    _ => {}
                }
                if head_only {
                    // The upstream's length of the object it would send.
                    length = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                }
                let mut msg = format!("HTTP/1.1 {status}\r\n");
                for (k, v) in &headers {
                    let lower = k.to_ascii_lowercase();
                    if !matches!(
                        lower.as_str(),
                        "content-length" | "connection" | "keep-alive" | "transfer-encoding"
                    ) {
                        msg.push_str(&format!("{k}: {v}\r\n"));
                    }
                }
                msg.push_str(&format!("Content-Length: {length}\r\n\r\n"));
                let mut bytes = msg.into_bytes();
                let sent = if head_only {
                    0
                } else {
                    cut.unwrap_or(body.len())
                };
                *shared
                    .tally
                    .lock()
                    .expect("tally")
                    .bytes
                    .entry(path)
                    .or_insert(0) += sent as u64;
                let ok = match fault {
                    Fault::Dribble(total) if !head_only => {
                        let piece = body.len().div_ceil(10).max(1);
                        out.write_all(&bytes).is_ok()
                            && body.chunks(piece).all(|chunk| {
                                std::thread::sleep(total / 10);
                                out.write_all(chunk).and_then(|()| out.flush()).is_ok()
                            })
                    }
                    _ => {
                        bytes.extend_from_slice(&body[..sent]);
                        out.write_all(&bytes).and_then(|()| out.flush()).is_ok()
                    }
                };
                match fault {
                    // Linger 0: dropping the connection sends RST instead of FIN.
                    Fault::Reset if !head_only => {
                        let _ = socket2::SockRef::from(&out).set_linger(Some(Duration::ZERO));
                        return;
                    }
                    Fault::CutMidBody | Fault::LengthTooLong if !head_only => {
                        let _ = out.shutdown(Shutdown::Both);
                        return;
                    }
                    _ => {}
                }
                ok
            }
        };
        if !keep || close {
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// See [`Fault::Altered`].
fn alter(body: &mut [u8]) {
    let key = b"\"request_id\":\"";
    match body.windows(key.len()).rposition(|w| w == key) {
        Some(at) => body[at + key.len()] -= 1,
        None if body.len() >= 6 => {
            let i = body.len() - 6;
            body[i] = if body[i] == b'A' { b'B' } else { b'A' };
        }
        None => {}
    }
}

/// An upstream answer: status (code and reason), headers, body.
type Upstream = (String, Vec<(String, String)>, Vec<u8>);

/// Sends the request upstream (HTTP/1.0, one connection each); returns the status (code and
/// reason), headers and body, or `None` when the upstream cannot be reached.
fn forward(upstream: u16, method: &str, target: &str, req: &Head) -> Option<Upstream> {
    let mut up = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream)).ok()?;
    let _ = up.set_read_timeout(Some(IDLE));
    let mut msg = format!("{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{upstream}\r\n");
    for (k, v) in &req.headers {
        let lower = k.to_ascii_lowercase();
        if lower == "range" || lower.starts_with("if-") || lower == "authorization" {
            msg.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    msg.push_str("Connection: close\r\n\r\n");
    up.write_all(msg.as_bytes()).ok()?;
    let mut reader = BufReader::new(up);
    let head = read_head(&mut reader)?;
    let status = head
        .first
        .split_once(' ')
        .map_or("502 Bad Gateway", |(_, s)| s)
        .to_string();
    let mut body = Vec::new();
    if method != "HEAD" {
        reader.read_to_end(&mut body).ok()?;
    }
    Some((status, head.headers, body))
}
