//! A static HTTP server over the store directory: `nginx` when installed, else Python's
//! `http.server`. The child is killed by its PID when the [`Server`] is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server.
pub struct Server {
    child: Child,
    /// `nginx` or `python3 http.server`.
    pub kind: &'static str,
    /// The store URL.
    pub url: String,
    _conf: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGKILL to this one PID; nginx runs with `daemon off` and one worker, which exits
        // with its master.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts a server for `root` and waits until it accepts connections.
pub fn start(root: &Path) -> anyhow::Result<Server> {
    let port = free_port()?;
    let (child, kind, conf) = if on_path("nginx") {
        let tmp = tempfile::tempdir()?;
        let conf = tmp.path().join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off;\nworker_processes 1;\nerror_log stderr;\npid {pid};\nevents {{}}\n\
                 http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n",
                pid = tmp.path().join("nginx.pid").display(),
                root = root.display(),
            ),
        )?;
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        (child, "nginx", Some(tmp))
    } else {
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(root)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        (child, "python3 http.server", None)
    };
    let mut server = Server {
        child,
        kind,
        url: format!("http://127.0.0.1:{port}/"),
        _conf: conf,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = server.child.try_wait()? {
            anyhow::bail!("{kind} exited before serving ({status})");
        }
        if Instant::now() > deadline {
            anyhow::bail!("{kind} did not listen on port {port} within 15 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(server)
}
