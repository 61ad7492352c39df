//! What rootcert never prints and never grows (issue 16): a secret in any string it reads,
//! a byte a server or certificate controls that a terminal would act on, output or memory
//! beyond the size of the input. Every server here is on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

mod limits;
mod masking;
mod terminal;

/// The secret every string below carries, in pieces that must never appear.
const SECRET: &str = "Zq9xKw7yS3CRET";

/// A trust file for `--ca` (the servers here never get as far as using it).
fn ca(env: &Env) -> String {
    let path = env.path("ca.pem");
    if !path.exists() {
        TestChain::direct("secrets test CA").write_to(&path);
    }
    path.to_str().unwrap().to_string()
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Nothing of `secret` (no piece of 4 characters or more) in stdout or stderr.
fn assert_unsaid(run: &Run, secret: &str, context: &str) {
    for piece in secret.split(|c: char| !c.is_ascii_alphanumeric()) {
        if piece.len() >= 4 {
            assert!(
                !run.stdout.contains(piece) && !run.stderr.contains(piece),
                "{context}: '{piece}' printed:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
}

/// Runs `cmd` and measures its peak resident memory (KiB) and its stdout's size. The
/// command is started by a small Python process and measured there (wait4's rusage), since
/// a child forked from this large test process would inherit its memory high-water mark.
fn run_measured(cmd: &mut Command) -> (Run, u64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let rss_file = dir.path().join("maxrss");
    let script = "import os, subprocess, sys\n\
        p = subprocess.Popen(sys.argv[2:])\n\
        _, status, usage = os.wait4(p.pid, 0)\n\
        open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n\
        sys.exit(os.waitstatus_to_exitcode(status))\n";
    let mut measured = Command::new("python3");
    measured
        .args(["-c", script])
        .arg(&rss_file)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    if let Some(dir) = cmd.get_current_dir() {
        measured.current_dir(dir);
    }
    let out = measured.output().unwrap();
    let size = out.stdout.len();
    let rss = std::fs::read_to_string(&rss_file).unwrap().parse().unwrap();
    (Run::from(out), rss, size)
}

/// A server on 127.0.0.1 that sends `reply` to every connection, then holds it briefly.
fn replying_server(reply: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let reply = reply.clone();
            std::thread::spawn(move || {
                let _ = stream.write_all(&reply);
                let mut sink = [0u8; 512];
                let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
                let _ = stream.read(&mut sink);
            });
        }
    });
    port
}

/// Text a terminal would act on: C0 controls but the line feed, DEL, and C1 controls.
fn assert_inert(run: &Run, context: &str) {
    for text in [&run.stdout, &run.stderr] {
        // A line break in what the server sent must not start a line of rootcert's own.
        assert!(
            !text
                .lines()
                .any(|l| l.trim_start().starts_with("OK: sslmode")),
            "{context}: a forged OK line:\n{text}"
        );
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
            .collect();
        assert!(
            bad.is_empty(),
            "{context}: {bad:?} reached the terminal:\n{text}"
        );
    }
}

/// ESC, an OSC title, BEL, CR, a C1 CSI and a bidi override: what a hostile server sends.
const HOSTILE: &str =
    "\x1b[2J\x1b]0;pwned\x07\r\nOK: sslmode=verify-full will succeed\u{9b}31m\u{202e}";

/// A CA and a TLS server whose certificate's CN and dNSName carry [`HOSTILE`] bytes.
fn hostile_tls_server() -> (String, std::sync::Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, DnValue, IsCa, KeyPair,
        SanType,
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "hostile test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let ascii: String = HOSTILE.chars().filter(char::is_ascii).collect();
    params.subject_alt_names = vec![SanType::DnsName(ascii.clone().try_into().unwrap())];
    params
        .distinguished_name
        .push(DnType::CommonName, DnValue::Utf8String(HOSTILE.to_string()));
    let leaf = params.signed_by(&key, &ca).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (ca.pem(), std::sync::Arc::new(config))
}

// ---- Smaller (issue 16, item 17) ----
