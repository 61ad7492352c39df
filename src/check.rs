//! `rootcert check`: would `sslmode=verify-full` succeed against this PostgreSQL server,
//! and if not, why. Talks to the server the way libpq does (SSLRequest, then TLS), records
//! the chain it sends, and judges it as libpq would: chain to a trusted root, the host name
//! by libpq's rules, every certificate within its validity.
//!
//! The handshake itself accepts any chain (while still checking the handshake signatures),
//! so the report can always show what the server sent; no data is sent over the session.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

use crate::catalog;
use crate::cert::Cert;
use crate::cli::CheckArgs;
use crate::error::{Error, exit};
use crate::fetch::{default_destination, resolve_profiles};
use crate::output::{conninfo_value, in_double_quotes, print_json, shell_word};
use crate::parse::parse_certificates;
use crate::system_store::SystemStore;

/// PostgreSQL's SSLRequest: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];
const DEFAULT_PORT: u16 = 5432;

/// Where the trusted roots came from, for the report and the psql line.
struct Trust {
    roots: Vec<Cert>,
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
    let session = handshake(&host, port, &server_name, args)?;
    let chain: Vec<Cert> = session
        .chain
        .iter()
        .map(|der| Cert::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Download {
            message: format!("the server sent a certificate that does not parse: {e}"),
            attempts: Vec::new(),
        })?;
    let report = judge(
        &host,
        port,
        &server_name,
        session.tls_version,
        &chain,
        &trust,
        SystemTime::now(),
    );
    if args.json {
        print_json(&report);
    } else {
        print_human(&report, &trust);
    }
    Ok(if report.ok {
        exit::OK
    } else {
        exit::VERIFICATION
    })
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
        let bytes = std::fs::read(&file).map_err(|e| {
            Error::Usage(format!(
                "cannot read the roots to trust from {}: {e}. Pass --ca PATH or a profile, or run `rootcert fetch` first",
                file.display()
            ))
        })?;
        let roots = parse_certificates(&bytes)
            .map_err(|e| Error::Usage(format!("--ca {}: {e}", file.display())))?;
        let described = format!(
            "{} ({} certificate{})",
            file.display(),
            roots.len(),
            if roots.len() == 1 { "" } else { "s" }
        );
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
    let fetched = std::fs::read(&file)
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
        roots,
        file,
        fetch_first,
        described,
    })
}

struct Session {
    chain: Vec<CertificateDer<'static>>,
    tls_version: String,
}

fn handshake(host: &str, port: u16, server_name: &str, args: &CheckArgs) -> Result<Session, Error> {
    let no_tls = |message: String| Error::Download {
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
    stream.set_read_timeout(Some(args.timeout))?;
    stream.set_write_timeout(Some(args.timeout))?;
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
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|_| Error::Usage(format!("'{server_name}' is not a valid host name")))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream).map_err(|e| {
            if timed_out(&e) {
                io_error(e)
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
    Ok(Session { chain, tls_version })
}

/// A socket read or write that hit its timeout (Unix reports WouldBlock for that).
fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Records the server's chain and accepts it, so the report can always show it; the
/// handshake signatures are still verified, and [`judge`] decides trust afterwards.
#[derive(Debug)]
struct CaptureChain {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    provider: Arc<CryptoProvider>,
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
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What verify-full would decide, and why.
fn judge(
    host: &str,
    port: u16,
    server_name: &str,
    tls_version: String,
    chain: &[Cert],
    trust: &Trust,
    now: SystemTime,
) -> CheckReport {
    let mut problems = Vec::new();
    let mut suggestions = Vec::new();
    // `handshake` refuses a session without a certificate.
    let leaf = &chain[0];

    // Trust, judged at an instant when every certificate is valid, so an expired certificate
    // is reported as expired rather than hiding whether the chain would be trusted.
    let root = match chain_root(chain, &trust.roots, trust_instant(chain, now)) {
        Ok(root) => Some(root),
        Err(reason) => {
            let top = chain.last().expect("not empty");
            let needed = if top.is_self_issued() {
                top.subject()
            } else {
                top.issuer()
            };
            problems.push(format!(
                "the server's chain ends at {needed}, which {} does not hold ({reason})",
                trust.described
            ));
            match catalog_profile_for(&needed) {
                Some(profile) => suggestions.push(format!(
                    "get that root with `rootcert fetch {profile}` and use its file as sslrootcert"
                )),
                None => suggestions.push(format!(
                    "get the root certificate {needed} from the server's operator, check its fingerprint, \
                     and pass it with --ca"
                )),
            }
            None
        }
    };

    // Validity of every certificate that verify-full would check.
    let mut out_of_date = false;
    for cert in chain.iter().chain(root.iter()) {
        let role = role_of(cert, leaf, root.as_ref());
        out_of_date |= now > cert.not_after() || now < cert.not_before();
        if now > cert.not_after() {
            problems.push(format!(
                "the {role} {} expired on {}",
                cert.subject(),
                cert.not_after_rfc3339()
            ));
        } else if now < cert.not_before() {
            problems.push(format!(
                "the {role} {} is not valid until {} (or this machine's clock is wrong)",
                cert.subject(),
                cert.not_before_rfc3339()
            ));
        }
    }
    if out_of_date {
        suggestions.push(
            "the server's operator must renew the certificate (or fix the clock)".to_string(),
        );
    }

    // The host name, by libpq's rules.
    let names = certificate_names(leaf);
    if !name_matches(server_name, &names) {
        let held = names.listed();
        problems.push(format!(
            "the server certificate is for {held}, not {server_name}"
        ));
        let connect_with = names.dns.first().or(names.cn.as_ref());
        match (connect_with, server_name.parse::<IpAddr>().is_ok()) {
            (Some(dns), true) => suggestions.push(format!(
                "connect with host={dns} hostaddr={server_name} (or `rootcert check {host}:{port} --sni {dns}`)"
            )),
            (Some(dns), false) => suggestions.push(format!("connect with host={dns}")),
            (None, _) => {}
        }
    }

    let ok = problems.is_empty();
    let suggestion = if ok {
        Some(psql_lines(host, port, server_name, trust))
    } else {
        (!suggestions.is_empty()).then(|| suggestions.join("; "))
    };
    CheckReport {
        ok,
        host: host.to_string(),
        port,
        server_name: server_name.to_string(),
        tls_version,
        chain: chain.iter().map(CertReport::new).collect(),
        root: root.as_ref().map(CertReport::new),
        problems,
        suggestion,
    }
}

fn role_of(cert: &Cert, leaf: &Cert, root: Option<&Cert>) -> &'static str {
    if cert.sha256 == leaf.sha256 {
        "server certificate"
    } else if root.is_some_and(|r| r.sha256 == cert.sha256) {
        "root certificate"
    } else {
        "intermediate certificate"
    }
}

/// An instant inside every certificate's validity window, when there is one.
fn trust_instant(chain: &[Cert], now: SystemTime) -> SystemTime {
    let latest_start = chain.iter().map(Cert::not_before).max().unwrap_or(now);
    let earliest_end = chain.iter().map(Cert::not_after).min().unwrap_or(now);
    if now >= latest_start && now <= earliest_end || latest_start > earliest_end {
        now
    } else {
        latest_start
    }
}

/// Builds a path from the leaf through the sent intermediates to one of `roots` (webpki,
/// server-auth usage), and returns the root it ends at.
fn chain_root(chain: &[Cert], roots: &[Cert], at: SystemTime) -> Result<Cert, String> {
    let ee_der = CertificateDer::from(chain[0].der().to_vec());
    let ee =
        webpki::EndEntityCert::try_from(&ee_der).map_err(|e| format!("server certificate: {e}"))?;
    let root_ders: Vec<CertificateDer<'static>> = roots
        .iter()
        .map(|r| CertificateDer::from(r.der().to_vec()))
        .collect();
    // Each usable root with its anchor, so the anchor a path ends at names its root.
    let (usable, anchors): (Vec<&Cert>, Vec<_>) = roots
        .iter()
        .zip(&root_ders)
        .filter_map(|(root, der)| Some((root, webpki::anchor_from_trusted_cert(der).ok()?)))
        .unzip();
    let intermediates: Vec<CertificateDer<'static>> = chain[1..]
        .iter()
        .map(|c| CertificateDer::from(c.der().to_vec()))
        .collect();
    let seconds = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let provider = rustls::crypto::ring::default_provider();
    let path = ee
        .verify_for_usage(
            provider.signature_verification_algorithms.all,
            &anchors,
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| match e {
            webpki::Error::UnknownIssuer => "no path to a trusted root".to_string(),
            other => other.to_string(),
        })?;
    let index = anchors
        .iter()
        .position(|a| std::ptr::eq(a, path.anchor()))
        .ok_or_else(|| "the trusted root is not in the list".to_string())?;
    Ok(usable[index].clone())
}

/// The catalog profile whose root has this subject's common name.
fn catalog_profile_for(subject: &str) -> Option<&'static str> {
    catalog::PROFILES
        .iter()
        .filter(|p| p.certs.len() == 1)
        .find(|p| {
            p.certs
                .iter()
                .any(|c| subject.starts_with(&format!("CN={},", c.name)))
        })
        .map(|p| p.name)
}

/// The names a server certificate holds, as libpq reads them.
struct CertNames {
    dns: Vec<String>,
    ips: Vec<IpAddr>,
    cn: Option<String>,
}

impl CertNames {
    fn listed(&self) -> String {
        let mut all: Vec<String> = self.dns.iter().map(|d| format!("DNS:{d}")).collect();
        all.extend(self.ips.iter().map(|ip| format!("IP:{ip}")));
        if self.dns.is_empty() && self.ips.is_empty() {
            all.extend(self.cn.iter().map(|cn| format!("CN={cn}")));
        }
        if all.is_empty() {
            "no name at all".to_string()
        } else {
            all.join(", ")
        }
    }
}

fn certificate_names(cert: &Cert) -> CertNames {
    let mut names = CertNames {
        dns: Vec::new(),
        ips: Vec::new(),
        cn: None,
    };
    if let Ok(Some((_, san))) = cert
        .x509()
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
    {
        for name in san.0 {
            match name {
                GeneralName::DnsName(dns) => names.dns.push(dns.to_string()),
                GeneralName::IpAddress(octets) => match octets.as_bytes().len() {
                    4 => names.ips.push(IpAddr::from(
                        <[u8; 4]>::try_from(octets.as_bytes()).expect("4 bytes"),
                    )),
                    16 => names.ips.push(IpAddr::from(
                        <[u8; 16]>::try_from(octets.as_bytes()).expect("16 bytes"),
                    )),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    names.cn = cert
        .x509()
        .tbs_certificate()
        .subject()
        .common_name()
        .ok()
        .flatten()
        .map(|cn| cn.value().into_owned());
    names
}

/// libpq's verify-full name check: dNSName entries for a host name, iPAddress entries for
/// an address; the common name only when the certificate has no entry of the right kind.
fn name_matches(host: &str, names: &CertNames) -> bool {
    match host.parse::<IpAddr>() {
        Ok(ip) => {
            if names.ips.contains(&ip) {
                return true;
            }
            // libpq falls back to the CN for an address when there is no iPAddress entry.
            names.ips.is_empty() && names.cn.as_deref().is_some_and(|cn| cn == host)
        }
        Err(_) => {
            if names.dns.iter().any(|d| dns_matches(d, host)) {
                return true;
            }
            names.dns.is_empty() && names.cn.as_deref().is_some_and(|cn| dns_matches(cn, host))
        }
    }
}

/// Case-insensitive; `*.` matches exactly one leftmost label, as in libpq.
fn dns_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
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
    println!(
        "{}:{} ({}), trusting {}",
        report.host, report.port, report.tls_version, trust.described
    );
    println!("Chain sent by the server:");
    for (i, cert) in report.chain.iter().enumerate() {
        println!("  {i} {}", cert.subject);
        println!("      issuer  {}", cert.issuer);
        println!("      valid   {} to {}", cert.not_before, cert.not_after);
        println!("      sha256  {}", cert.sha256);
    }
    match &report.root {
        Some(root) => println!(
            "Ends at the trusted root {} (sha256 {})",
            root.subject, root.sha256
        ),
        None => println!("Ends at no trusted root"),
    }
    if report.ok {
        println!(
            "\nOK: sslmode=verify-full will succeed for {}. Connect with:",
            report.server_name
        );
    } else {
        println!("\nFAIL: sslmode=verify-full would fail:");
        for problem in &report.problems {
            println!("  - {problem}");
        }
        if report.suggestion.is_some() {
            println!("Fix:");
        }
    }
    if let Some(suggestion) = &report.suggestion {
        for line in suggestion.split('\n') {
            println!("  {line}");
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

    #[test]
    fn a_needed_catalog_root_is_named_by_profile() {
        let g2 = "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US";
        assert_eq!(catalog_profile_for(g2), Some("digicert-global-root-g2"));
        let ms = "CN=Microsoft RSA Root Certificate Authority 2017,O=Microsoft Corporation,C=US";
        assert_eq!(catalog_profile_for(ms), Some("microsoft-rsa-root-2017"));
        assert_eq!(catalog_profile_for("CN=Someone Else,O=X"), None);
    }

    #[test]
    fn libpq_name_rules() {
        let san = CertNames {
            dns: vec!["*.example.com".into(), "localhost".into()],
            ips: vec![],
            cn: Some("other".into()),
        };
        assert!(name_matches("db.example.com", &san));
        assert!(name_matches("LOCALHOST", &san));
        assert!(!name_matches("a.b.example.com", &san));
        assert!(
            !name_matches("other", &san),
            "the CN is ignored when dNSName entries exist"
        );
        assert!(!name_matches("127.0.0.1", &san));
        let cn_only = CertNames {
            dns: vec![],
            ips: vec![],
            cn: Some("db.internal".into()),
        };
        assert!(name_matches("db.internal", &cn_only));
        let ip = CertNames {
            dns: vec![],
            ips: vec!["127.0.0.1".parse().unwrap()],
            cn: None,
        };
        assert!(name_matches("127.0.0.1", &ip));
    }
}
