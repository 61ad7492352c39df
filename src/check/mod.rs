//! `rootcert check`: would the client's verified TLS connection succeed against these
//! servers, and if not, why. Talks to each server the way its client does ([`protocol`]),
//! records the chain it sends, and judges it by that client's rules
//! ([`crate::libpq::judge`]) under the TLS settings the target carries ([`target`],
//! [`verdict`]), trusting the roots [`trust`] loads; [`report`] is what comes back, and
//! [`settings`] the lines that work. This file runs the targets, `--jobs` at a time.
//!
//! The handshake accepts any chain, so the report can always show what the server sent;
//! the handshake signature is still checked, and a failed check is part of the verdict.
//! No data is sent over the session.

pub(crate) mod protocol;
mod report;
mod settings;
mod target;
mod trust;
mod verdict;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use crate::cert::Cert;
use crate::error::Error;
use crate::libpq;
use crate::text::path_text;
pub use report::{CertReport, CheckOutcome, CheckReport, Verdict};
pub use settings::{Client, ClientSetting};
pub use target::Protocol;
use target::{Endpoint, Mode, Roots, Target};
use trust::{SharedRoots, trust_for};
use verdict::{judge, refused_report};

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
