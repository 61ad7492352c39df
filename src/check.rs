//! `rootcert check`: would `sslmode=verify-full` succeed against this PostgreSQL server,
//! and if not, why. Talks to the server the way libpq does (SSLRequest, then TLS), records
//! the chain it sends, and judges it as libpq would ([`crate::libpq::judge`]).
//!
//! The handshake itself accepts any chain, so the report can always show what the server
//! sent; the handshake signature is still checked, and a failed check is part of the
//! verdict. No data is sent over the session.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

use crate::cert::Cert;
use crate::cli::CheckArgs;
use crate::error::{Error, exit};
use crate::fetch::{default_destination, resolve_profiles};
use crate::libpq::{self, Format, TrustFile};
use crate::output::{conninfo_value, in_double_quotes, print_json, shell_word};
use crate::parse::parse_certificates;
use crate::read::{MAX_FILE_BYTES, read_file};
use crate::system_store::SystemStore;

/// PostgreSQL's SSLRequest: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
const DEFAULT_PORT: u16 = 5432;

/// Where the trusted roots came from, for the report and the psql line.
struct Trust {
    /// The roots as libpq would load them from `file`.
    roots: TrustFile,
    /// The file to name in `sslrootcert`, and how to get it when it is not there yet.
    file: PathBuf,
    fetch_first: Option<String>,
    described: String,
}

#[derive(Serialize)]
struct CertReport {
    subject: String,
    issuer: String,
    sha256: String,
    not_before: String,
    not_after: String,
}

impl CertReport {
    fn new(cert: &Cert) -> Self {
        CertReport {
            subject: cert.subject(),
            issuer: cert.issuer(),
            sha256: cert.sha256.to_string(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
        }
    }
}

#[derive(Serialize)]
struct CheckReport {
    ok: bool,
    host: String,
    port: u16,
    server_name: String,
    tls_version: String,
    chain: Vec<CertReport>,
    root: Option<CertReport>,
    problems: Vec<String>,
    suggestion: Option<String>,
}

pub fn run(args: &CheckArgs) -> Result<u8, Error> {
    let (host, port) = split_host_port(&args.target)?;
    let server_name = args.sni.clone().unwrap_or_else(|| host.clone());
    let trust = load_trust(args)?;
    let session = match handshake(&host, port, &server_name, args) {
        Ok(session) => session,
        // A trust file psql cannot load fails whatever the server does: say that first.
        Err(e) => match &trust.roots.error {
            Some(load_error) => {
                return Err(Error::content(format!(
                    "libpq cannot load the trust file {}: {load_error} (fix: {}); and the server \
                     could not be checked: {e}",
                    trust.file.display(),
                    libpq::trust_file_fix(
                        &trust.file.display().to_string(),
                        "rootcert fetch PROFILE",
                        trust.roots.format
                    )
                )));
            }
            None => return Err(e),
        },
    };
    let chain: Vec<Cert> = session
        .chain
        .iter()
        .map(|der| Cert::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Network {
            message: format!("the server sent a certificate that does not parse: {e}"),
            attempts: Vec::new(),
        })?;
    let report = judge(
        &host,
        port,
        &server_name,
        &session,
        &chain,
        &trust,
        SystemTime::now(),
    );
    if args.json {
        print_json(&report);
    } else {
        print_human(&report, &trust);
    }
    Ok(if report.ok { exit::OK } else { exit::CONTENT })
}

fn split_host_port(target: &str) -> Result<(String, u16), Error> {
    let bad_port = |p: &str| Error::Usage(format!("'{p}' in '{target}' is not a port number"));
    if let Some(rest) = target.strip_prefix('[') {
        // [IPv6]:port or [IPv6]
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            Error::Usage(format!("'{target}': missing ']' after an IPv6 address"))
        })?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port(p))?,
            None => DEFAULT_PORT,
        };
        return Ok((host.to_string(), port));
    }
    match target.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((host, port)) if !host.contains(':') => {
            Ok((host.to_string(), port.parse().map_err(|_| bad_port(port))?))
        }
        _ => Ok((target.to_string(), DEFAULT_PORT)),
    }
}

/// The roots to trust: `--ca PATH`, the named profiles (from their fetched files or the OS
/// store, by pin), or the default fetched file.
fn load_trust(args: &CheckArgs) -> Result<Trust, Error> {
    if args.profiles.is_empty() {
        let file = match &args.ca {
            Some(path) => path.clone(),
            None => default_destination(&resolve_profiles(&[])?)?,
        };
        let bytes = read_file(&file, MAX_FILE_BYTES).map_err(|e| {
            Error::Usage(format!(
                "{e}: cannot read the roots to trust. Pass --ca PATH or a profile, or run `rootcert fetch` first"
            ))
        })?;
        // psql is told the file by path, and may run elsewhere: name it absolutely.
        let file = std::path::absolute(&file).unwrap_or(file);
        let roots = TrustFile::load(&bytes);
        let described = match &roots.error {
            Some(_) => format!(
                "{} ({}, which libpq cannot load)",
                file.display(),
                roots.format.as_str()
            ),
            None => format!(
                "{} ({} certificate{})",
                file.display(),
                roots.certs.len(),
                if roots.certs.len() == 1 { "" } else { "s" }
            ),
        };
        return Ok(Trust {
            roots,
            file,
            fetch_first: None,
            described,
        });
    }
    let profiles = resolve_profiles(&args.profiles)?;
    let file = default_destination(&profiles)?;
    let pins: Vec<_> = profiles
        .iter()
        .flat_map(|p| p.certs.iter())
        .map(|c| c.pin())
        .collect();
    let fetched = read_file(&file, MAX_FILE_BYTES)
        .ok()
        .and_then(|b| parse_certificates(&b).ok())
        .unwrap_or_default();
    let mut store: Option<SystemStore> = None;
    let mut roots: Vec<Cert> = Vec::new();
    for pin in &pins {
        let found = fetched
            .iter()
            .find(|c| c.sha256 == *pin)
            .cloned()
            .or_else(|| {
                store
                    .get_or_insert_with(|| SystemStore::load(&pins))
                    .find(pin)
                    .cloned()
            });
        match found {
            Some(cert) if roots.iter().all(|r| r.sha256 != cert.sha256) => roots.push(cert),
            Some(_) => {}
            None => {
                return Err(Error::Usage(format!(
                    "no local copy of the root pinned as {pin}: run `rootcert fetch {}` first",
                    args.profiles.join(" ")
                )));
            }
        }
    }
    let holds_all = pins.iter().all(|p| fetched.iter().any(|c| c.sha256 == *p));
    let fetch_first = (!holds_all).then(|| format!("rootcert fetch {}", args.profiles.join(" ")));
    let described = format!("profile {}", args.profiles.join(", "));
    Ok(Trust {
        roots: TrustFile {
            format: Format::Pem,
            certs: roots,
            error: None,
        },
        file,
        fetch_first,
        described,
    })
}

struct Session {
    chain: Vec<CertificateDer<'static>>,
    tls_version: String,
    /// Why the server's handshake signature could not be verified, when it could not.
    unverified_signature: Option<String>,
}

fn handshake(host: &str, port: u16, server_name: &str, args: &CheckArgs) -> Result<Session, Error> {
    let no_tls = |message: String| Error::Network {
        message,
        attempts: Vec::new(),
    };
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| no_tls(format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last_error = None;
    let mut stream = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, args.timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    let mut stream = stream.ok_or_else(|| {
        no_tls(format!(
            "cannot connect to {host}:{port}: {} (is the server running and listening on that address?)",
            last_error.unwrap_or_else(|| "no address".into())
        ))
    })?;
    stream
        .set_read_timeout(Some(args.timeout))
        .and_then(|()| stream.set_write_timeout(Some(args.timeout)))
        .map_err(|e| no_tls(format!("{host}:{port}: cannot set the timeout: {e}")))?;
    let io_error = |e: std::io::Error| {
        if timed_out(&e) {
            no_tls(format!(
                "{host}:{port} did not answer within {} s",
                args.timeout.as_secs_f64()
            ))
        } else {
            no_tls(format!("{host}:{port}: {e}"))
        }
    };

    if !args.direct {
        stream.write_all(&SSL_REQUEST).map_err(io_error)?;
        let mut answer = [0u8; 1];
        stream.read_exact(&mut answer).map_err(io_error)?;
        match answer[0] {
            b'S' => {}
            b'N' => {
                return Err(no_tls(format!(
                    "the server at {host}:{port} does not accept TLS (ssl = off?)"
                )));
            }
            other => {
                return Err(no_tls(format!(
                    "{host}:{port} answered the SSLRequest with {:?}, not S or N: is this a PostgreSQL server?",
                    other as char
                )));
            }
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let capture = Arc::new(CaptureChain {
        chain: Mutex::new(Vec::new()),
        signature_error: Mutex::new(None),
        provider: provider.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    if args.direct {
        config.alpn_protocols = vec![b"postgresql".to_vec()];
    }
    let name = tls_server_name(server_name);
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream).map_err(|e| {
            if timed_out(&e) {
                io_error(e)
            } else if args.direct && e.kind() == std::io::ErrorKind::UnexpectedEof {
                no_tls(format!(
                    "{host}:{port} closed the connection at the start of direct TLS: the server \
                     may predate PostgreSQL 17, or a pooler in front of it may not support direct \
                     TLS (try without --direct)"
                ))
            } else {
                no_tls(format!("TLS handshake with {host}:{port} failed: {e}"))
            }
        })?;
    }
    let tls_version = conn.protocol_version().map_or("unknown".to_string(), |v| {
        format!("{v:?}").replace("TLSv1_", "TLS 1.")
    });
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
    let chain = std::mem::take(&mut *capture.chain.lock().expect("not poisoned"));
    if chain.is_empty() {
        return Err(no_tls(format!("{host}:{port} sent no certificate")));
    }
    let unverified_signature = capture.signature_error.lock().expect("not poisoned").take();
    Ok(Session {
        chain,
        tls_version,
        unverified_signature,
    })
}

/// The name rustls needs: libpq sends the host as SNI only when it is not an address, and
/// an address as libpq reads it (`127.1` too) sends none. A host rustls cannot use as a
/// name is also sent as none; the name check is ours, not rustls's.
fn tls_server_name(host: &str) -> ServerName<'static> {
    let none = |ip: IpAddr| ServerName::IpAddress(ip.into());
    match crate::libpq::parse_ip(host) {
        Some(ip) => none(ip),
        None => ServerName::try_from(host.to_string())
            .unwrap_or_else(|_| none(IpAddr::from([0, 0, 0, 0]))),
    }
}

/// A socket read or write that hit its timeout (Unix reports WouldBlock for that).
fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Records the server's chain and accepts it, so the report can always show it. The
/// handshake signature is verified; when that fails (a key ring cannot use, such as RSA
/// 1024, or a certificate webpki cannot parse) the failure is recorded for [`judge`]
/// instead of ending the handshake, so the verdict can name the real cause.
#[derive(Debug)]
struct CaptureChain {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    signature_error: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl CaptureChain {
    fn record(
        &self,
        result: Result<HandshakeSignatureValid, rustls::Error>,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Err(e) = result {
            *self.signature_error.lock().expect("not poisoned") = Some(e.to_string());
        }
        Ok(HandshakeSignatureValid::assertion())
    }
}

impl ServerCertVerifier for CaptureChain {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().expect("not poisoned");
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.record(rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.record(rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What verify-full would decide, and why: [`libpq::judge`], plus the handshake
/// signature, which psql checks as part of the handshake.
fn judge(
    host: &str,
    port: u16,
    server_name: &str,
    session: &Session,
    chain: &[Cert],
    trust: &Trust,
    now: SystemTime,
) -> CheckReport {
    let trust_name = trust.file.display().to_string();
    let mut verdict = libpq::judge(&libpq::Case {
        chain,
        trust: &trust.roots,
        trust_name: &trust_name,
        host: server_name,
        now,
    });
    if verdict.ok
        && let Some(why) = &session.unverified_signature
    {
        verdict.ok = false;
        verdict.problems.push(format!(
            "rootcert could not verify the server's handshake signature ({why})"
        ));
    }
    let suggestion = if verdict.ok {
        Some(psql_lines(host, port, server_name, trust))
    } else {
        let fixes = verdict.fixes;
        (!fixes.is_empty()).then(|| fixes.join("\n"))
    };
    CheckReport {
        ok: verdict.ok,
        host: host.to_string(),
        port,
        server_name: server_name.to_string(),
        tls_version: session.tls_version.clone(),
        chain: chain.iter().map(CertReport::new).collect(),
        root: verdict.root.as_ref().map(CertReport::new),
        problems: verdict.problems,
        suggestion,
    }
}

fn psql_lines(host: &str, port: u16, server_name: &str, trust: &Trust) -> String {
    let path = trust.file.display().to_string();
    let host_part = if server_name != host {
        format!("host={server_name} hostaddr={host}")
    } else {
        format!("host={host}")
    };
    let conninfo = format!(
        "sslmode=verify-full sslrootcert={} {host_part} port={port} dbname=<db> user=<user>",
        conninfo_value(&path)
    );
    let mut lines = String::new();
    if let Some(fetch) = &trust.fetch_first {
        lines.push_str(&format!("{fetch}\n"));
    }
    lines.push_str(&format!(
        "psql \"{}\"\nexport PGSSLROOTCERT={}",
        in_double_quotes(&conninfo),
        shell_word(&path)
    ));
    lines
}

fn print_human(report: &CheckReport, trust: &Trust) {
    crate::outln!(
        "{}:{} ({}), trusting {}",
        report.host,
        report.port,
        report.tls_version,
        trust.described
    );
    crate::outln!("Chain sent by the server:");
    for (i, cert) in report.chain.iter().enumerate() {
        crate::outln!("  {i} {}", cert.subject);
        crate::outln!("      issuer  {}", cert.issuer);
        crate::outln!("      valid   {} to {}", cert.not_before, cert.not_after);
        crate::outln!("      sha256  {}", cert.sha256);
    }
    match &report.root {
        Some(root) => crate::outln!(
            "Ends at the trusted root {} (sha256 {})",
            root.subject,
            root.sha256
        ),
        None => crate::outln!("Ends at no trusted root"),
    }
    if report.ok {
        crate::outln!(
            "\nOK: sslmode=verify-full will succeed for {}. Connect with:",
            report.server_name
        );
    } else {
        crate::outln!("\nFAIL: sslmode=verify-full would fail:");
        for problem in &report.problems {
            crate::outln!("  - {problem}");
        }
        if report.suggestion.is_some() {
            crate::outln!("Fix:");
        }
    }
    if let Some(suggestion) = &report.suggestion {
        for line in suggestion.split('\n') {
            crate::outln!("  {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            split_host_port("db.example.com").unwrap(),
            ("db.example.com".into(), 5432)
        );
        assert_eq!(
            split_host_port("localhost:6543").unwrap(),
            ("localhost".into(), 6543)
        );
        assert_eq!(split_host_port("[::1]:7000").unwrap(), ("::1".into(), 7000));
        assert_eq!(split_host_port("::1").unwrap(), ("::1".into(), 5432));
        assert!(split_host_port("host:port").is_err());
    }
}
