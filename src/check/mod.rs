//! `rootcert check`: would the client's verified TLS connection succeed against these
//! servers, and if not, why. Talks to each server the way its client does ([`protocol`]),
//! records the chain it sends, and judges it by that client's rules
//! ([`crate::libpq::judge`]) under the TLS settings the target carries ([`target`]),
//! trusting the roots [`trust`] loads.
//!
//! The handshake accepts any chain, so the report can always show what the server sent;
//! the handshake signature is still checked, and a failed check is part of the verdict.
//! No data is sent over the session.

pub(crate) mod protocol;
mod settings;
mod target;
mod trust;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::cert::Cert;
use crate::error::{Error, exit};
use crate::libpq::{self, NameRule};
use crate::text::{ConnectLines, path_text};
pub use settings::{Client, ClientSetting};
pub use target::Protocol;
use target::{Endpoint, Mode, Roots, Target};
use trust::Trust;

/// What `rootcert check` is asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The targets as written: `HOST[:PORT]`, `postgresql://…`, `host=… sslmode=…`,
    /// `jdbc:postgresql://…`, `mysql://…`, `mariadb://…`, `tls://HOST:PORT`.
    pub targets: Vec<String>,
    /// Also check the target libpq's environment describes (`DATABASE_URL`, `PG*`).
    pub env: bool,
    /// The protocol of bare `HOST[:PORT]` targets (default PostgreSQL).
    pub protocol: Option<Protocol>,
    /// Trust the roots of these catalog profiles (from their fetched file or the OS store).
    pub profiles: Vec<String>,
    /// Trust the roots in this file, as libpq would load it.
    pub ca: Option<PathBuf>,
    /// Check the certificate against this name (libpq's `host`) when a bare target is an
    /// address (libpq's `hostaddr`).
    pub sni: Option<String>,
    /// Start TLS at once (PostgreSQL 17 `sslnegotiation=direct`).
    pub direct: bool,
    /// ALPN protocols to offer to `tls://` targets.
    pub alpn: Vec<String>,
    /// Deadline for each target as a whole: connect, exchange and handshake.
    pub timeout: Duration,
    /// How many targets to check at once.
    pub jobs: usize,
    /// Fail a target whose chain has a certificate expiring within this many days.
    pub min_days: Option<u32>,
    /// Also give the working settings for these drivers.
    pub clients: Vec<Client>,
    /// Connect from this local address.
    pub bind: Option<IpAddr>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            targets: Vec::new(),
            env: false,
            protocol: None,
            profiles: Vec::new(),
            ca: None,
            sni: None,
            direct: false,
            alpn: Vec::new(),
            timeout: Duration::from_secs(10),
            jobs: 16,
            min_days: None,
            clients: Vec::new(),
            bind: None,
        }
    }
}

/// What the client would make of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The connection is verified and would succeed.
    Pass,
    /// The connection would fail.
    Fail,
    /// The connection would work without verifying the server (or without its name).
    Unverified,
}

impl Verdict {
    /// `pass`, `fail`, `unverified`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unverified => "unverified",
        }
    }
}

/// The verdict for one server, the chain it was reached on, and what to do next.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// The target as written, passwords masked.
    pub target: String,
    /// `postgres`, `mysql` or `tls`.
    pub protocol: &'static str,
    /// Whose rules judged it: `libpq`, `pgjdbc`, `mysql`, `mariadb`, `tls`.
    pub client: &'static str,
    /// The TLS setting judged: `verify-full`, `VERIFY_IDENTITY`, `require`, …
    pub mode: String,
    /// pass, fail or unverified.
    pub verdict: Verdict,
    /// The verdict is pass.
    pub ok: bool,
    /// Where rootcert connected.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The name checked against the certificate (libpq's `host`).
    pub server_name: String,
    /// `TLS 1.2` or `TLS 1.3` (empty when the client would not connect).
    pub tls_version: String,
    /// What the roots came from: a file (and how many certificates), or profiles.
    pub trusting: String,
    /// The chain as the server sent it, server certificate first.
    pub chain: Vec<CertReport>,
    /// The trusted root the chain ends at.
    pub root: Option<CertReport>,
    /// When the first certificate of the chain or its root expires (RFC 3339).
    pub earliest_expiry: Option<String>,
    /// Why the connection would fail or is not verified.
    pub problems: Vec<String>,
    /// What fixes each problem.
    pub fixes: Vec<String>,
    /// For a pass: a command to run first, when the trust file is not written yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetch_first: Option<String>,
    /// For a PostgreSQL pass: the psql line and the environment variable that will work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectLines>,
    /// When verification would succeed: the settings that do it, per client.
    pub settings: Vec<ClientSetting>,
    /// The fixes, or the working lines, as one text (for people reading JSON).
    pub suggestion: Option<String>,
}

impl CheckReport {
    /// 0 for a pass, else 4.
    pub fn exit_code(&self) -> u8 {
        if self.ok { exit::OK } else { exit::CONTENT }
    }
}

/// One server's result: a report, or why it could not be checked.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The target as written, passwords masked.
    pub target: String,
    /// The protocol spoken.
    pub protocol: Protocol,
    /// Where rootcert connected (or tried to).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The report, or the error that kept the server from being judged.
    pub result: Result<CheckReport, Error>,
}

impl CheckOutcome {
    /// The report's exit code, or the error's.
    pub fn exit_code(&self) -> u8 {
        match &self.result {
            Ok(report) => report.exit_code(),
            Err(e) => e.exit_code(),
        }
    }
}

/// One certificate of the chain.
#[derive(Debug, Serialize)]
pub struct CertReport {
    /// RFC 2253.
    pub subject: String,
    /// RFC 2253.
    pub issuer: String,
    /// Colon hex.
    pub sha256: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
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

/// The keyword/value settings of a libpq connection string, as libpq parses it.
pub(crate) fn connection_settings(
    raw: &str,
) -> Result<std::collections::HashMap<String, String>, String> {
    target::settings_of(raw)
}

/// A target's masked form when it parses, and the masking of the raw text.
pub(crate) fn parse_for_fuzzing(raw: &str) -> (Option<String>, String) {
    let parsed = target::parse(raw, &target::Defaults::default()).ok();
    (parsed.map(|t| t.shown), target::mask(raw.trim()))
}

/// Reads a `--targets` file: one target a line; blank lines and `#` comments skipped.
pub fn read_targets_file(path: &std::path::Path) -> Result<Vec<String>, Error> {
    let bytes = if path.as_os_str() == "-" {
        crate::read::read_stdin(crate::read::MAX_FILE_BYTES, Duration::from_secs(60))
    } else {
        crate::read::read_file(path, crate::read::MAX_FILE_BYTES).map_err(|e| e.to_string())
    }
    .map_err(|e| Error::Usage(format!("{e}: cannot read the targets")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!(
            "{} is not UTF-8 text: give one target a line",
            path_text(path)
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Checks every server the targets name, `jobs` at a time, and returns one outcome per
/// server in the order given. Only a target that does not parse, or roots that cannot be
/// read, end the run early (a usage error).
pub fn check(options: &CheckOptions) -> Result<Vec<CheckOutcome>, Error> {
    let defaults = target::Defaults {
        protocol: options.protocol,
        direct: options.direct,
        alpn: options.alpn.clone(),
        sni: options.sni.clone(),
    };
    let mut targets = options
        .targets
        .iter()
        .map(|raw| target::parse(raw, &defaults))
        .collect::<Result<Vec<Target>, Error>>()?;
    if options.env {
        targets.push(target::from_env(&|name| std::env::var(name).ok())?);
    }
    if targets.is_empty() {
        return Err(Error::Usage(
            "no target: give HOST[:PORT] or a connection string, --targets FILE, or --env".into(),
        ));
    }
    let user_roots = options.ca.is_some() || !options.profiles.is_empty();
    let needs_given = targets
        .iter()
        .any(|t| t.roots == Roots::Given || (t.roots == Roots::ClientDefault && user_roots));
    let given = needs_given
        .then(|| trust::load_trust(options))
        .transpose()?;
    let work: Vec<(&Target, &Endpoint)> = targets
        .iter()
        .flat_map(|t| t.endpoints.iter().map(move |e| (t, e)))
        .collect();
    let shared = SharedRoots {
        given: given.as_ref(),
        system: std::sync::OnceLock::new(),
    };
    let results: Vec<Mutex<Option<CheckOutcome>>> = work.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let run_jobs = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(target, endpoint)) = work.get(i) else {
                break;
            };
            let result = check_endpoint(target, endpoint, &shared, options);
            *results[i].lock().expect("not poisoned") = Some(CheckOutcome {
                target: target.shown.clone(),
                protocol: target.protocol,
                host: endpoint.addr.clone(),
                port: endpoint.port,
                result,
            });
        }
    };
    let workers = options.jobs.clamp(1, work.len());
    if workers == 1 {
        run_jobs();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(run_jobs);
            }
        });
    }
    Ok(results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("not poisoned")
                .expect("every job ran")
        })
        .collect())
}

/// Roots the targets of one run share: what the user gave, and the system store, read
/// once however many targets use it.
struct SharedRoots<'a> {
    given: Option<&'a Trust>,
    system: std::sync::OnceLock<Trust>,
}

/// The roots a target is judged against.
fn trust_for(target: &Target, shared: &SharedRoots<'_>, user_roots: bool) -> Result<Trust, Error> {
    let given = || {
        shared
            .given
            .cloned()
            .ok_or_else(|| Error::Internal("roots not loaded".into()))
    };
    let system = || Ok(shared.system.get_or_init(trust::system_trust).clone());
    let file = |path: PathBuf, named_by: &str| -> Result<Trust, Error> {
        Ok(trust::file_trust(&path)?.unwrap_or_else(|| missing_file(&path, named_by)))
    };
    match &target.roots {
        Roots::Given => given(),
        Roots::ClientDefault if user_roots => given(),
        Roots::File { path, named_by } => file(path.clone(), named_by),
        Roots::System => system(),
        Roots::ClientDefault => match target.client {
            "libpq" | "pgjdbc" => match trust::libpq_default_root() {
                Some(path) => file(path, "the default sslrootcert"),
                None => Err(Error::Usage(
                    "no home directory for libpq's default sslrootcert: pass --ca".into(),
                )),
            },
            "mariadb" => system(),
            _ => {
                let mut none = missing_file(std::path::Path::new("ssl-ca"), "");
                none.roots.error = Some(
                    "no ssl-ca: the mysql client needs one for VERIFY_CA and VERIFY_IDENTITY"
                        .into(),
                );
                none.file = PathBuf::from("ssl-ca");
                none.described = "no ssl-ca".into();
                Ok(none)
            }
        },
    }
}

/// A trust file the client would not find: it fails before connecting.
fn missing_file(path: &std::path::Path, named_by: &str) -> Trust {
    Trust {
        roots: libpq::TrustFile {
            format: libpq::Format::Empty,
            certs: Vec::new(),
            error: Some(format!("the file does not exist (named by {named_by})")),
        },
        file: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        fetch_first: None,
        described: format!("{} (missing)", path_text(path)),
        system: false,
    }
}

fn check_endpoint(
    target: &Target,
    endpoint: &Endpoint,
    shared: &SharedRoots<'_>,
    options: &CheckOptions,
) -> Result<CheckReport, Error> {
    let user_roots = options.ca.is_some() || !options.profiles.is_empty();
    let trust = trust_for(target, shared, user_roots)?;
    let verifies = matches!(target.mode, Mode::Full | Mode::ChainOnly);
    if let Some(why) = &target.refused {
        return Ok(refused_report(target, endpoint, &trust, why));
    }
    let protocol = protocol::for_target(target.protocol, target.direct, &target.alpn);
    let session = match protocol::handshake(
        &endpoint.addr,
        endpoint.port,
        &endpoint.name,
        protocol.as_ref(),
        options.timeout,
        options.bind,
    ) {
        Ok(session) => session,
        // A trust file the client cannot load fails whatever the server does: say that first.
        Err(e) => match &trust.roots.error {
            Some(load_error) if verifies => {
                let file = path_text(&trust.file);
                return Err(Error::content(format!(
                    "the client cannot load the trust file {file}: {load_error} (fix: {}); and \
                     the server could not be checked: {e}",
                    libpq::trust_file_fix(&file, "rootcert fetch PROFILE", trust.roots.format)
                )));
            }
            _ => return Err(e),
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
    Ok(judge(
        target,
        endpoint,
        &session,
        &chain,
        &trust,
        options,
        SystemTime::now(),
    ))
}

/// The name rule of the target's client.
fn name_rule(target: &Target) -> NameRule {
    match target.protocol {
        Protocol::Postgres => NameRule::Libpq,
        Protocol::Mysql | Protocol::Tls => NameRule::OpenSsl,
    }
}

/// The setting as the client spells it.
fn mode_text(target: &Target) -> String {
    let mysql = target.protocol == Protocol::Mysql;
    match &target.mode {
        Mode::Full if mysql => "VERIFY_IDENTITY".into(),
        Mode::Full => "verify-full".into(),
        Mode::ChainOnly if mysql => "VERIFY_CA".into(),
        Mode::ChainOnly => "verify-ca".into(),
        Mode::LibpqUnlessFile(m) | Mode::Unverified(m) => m.clone(),
    }
}

/// The client's decision under the target's settings, and why.
fn judge(
    target: &Target,
    endpoint: &Endpoint,
    session: &protocol::Session,
    chain: &[Cert],
    trust: &Trust,
    options: &CheckOptions,
    now: SystemTime,
) -> CheckReport {
    let decide = |trust: &Trust, names: NameRule| {
        let mut verdict = libpq::judge(&libpq::Case {
            chain,
            trust: &trust.roots,
            trust_name: &path_text(&trust.file),
            host: &endpoint.name,
            now,
            names,
            client: match target.client {
                "libpq" => "libpq",
                "pgjdbc" => "pgjdbc",
                "mysql" => "the mysql client",
                "mariadb" => "the mariadb client",
                _ => "the TLS client",
            },
        });
        if verdict.ok
            && let Some(why) = &session.unverified_signature
        {
            verdict.ok = false;
            verdict.problems.push(format!(
                "rootcert could not verify the server's handshake signature ({why})"
            ));
        }
        verdict
    };
    let full = decide(trust, name_rule(target));
    let mode = mode_text(target);
    let full_fix = || {
        let loaded = trust.roots.error.is_none();
        let file = if trust.system {
            "system".to_string()
        } else {
            path_text(&trust.file)
        };
        let how = settings::verified_setting(target, loaded.then_some(file.as_str()));
        if full.ok {
            format!("{how}: that would succeed")
        } else if !loaded {
            format!(
                "{how}, with the server's root in FILE (`rootcert fetch PROFILE -o FILE`; \
                 {} cannot be loaded: {})",
                file,
                trust.roots.error.as_deref().unwrap_or_default()
            )
        } else {
            format!(
                "{how}, once this is fixed: {}",
                full.problems.first().cloned().unwrap_or_default()
            )
        }
    };
    let (verdict, mut problems, mut fixes, root) = match &target.mode {
        Mode::Full => (
            if full.ok {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            full.problems.clone(),
            full.fixes.clone(),
            full.root.clone(),
        ),
        Mode::ChainOnly => {
            let chain_only = decide(trust, NameRule::None);
            let mut problems = chain_only.problems;
            if chain_only.ok && !full.ok {
                problems.push(format!(
                    "note: {mode} does not check the host name; verify-full would fail: {}",
                    full.problems.join("; ")
                ));
            }
            let verdict = if chain_only.ok {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            (verdict, problems, chain_only.fixes, chain_only.root)
        }
        Mode::LibpqUnlessFile(m) => {
            let libpq_file = match &target.roots {
                Roots::File { path, .. } => Some(path.clone()),
                Roots::ClientDefault => trust::libpq_default_root(),
                _ => None,
            };
            match libpq_file.and_then(|p| trust::file_trust(&p).ok().flatten()) {
                Some(file) => {
                    let chain_only = decide(&file, NameRule::None);
                    let why = format!(
                        "sslmode={m} verifies the chain because {} exists (libpq then acts as \
                         verify-ca)",
                        path_text(&file.file)
                    );
                    if chain_only.ok {
                        (
                            Verdict::Unverified,
                            vec![format!(
                                "{why}; it passes, but the host name is not checked"
                            )],
                            vec![full_fix()],
                            chain_only.root,
                        )
                    } else {
                        let mut problems = vec![format!("{why}, and the connection will fail:")];
                        problems.extend(chain_only.problems);
                        (Verdict::Fail, problems, chain_only.fixes, None)
                    }
                }
                None => (
                    Verdict::Unverified,
                    vec![format!(
                        "sslmode={m} encrypts but does not verify the server (no root certificate \
                         file is there)"
                    )],
                    vec![full_fix()],
                    None,
                ),
            }
        }
        Mode::Unverified(m) => (
            Verdict::Unverified,
            vec![format!(
                "{m}: the connection is not verified (any certificate, or none, is accepted)"
            )],
            vec![full_fix()],
            None,
        ),
    };
    let mut verdict = verdict;
    let expiry_of = |c: &Cert| c.not_after();
    let mut all: Vec<&Cert> = chain.iter().collect();
    all.extend(root.iter().chain(full.root.iter()));
    let earliest = all.iter().min_by_key(|c| expiry_of(c)).copied();
    if let Some(days) = options.min_days {
        let limit = now + Duration::from_secs(u64::from(days) * 86_400);
        let mut seen = std::collections::HashSet::new();
        for cert in all.iter().filter(|c| seen.insert(c.sha256)) {
            if cert.not_after() < limit && cert.not_after() >= now {
                problems.push(format!(
                    "{} expires on {}, within {days} days (--min-days)",
                    cert.subject(),
                    cert.not_after_rfc3339()
                ));
                fixes.push(
                    "renew or rotate it before then (the server's operator, or a new root from \
                     `rootcert fetch`)"
                        .into(),
                );
                if verdict == Verdict::Pass {
                    verdict = Verdict::Fail;
                }
            }
        }
    }
    let ok = verdict == Verdict::Pass;
    let trust_name = if trust.system {
        "system".to_string()
    } else {
        path_text(&trust.file)
    };
    let connect = (full.ok && target.protocol == Protocol::Postgres).then(|| {
        let host_part = if endpoint.name != endpoint.addr {
            format!(
                "host={} hostaddr={} port={}",
                endpoint.name, endpoint.addr, endpoint.port
            )
        } else {
            format!("host={} port={}", endpoint.name, endpoint.port)
        };
        ConnectLines::new(&trust_name, &host_part)
    });
    let settings = if full.ok {
        settings::working(target, endpoint, &trust_name, &options.clients)
    } else {
        Vec::new()
    };
    let fetch_first = trust.fetch_first.clone().filter(|_| full.ok);
    let suggestion = if ok {
        let mut lines: Vec<String> = fetch_first.iter().cloned().collect();
        lines.extend(settings.iter().map(|s| s.text.clone()));
        if let Some(c) = &connect {
            lines.push(c.env.clone());
        }
        Some(lines.join("\n"))
    } else {
        (!fixes.is_empty()).then(|| fixes.join("\n"))
    };
    CheckReport {
        target: target.shown.clone(),
        protocol: target.protocol.as_str(),
        client: target.client,
        mode,
        verdict,
        ok,
        host: endpoint.addr.clone(),
        port: endpoint.port,
        server_name: endpoint.name.clone(),
        tls_version: session.tls_version.clone(),
        trusting: trust.described.clone(),
        chain: chain.iter().map(CertReport::new).collect(),
        root: root.as_ref().map(CertReport::new),
        earliest_expiry: earliest.map(|c| c.not_after_rfc3339()),
        problems,
        fixes,
        fetch_first,
        connect,
        settings,
        suggestion,
    }
}

/// The client refuses the settings before it connects.
fn refused_report(target: &Target, endpoint: &Endpoint, trust: &Trust, why: &str) -> CheckReport {
    let fix = format!(
        "change the string: {}",
        settings::verified_setting(target, None)
    );
    CheckReport {
        target: target.shown.clone(),
        protocol: target.protocol.as_str(),
        client: target.client,
        mode: mode_text(target),
        verdict: Verdict::Fail,
        ok: false,
        host: endpoint.addr.clone(),
        port: endpoint.port,
        server_name: endpoint.name.clone(),
        tls_version: String::new(),
        trusting: trust.described.clone(),
        chain: Vec::new(),
        root: None,
        earliest_expiry: None,
        problems: vec![why.to_string()],
        fixes: vec![fix.clone()],
        fetch_first: None,
        connect: None,
        settings: Vec::new(),
        suggestion: Some(fix),
    }
}
