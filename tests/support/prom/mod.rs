//! Prometheus as the oracle for rootcert's metrics: promtool, a real Prometheus server and
//! node_exporter (Debian's prometheus and prometheus-node-exporter), the `rootcert
//! exporter` process, plain-TLS servers with chains made here, and a tiny HTTP GET.
//!
//! Without the tools the tests print a skip notice, unless ROOTCERT_REQUIRE_PROMETHEUS is
//! set (as .ci/run does), which turns the skip into a failure.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::pg::{ServerTls, free_port};

mod tls;
pub use tls::*;

pub struct Tools {
    pub promtool: PathBuf,
    pub prometheus: PathBuf,
    pub node_exporter: PathBuf,
}

/// promtool, prometheus and node_exporter, or `None` (after saying why) to skip.
pub fn tools() -> Option<Tools> {
    let find = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .chain([PathBuf::from("/usr/bin")])
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    };
    match (
        find("promtool"),
        find("prometheus"),
        find("prometheus-node-exporter"),
    ) {
        (Some(promtool), Some(prometheus), Some(node_exporter)) => Some({
            super::suites::ran("prometheus");
            Tools {
                promtool,
                prometheus,
                node_exporter,
            }
        }),
        _ => {
            let message = "promtool, prometheus or prometheus-node-exporter not found";
            if std::env::var_os("ROOTCERT_REQUIRE_PROMETHEUS").is_some() {
                panic!("{message}, and ROOTCERT_REQUIRE_PROMETHEUS is set");
            }
            super::suites::skipped(
                "prometheus",
                &format!(
                    "{message}; apt-get install prometheus prometheus-node-exporter to run \
                     the metrics tests"
                ),
            );
            None
        }
    }
}

impl Tools {
    /// `promtool check metrics` on `text`: its complaints, if any.
    pub fn check_metrics(&self, text: &str) -> Result<(), String> {
        let out = super::pipe(
            Command::new(&self.promtool).args(["check", "metrics"]),
            text.as_bytes(),
        );
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `promtool ARGS` in `dir`: (success, output).
    pub fn promtool(&self, dir: &Path, args: &[&str]) -> (bool, String) {
        let out = Command::new(&self.promtool)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
}

/// One sample of exposition text: name, labels, value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The samples of exposition text (label values unescaped), comments skipped.
pub fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => panic!("not a sample: {line}"),
        };
        let mut labels = Vec::new();
        let mut rest = rest;
        if let Some(after) = rest.strip_prefix('{') {
            let mut i = 0;
            loop {
                if after[i..].starts_with('}') {
                    i += 1;
                    break;
                }
                let eq = i + after[i..].find('=').expect("label=");
                let label = after[i..eq].to_string();
                i = eq + 2; // past ="
                let mut value = String::new();
                loop {
                    let c = after[i..].chars().next().expect("a closing quote");
                    i += c.len_utf8();
                    match c {
                        '\\' => {
                            let next = after[i..].chars().next().expect("an escaped character");
                            i += next.len_utf8();
                            value.push(if next == 'n' { '\n' } else { next });
                        }
                        '"' => break,
                        c => value.push(c),
                    }
                }
                labels.push((label, value));
                if after[i..].starts_with(',') {
                    i += 1;
                }
            }
            rest = &after[i..];
        }
        let value = rest.trim();
        assert!(
            !value.contains(' '),
            "a sample has a timestamp (textfile rejects it): {line}"
        );
        out.push(Sample {
            name: name.to_string(),
            labels,
            value: value.parse().unwrap_or_else(|_| panic!("value of {line}")),
        });
    }
    out
}

/// `GET path` on `addr` with extra headers: (status, body).
pub fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (status, if chunked { unchunk(body) } else { body.into() })
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// A child process killed (and reaped) when dropped.
pub struct Running {
    pub child: Child,
    pub addr: String,
    pub dir: Option<tempfile::TempDir>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Waits until `addr` accepts connections (or the process exits).
fn wait_listening(child: &mut Child, addr: &str, what: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("{what} exited with {status}: {err}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on {addr}");
}

/// `rootcert exporter --config CONFIG --listen 127.0.0.1:PORT EXTRA...`.
pub fn start_exporter(config: &Path, extra: &[&str]) -> Running {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_rootcert"))
        .args(["exporter", "--config"])
        .arg(config)
        .args(["--listen", &addr])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(&mut child, &addr, "rootcert exporter");
    Running {
        child,
        addr,
        dir: None,
    }
}

/// A Prometheus server with `config` (the YAML, written to `dir` with the other files the
/// caller put there), until dropped.
pub fn start_prometheus(tools: &Tools, dir: tempfile::TempDir, config: &str) -> Running {
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(&tools.prometheus)
        .arg(format!(
            "--config.file={}",
            dir.path().join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(&mut child, &addr, "prometheus");
    let started = Instant::now();
    while http_get(&addr, "/-/ready", &[]).0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prometheus never became ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Its log fills the pipe if nobody reads it.
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    Running {
        child,
        addr,
        dir: Some(dir),
    }
}

impl Running {
    /// The instant vector a PromQL query returns: each series' labels and value.
    pub fn query(&self, promql: &str) -> Vec<(serde_json::Value, f64)> {
        let encoded: String = form_urlencoded::byte_serialize(promql.as_bytes()).collect();
        let (status, body) = http_get(&self.addr, &format!("/api/v1/query?query={encoded}"), &[]);
        assert_eq!(status, 200, "{promql}: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        json["data"]["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["metric"].clone(),
                    r["value"][1].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect()
    }

    /// Polls `promql` until `done` accepts its result, for at most `limit`.
    pub fn wait_for(
        &self,
        promql: &str,
        limit: Duration,
        done: impl Fn(&[(serde_json::Value, f64)]) -> bool,
    ) -> Vec<(serde_json::Value, f64)> {
        let started = Instant::now();
        loop {
            let result = self.query(promql);
            if done(&result) {
                return result;
            }
            if started.elapsed() > limit {
                panic!("{promql} never became what was expected: {result:?}");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// node_exporter serving the textfiles in `dir`, and nothing else.
pub fn start_node_exporter(tools: &Tools, dir: &Path) -> Running {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(&tools.node_exporter)
        .args(["--collector.disable-defaults", "--collector.textfile"])
        .arg(format!("--collector.textfile.directory={}", dir.display()))
        .arg(format!("--web.listen-address={addr}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(&mut child, &addr, "node_exporter");
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    Running {
        child,
        addr,
        dir: None,
    }
}

/// The resident memory (KiB) and open descriptors of process `pid`.
pub fn rss_and_fds(pid: u32) -> (u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    (rss, fds)
}

/// Where a socket address of ours is, as text for a target.
pub fn local(port: u16) -> String {
    SocketAddr::from(([127, 0, 0, 1], port)).to_string()
}
