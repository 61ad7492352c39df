//! Shared test helpers: the real binary in a clean environment, local HTTP(S) servers on
//! 127.0.0.1, a test CA, and the certificate fixtures in their many encodings.
#![allow(dead_code)]

pub mod mariadb;
pub mod matrix;
pub mod pg;
pub mod pki;
pub mod prom;
pub mod snapshots;
pub mod suites;

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
    env.fetch(url).retries(0).args(extra).run()
}

/// `rootcert fetch --no-system --no-builtin` and what follows: a fetch that trusts only
/// what the test gives it (`--url`, `--mirror`, `--ca-file`).
pub struct Fetch<'e> {
    env: &'e Env,
    args: Vec<String>,
    store: Option<PathBuf>,
}

impl Env {
    /// A fetch of `url` (see [`Fetch`]).
    pub fn fetch(&self, url: &str) -> Fetch<'_> {
        self.fetch_from("--url", url)
    }

    /// A fetch of a profile's files from `mirror` (see [`Fetch`]).
    pub fn fetch_mirror(&self, mirror: &str) -> Fetch<'_> {
        self.fetch_from("--mirror", mirror)
    }

    fn fetch_from(&self, flag: &str, source: &str) -> Fetch<'_> {
        let args = ["fetch", "--no-system", "--no-builtin", flag, source];
        Fetch {
            env: self,
            args: args.iter().map(|a| a.to_string()).collect(),
            store: None,
        }
    }
}

impl Fetch<'_> {
    pub fn retries(mut self, retries: u32) -> Self {
        self.args
            .extend(["--retries".to_string(), retries.to_string()]);
        self
    }

    pub fn args(mut self, extra: &[&str]) -> Self {
        self.args.extend(extra.iter().map(|a| a.to_string()));
        self
    }

    /// Uses `store` (a PEM bundle) as the OS trust store.
    pub fn store(mut self, store: &Path) -> Self {
        self.store = Some(store.to_path_buf());
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = self.env.cmd();
        if let Some(store) = &self.store {
            cmd.env("SSL_CERT_FILE", store);
        }
        cmd.args(&self.args);
        cmd
    }

    pub fn run(self) -> Run {
        Run::from(self.command().output().unwrap())
    }
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
        ca: &TestChain,
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

/// A root CA, optionally an intermediate, and a server certificate issued under them, made
/// with rcgen. [`TestChain::direct`] and [`TestChain::new`] are the two shapes tests use.
pub struct TestChain {
    pub root_pem: String,
    /// Lower-case hex SHA-256 of the root's DER.
    pub root_sha256: String,
    /// What the server sends: leaf then any intermediate, with the leaf's key.
    pub server: pg::ServerTls,
    leaf_pem: String,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

/// What [`TestChain::build`] makes: see the setters.
pub struct ChainSpec {
    root_name: String,
    intermediate: bool,
    names: Vec<String>,
    leaf_expired: bool,
}

impl ChainSpec {
    /// Puts an intermediate CA between the root and the leaf.
    pub fn intermediate(mut self) -> Self {
        self.intermediate = true;
        self
    }

    /// The leaf's subjectAltNames (the first is also its CN).
    pub fn names(mut self, names: &[&str]) -> Self {
        self.names = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// Makes the leaf valid only in 2020.
    pub fn leaf_expired(mut self, expired: bool) -> Self {
        self.leaf_expired = expired;
        self
    }

    pub fn build(self) -> TestChain {
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
        let root =
            CertifiedIssuer::self_signed(ca_params(&self.root_name), KeyPair::generate().unwrap())
                .unwrap();
        let intermediate = self.intermediate.then(|| {
            CertifiedIssuer::signed_by(
                ca_params(&format!("{} intermediate", self.root_name)),
                KeyPair::generate().unwrap(),
                &root,
            )
            .unwrap()
        });
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(self.names.clone()).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, self.names[0].as_str());
        if self.leaf_expired {
            leaf.not_before = date_time_ymd(2020, 1, 1);
            leaf.not_after = date_time_ymd(2021, 1, 1);
        }
        let (leaf, chain_pem, server_chain) = match &intermediate {
            Some(intermediate) => {
                let leaf = leaf.signed_by(&leaf_key, intermediate).unwrap();
                let pem = format!("{}{}", leaf.pem(), intermediate.pem());
                let ders = vec![leaf.der().clone(), intermediate.der().clone()];
                (leaf, pem, ders)
            }
            None => {
                let leaf = leaf.signed_by(&leaf_key, &root).unwrap();
                let pem = leaf.pem();
                let ders = vec![leaf.der().clone()];
                (leaf, pem, ders)
            }
        };
        use sha2::Digest;
        TestChain {
            root_sha256: hex::encode(sha2::Sha256::digest(root.der())),
            root_pem: root.pem(),
            server: pg::ServerTls {
                chain_pem,
                key_pem: leaf_key.serialize_pem(),
            },
            leaf_pem: leaf.pem(),
            server_chain,
            server_key: leaf_key.serialize_der(),
        }
    }
}

impl TestChain {
    pub fn builder(root_name: &str) -> ChainSpec {
        ChainSpec {
            root_name: root_name.to_string(),
            intermediate: false,
            names: vec!["localhost".to_string()],
            leaf_expired: false,
        }
    }

    /// A root and a server certificate for `localhost` and `127.0.0.1` signed by it, for
    /// the local HTTPS servers.
    pub fn direct(root_name: &str) -> TestChain {
        TestChain::builder(root_name)
            .names(&["localhost", "127.0.0.1"])
            .build()
    }

    /// root -> intermediate -> server certificate for `DNS:localhost`, as PostgreSQL tests
    /// need.
    pub fn new(root_name: &str, leaf_expired: bool) -> TestChain {
        TestChain::builder(root_name)
            .intermediate()
            .leaf_expired(leaf_expired)
            .build()
    }

    /// The server (leaf) certificate: not a CA, not self-signed.
    pub fn server_pem(&self) -> String {
        self.leaf_pem.clone()
    }

    pub fn server_sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.server_chain[0]))
    }

    /// Writes the root as PEM.
    pub fn write_to(&self, path: &Path) {
        std::fs::write(path, &self.root_pem).unwrap();
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
            suites::skipped(&format!("{program} client snippets"), &why);
        }
        (Some(why), _) => panic!("{program} or its library is missing: {why}"),
        (None, Ok(out)) => {
            suites::ran(&format!("{program} client snippets"));
            assert!(
                out.status.success(),
                "{code}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        }
        (None, Err(_)) => unreachable!("a spawn error is a missing interpreter"),
    }
}
