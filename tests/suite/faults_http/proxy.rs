//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a real HTTP server (Python's
//! `http.server` serving a sealed store directory).
//!
//! Each request is forwarded upstream on a fresh HTTP/1.0 connection; the answer goes back on
//! the client's kept-alive connection with a `Content-Length`, spoiled as the [`Plan`] says for
//! that request. Requests are counted per method and path, so a plan can spoil only the first
//! (or second) read of an object and a test can check the fault was really served.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the plan sees it.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The path without the query (`/segments/00000000000000000003.seg`).
    pub path: String,
    /// How many requests with this method and path came so far, this one included.
    pub n: u32,
}

/// What the proxy does to one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Passes it through.
    Pass,
    /// Answers this status with a short text body, without asking upstream.
    Status(u16),
    /// Sends the headers and half the body, then resets the connection (RST, not FIN).
    Reset,
    /// Sends the first half of the body with a `Content-Length` that matches it: a complete
    /// HTTP answer carrying a truncated object.
    Truncated,
    /// Announces 64 bytes more than the body, sends the body, then closes.
    LengthTooLong,
    /// Announces 64 bytes fewer than the body and sends the whole body on the kept-alive
    /// connection: the client reads a short object, and 64 stray bytes wait before the next
    /// answer on that connection.
    LengthTooShort,
    /// Sends the body in ten pieces spread over this long.
    Slow(Duration),
    /// Changes one byte, keeping the length: in a segment, the tag letter of the last event's
    /// `request_id` becomes the one before it in ASCII (`a` → `` ` ``), so an altered event is
    /// easy to spot; in anything else (a checkpoint), the sixth-last byte (inside the
    /// signature's base64) becomes another base64 letter.
    Altered,
}

/// Decides the fault for each request.
pub type Plan = Box<dyn FnMut(&Request) -> Fault + Send>;

struct Shared {
    upstream: u16,
    plan: Mutex<Plan>,
    counts: Mutex<BTreeMap<(String, String), u32>>,
    stop: AtomicBool,
}

/// The proxy; stops accepting when dropped.
pub struct Proxy {
    port: u16,
    shared: Arc<Shared>,
}

/// How long an idle client connection is kept.
const IDLE: Duration = Duration::from_secs(30);

/// Bytes announced too many or too few by the length faults.
const LENGTH_ERROR: usize = 64;

impl Proxy {
    /// A proxy for the server on 127.0.0.1:`upstream`, passing everything through.
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream,
            plan: Mutex::new(Box::new(|_: &Request| Fault::Pass)),
            counts: Mutex::new(BTreeMap::new()),
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

    /// Replaces the plan and forgets the counts.
    pub fn set_plan(&self, plan: impl FnMut(&Request) -> Fault + Send + 'static) {
        *self.shared.plan.lock().expect("plan") = Box::new(plan);
        self.shared.counts.lock().expect("counts").clear();
    }

    /// Requests with `method` for `path` since the plan was set.
    pub fn count(&self, method: &str, path: &str) -> u32 {
        let counts = self.shared.counts.lock().expect("counts");
        counts
            .get(&(method.to_string(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// A message head: the first line and the headers.
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

/// Reads a message head; `None` at the end of the connection.
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
        let len: usize = req
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut sink = vec![0; len];
        if reader.read_exact(&mut sink).is_err() {
            return;
        }
        let path = target.split('?').next().unwrap_or("/").to_string();
        let n = {
            let mut counts = shared.counts.lock().expect("counts");
            let n = counts.entry((method.clone(), path.clone())).or_insert(0);
            *n += 1;
            *n
        };
        let request = Request {
            method: method.clone(),
            path,
            n,
        };
        let fault = (shared.plan.lock().expect("plan"))(&request);
        if !answer(shared, &mut out, &method, &target, fault) {
            return;
        }
    }
}

/// Sends one (possibly spoiled) answer; false when the connection must end.
fn answer(shared: &Shared, out: &mut TcpStream, method: &str, target: &str, fault: Fault) -> bool {
    let head_only = method == "HEAD";
    if let Fault::Status(code) = fault {
        let body = b"injected fault\n";
        let mut msg = format!(
            "HTTP/1.1 {code} Injected\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        if !head_only {
            msg.extend_from_slice(body);
        }
        return out.write_all(&msg).is_ok();
    }
    let Some((status, headers, mut body)) = forward(shared.upstream, method, target) else {
        return false;
    };
    let announced_by_upstream = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in &headers {
        let lower = k.to_ascii_lowercase();
        if !matches!(
            lower.as_str(),
            "content-length" | "connection" | "keep-alive" | "transfer-encoding"
        ) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    if head_only || !status.starts_with("200") {
        let length = if head_only {
            announced_by_upstream
        } else {
            body.len()
        };
        head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
        let mut msg = head.into_bytes();
        if !head_only {
            msg.extend_from_slice(&body);
        }
        return out.write_all(&msg).is_ok();
    }
    let full = body.len();
    let announced = match fault {
        Fault::Truncated => {
            body.truncate(full / 2);
            body.len()
        }
        Fault::LengthTooLong => full + LENGTH_ERROR,
        Fault::LengthTooShort => full.saturating_sub(LENGTH_ERROR),
        Fault::Altered => {
            alter(&mut body);
            full
        }
        _ => full,
    };
    head.push_str(&format!("Content-Length: {announced}\r\n\r\n"));
    if out.write_all(head.as_bytes()).is_err() {
        return false;
    }
    match fault {
        Fault::Reset => {
            let _ = out.write_all(&body[..full / 2]);
            let _ = out.flush();
            // Linger 0: closing sends RST instead of FIN.
            let _ = socket2::SockRef::from(&*out).set_linger(Some(Duration::ZERO));
            false
        }
        Fault::LengthTooLong => {
            let _ = out.write_all(&body);
            let _ = out.shutdown(Shutdown::Both);
            false
        }
        Fault::Slow(total) => {
            let piece = body.len().div_ceil(10).max(1);
            for chunk in body.chunks(piece) {
                std::thread::sleep(total / 10);
                if out.write_all(chunk).and_then(|()| out.flush()).is_err() {
                    return false;
                }
            }
            true
        }
        _ => out.write_all(&body).is_ok(),
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

/// Sends the request upstream (HTTP/1.0, one connection each); `None` when it cannot be
/// reached.
fn forward(upstream: u16, method: &str, target: &str) -> Option<Upstream> {
    let mut up = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream)).ok()?;
    let _ = up.set_read_timeout(Some(IDLE));
    let msg = format!(
        "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{upstream}\r\nConnection: close\r\n\r\n"
    );
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
