//! Shared test helpers: the real binary in a clean environment, local HTTP(S) servers on
//! 127.0.0.1, a test CA, and the certificate fixtures in their many encodings.
#![allow(dead_code)]

pub mod mariadb;
pub mod matrix;
pub mod pg;
pub mod pki;
pub mod prom;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

pub const G2_SHA256: &str = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
pub const ISRG_SHA256: &str = "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6";
pub const MS2017_SHA256: &str = "C7:41:F7:0F:4B:2A:8D:88:BF:2E:71:C1:41:22:EF:53:EF:10:EB:A0:CF:A5:E6:4C:FA:20:F4:18:85:30:73:E0";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

pub fn g2_pem() -> String {
    fixture_text("DigiCertGlobalRootG2.crt.pem")
}

pub fn isrg_pem() -> String {
    fixture_text("isrgrootx1.pem")
}

pub fn ms2017_pem() -> String {
    fixture_text("MicrosoftRSARootCertificateAuthority2017.crt.pem")
}

pub fn der_of(pem_text: &str) -> Vec<u8> {
    pem::parse(pem_text).unwrap().into_contents()
}

// ---------------------------------------------------------------------------------------
// The binary in a clean environment.

/// A temporary HOME, output directory and OS store, so a developer's machine cannot leak
/// into a test: no proxies, no ROOTCERT_DIR of theirs, an empty OS trust store.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        std::fs::write(dir.path().join("empty-store.pem"), "").unwrap();
        Env { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The default destination of the default profile.
    pub fn default_out(&self) -> PathBuf {
        self.path("out/DigiCertGlobalRootG2.crt.pem")
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = rootcert_command();
        cmd.env_clear()
            .envs(runner_env())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("ROOTCERT_DIR", self.path("out"))
            .env("SSL_CERT_FILE", self.path("empty-store.pem"))
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs `rootcert ARGS` and returns what it did.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().unwrap())
    }

    /// Runs `rootcert ARGS` with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut cmd = self.cmd();
        cmd.args(args);
        Run::from(pipe(&mut cmd, input))
    }

    /// Uses `store` (a PEM bundle) as the OS trust store.
    pub fn run_with_store(&self, store: &Path, args: &[&str]) -> Run {
        Run::from(
            self.cmd()
                .env("SSL_CERT_FILE", store)
                .args(args)
                .output()
                .unwrap(),
        )
    }
}

/// The binary under test: this build's, or the one `ROOTCERT_TEST_BIN` names (another
/// platform's build, such as the Windows .exe) run through `ROOTCERT_TEST_RUNNER` (such as
/// wine64). `.ci/run` runs the tests listed in tests/wine-subset.txt that way.
pub fn rootcert_command() -> Command {
    let (program, prefix) = rootcert_program();
    let mut cmd = Command::new(program);
    cmd.args(prefix);
    cmd
}

/// The program that runs the binary under test, and the arguments that come first.
pub fn rootcert_program() -> (PathBuf, Vec<String>) {
    let Some(bin) = std::env::var_os("ROOTCERT_TEST_BIN") else {
        return (env!("CARGO_BIN_EXE_rootcert").into(), Vec::new());
    };
    let bin = bin.into_string().expect("ROOTCERT_TEST_BIN is UTF-8");
    match std::env::var_os("ROOTCERT_TEST_RUNNER") {
        Some(runner) => (runner.into(), vec![bin]),
        None => (bin.into(), Vec::new()),
    }
}

/// Whether the binary under test is the Windows build under Wine.
pub fn under_wine() -> bool {
    std::env::var_os("ROOTCERT_TEST_RUNNER").is_some_and(|r| r.to_string_lossy().contains("wine"))
}

/// What the runner needs from the environment (Wine's prefix and debug settings), kept
/// when a test clears the rest.
pub fn runner_env() -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    std::env::vars_os()
        .filter(|(name, _)| name.to_string_lossy().starts_with("WINE"))
        .collect()
}

/// A path as the binary under test prints it once resolved: under Wine, Linux's `/` is
/// drive `Z:` and the separator a backslash.
pub fn shown_path(path: &Path) -> String {
    let text = path.to_str().expect("test paths are UTF-8");
    if under_wine() {
        format!("Z:{}", text.replace('/', "\\"))
    } else {
        text.to_string()
    }
}

/// The file behind a path the binary under test printed: under Wine, `Z:\\x` is Linux's
/// `/x` and other drives are found with `winepath`.
pub fn host_path(shown: &str) -> PathBuf {
    if !under_wine() {
        return PathBuf::from(shown);
    }
    if let Some(rest) = shown.strip_prefix("Z:") {
        return PathBuf::from(rest.replace('\\', "/"));
    }
    let runner = std::env::var_os("ROOTCERT_TEST_RUNNER").unwrap();
    let out = Command::new(runner)
        .args(["winepath", "-u", shown])
        .output()
        .expect("winepath runs");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Runs a fetch of `url` to the default destination with no OS store and no retries.
pub fn fetch_url(env: &Env, url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "fetch",
        "--no-system",
        "--no-builtin",
        "--retries",
        "0",
        "--url",
        url,
    ];
    args.extend_from_slice(extra);
    env.run(&args)
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every file under `dir` with its bytes: compare before and after a failing run to prove
/// that nothing was written, replaced or left behind.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(snapshot(&path));
                out.insert(path, b"<dir>".to_vec());
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// Runs `cmd` with `input` on stdin and returns its output.
pub fn pipe(cmd: &mut Command, input: &[u8]) -> Output {
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `openssl x509` reads the file as PEM and prints the SHA-256 fingerprint.
pub fn openssl_fingerprint(path: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-sha256", "-fingerprint", "-in"])
        .arg(path)
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl rejected {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.trim().rsplit_once('=').unwrap().1.to_string()
}

// ---------------------------------------------------------------------------------------
// Local servers.

#[derive(Debug, Clone)]
pub struct Request {
    /// The request target as sent: a path, or an absolute URL when we act as a proxy.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Request, &mut dyn Write) + Send + Sync;

/// A server on 127.0.0.1 that hands every request to one closure, which writes the raw
/// response (so tests can send broken, slow or endless ones). When dropped it checks that
/// it was called (unless told it may not be) and that no handler panicked.
pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    requests: Arc<Mutex<Vec<Request>>>,
    panics: Arc<Mutex<Vec<String>>>,
    may_be_unused: std::sync::atomic::AtomicBool,
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let panics = self.panics.lock().unwrap();
        assert!(panics.is_empty(), "a request handler panicked: {panics:?}");
        assert!(
            self.hits() > 0
                || self
                    .may_be_unused
                    .load(std::sync::atomic::Ordering::Relaxed),
            "the test server at {} was never called (call may_be_unused() if that is the point)",
            self.addr
        );
    }
}

impl Server {
    pub fn http(handler: impl Fn(&Request, &mut dyn Write) + Send + Sync + 'static) -> Server {
        Server::start("http", None, Arc::new(handler))
    }

    pub fn https(
        ca: &TestCa,
        handler: impl Fn(&Request, &mut dyn Write) + Send + Sync + 'static,
    ) -> Server {
        Server::start("https", Some(ca.server_config()), Arc::new(handler))
    }

    /// Serves `body` with status 200 on every path.
    pub fn serving(body: impl Into<Vec<u8>>) -> Server {
        let body = body.into();
        Server::http(move |_, w| respond(w, "200 OK", &[], &body))
    }

    fn start(
        scheme: &'static str,
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: Arc<Handler>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let panics = Arc::new(Mutex::new(Vec::new()));
        let (seen, panicked) = (requests.clone(), panics.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, seen, tls) = (handler.clone(), seen.clone(), tls.clone());
                let panicked = panicked.clone();
                std::thread::spawn(move || {
                    let run = std::panic::AssertUnwindSafe(|| serve(stream, tls, &*handler, &seen));
                    if let Err(panic) = std::panic::catch_unwind(run) {
                        let message = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        panicked.lock().unwrap().push(message);
                    }
                });
            }
        });
        Server {
            addr,
            scheme,
            requests,
            panics,
            may_be_unused: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// This server exists to show that nothing calls it.
    pub fn may_be_unused(&self) -> &Server {
        self.may_be_unused
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.addr, path)
    }

    pub fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    seen: &Mutex<Vec<Request>>,
) {
    match tls {
        None => {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            // One response per connection (Connection: close) keeps raw handlers simple.
            if let Some(request) = read_request(&mut reader) {
                seen.lock().unwrap().push(request.clone());
                handler(&request, &mut writer);
                let _ = writer.flush();
            }
        }
        Some(config) => {
            let conn = rustls::ServerConnection::new(config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let request = {
                let mut reader = BufReader::new(&mut tls);
                read_request(&mut reader)
            };
            if let Some(request) = request {
                seen.lock().unwrap().push(request.clone());
                handler(&request, &mut tls);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let _method = parts.next()?;
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    Some(Request { target, headers })
}

/// Writes a complete response with Content-Length.
pub fn respond(w: &mut dyn Write, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = w.write_all(head.as_bytes());
    let _ = w.write_all(body);
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{path}")
}

// ---------------------------------------------------------------------------------------
// A test PKI, generated per test run.

pub struct TestCa {
    pub cert_pem: String,
    server_pem: String,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl TestCa {
    /// A root CA and a server certificate for `localhost` and `127.0.0.1` signed by it.
    pub fn new(name: &str) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, name);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server = params.signed_by(&server_key, &ca).unwrap();
        TestCa {
            cert_pem: ca.pem(),
            server_pem: server.pem(),
            server_chain: vec![server.der().clone()],
            server_key: server_key.serialize_der(),
        }
    }

    /// The server (leaf) certificate: not a CA, not self-signed.
    pub fn server_pem(&self) -> String {
        self.server_pem.clone()
    }

    pub fn server_sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.server_chain[0]))
    }

    pub fn write_to(&self, path: &Path) {
        std::fs::write(path, &self.cert_pem).unwrap();
    }

    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .unwrap();
        Arc::new(config)
    }
}

/// Serves one certificate chain with a key that is not the certificate's: the handshake
/// signature cannot verify, as when someone replays a server's certificate without its key.
#[derive(Debug)]
struct WrongKey(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for WrongKey {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

impl TestCa {
    /// A server config that presents the server certificate but signs with another key.
    pub fn server_config_with_another_key(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let other = rcgen::KeyPair::generate().unwrap().serialize_der();
        let key = provider
            .key_provider
            .load_private_key(rustls::pki_types::PrivateKeyDer::Pkcs8(other.into()))
            .unwrap();
        let certified = rustls::sign::CertifiedKey::new(self.server_chain.clone(), key);
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(WrongKey(Arc::new(certified))));
        Arc::new(config)
    }
}

/// root -> intermediate -> server certificate for `DNS:localhost`, as PostgreSQL tests need.
pub struct TestChain {
    pub root_pem: String,
    pub root_sha256: String,
    /// What the server sends: leaf then intermediate.
    pub server: pg::ServerTls,
}

impl TestChain {
    pub fn new(root_name: &str, leaf_expired: bool) -> TestChain {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
            date_time_ymd,
        };
        let ca_params = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            params
        };
        let root = CertifiedIssuer::self_signed(ca_params(root_name), KeyPair::generate().unwrap())
            .unwrap();
        let intermediate = CertifiedIssuer::signed_by(
            ca_params(&format!("{root_name} intermediate")),
            KeyPair::generate().unwrap(),
            &root,
        )
        .unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        if leaf_expired {
            leaf.not_before = date_time_ymd(2020, 1, 1);
            leaf.not_after = date_time_ymd(2021, 1, 1);
        }
        let leaf = leaf.signed_by(&leaf_key, &intermediate).unwrap();
        use sha2::Digest;
        TestChain {
            root_sha256: hex::encode(sha2::Sha256::digest(root.der())),
            root_pem: root.pem(),
            server: pg::ServerTls {
                chain_pem: format!("{}{}", leaf.pem(), intermediate.pem()),
                key_pem: leaf_key.serialize_pem(),
            },
        }
    }
}

/// The serialised fields of `pub struct NAME` in `src/FILE`, read from its source: every
/// `pub field:` line, less `#[serde(skip)]` ones; the second set holds those that may be
/// left out (`skip_serializing_if`).
pub fn report_fields(
    file: &str,
    name: &str,
) -> (
    std::collections::BTreeSet<String>,
    std::collections::BTreeSet<String>,
) {
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(file))
            .unwrap();
    let start = source
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("no struct {name} in {file}"));
    let body = &source[start..];
    let body = &body[..body.find("\n}").unwrap()];
    let (mut all, mut optional) = (Default::default(), std::collections::BTreeSet::new());
    let mut attributes = String::new();
    for line in body.lines().skip(1) {
        let line = line.trim();
        if line.starts_with("#[") {
            attributes.push_str(line);
        } else if let Some(field) = line.strip_prefix("pub ").and_then(|l| l.split(':').next()) {
            if !attributes.contains("serde(skip)") {
                let set: &mut std::collections::BTreeSet<String> = &mut all;
                set.insert(field.to_string());
                if attributes.contains("skip_serializing_if") {
                    optional.insert(field.to_string());
                }
            }
            attributes.clear();
        }
    }
    (all, optional)
}

/// Asserts that `json`'s keys are fields of the report type, and that every field that is
/// never left out is there.
#[track_caller]
pub fn assert_report_shape(json: &serde_json::Value, file: &str, name: &str) {
    let (all, optional) = report_fields(file, name);
    let keys: std::collections::BTreeSet<String> =
        json.as_object().unwrap().keys().cloned().collect();
    let unknown: Vec<&String> = keys.difference(&all).collect();
    assert!(unknown.is_empty(), "JSON fields not in {name}: {unknown:?}");
    let missing: Vec<&String> = all
        .difference(&keys)
        .filter(|f| !optional.contains(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "{name} fields missing from the JSON: {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Driver snippets that check prints, run as printed.

/// The `text` of the `settings` entry for `client` in a `check --json` report.
pub fn setting(report: &serde_json::Value, client: &str) -> String {
    report["settings"]
        .as_array()
        .unwrap_or_else(|| panic!("no settings: {report}"))
        .iter()
        .find(|s| s["client"] == client)
        .unwrap_or_else(|| panic!("no {client} setting: {report}"))["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Where the npm packages for the Node snippets are (.ci/run installs them there).
pub fn node_modules() -> String {
    std::env::var("ROOTCERT_NODE_MODULES").unwrap_or_else(|_| {
        format!(
            "{}/.cache/rootcert-node/node_modules",
            std::env::var("HOME").unwrap_or_default()
        )
    })
}

/// Runs `code` with `python3 -c` or `node -e` and panics when it fails. A missing
/// interpreter or library is a skip, unless ROOTCERT_REQUIRE_CLIENTS is set.
pub fn run_snippet(program: &str, code: &str) {
    let flag = if program == "node" { "-e" } else { "-c" };
    let out = Command::new(program)
        .args([flag, code])
        .env("NODE_PATH", node_modules())
        .output();
    let missing = match &out {
        Err(e) => Some(e.to_string()),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            (stderr.contains("ModuleNotFoundError") || stderr.contains("Cannot find module"))
                .then(|| stderr.into_owned())
        }
    };
    match (missing, out) {
        (Some(why), _) if std::env::var_os("ROOTCERT_REQUIRE_CLIENTS").is_none() => {
            eprintln!("SKIP: {program} snippet: {why}");
        }
        (Some(why), _) => panic!("{program} or its library is missing: {why}"),
        (None, Ok(out)) => assert!(
            out.status.success(),
            "{code}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        (None, Err(_)) => unreachable!("a spawn error is a missing interpreter"),
    }
}
