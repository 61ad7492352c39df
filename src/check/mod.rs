//! `rootcert check`: would the client's verified TLS connection succeed against these
//! servers, and if not, why. Talks to each server the way its client does ([`protocol`]),
//! records the chain it sends, and judges it by that client's rules
//! ([`crate::libpq::judge`]) under the TLS settings the target carries ([`connstr`],
//! [`verdict`]), trusting the roots [`trust`] loads; [`report`] is what comes back, and
//! [`settings`] the lines that work. This file runs the targets, `--jobs` at a time.
//!
//! The handshake accepts any chain, so the report can always show what the server sent;
//! the handshake signature is still checked, and a failed check is part of the verdict.
//! No data is sent over the session.

pub(crate) mod connstr;
mod fleet;
pub(crate) mod protocol;
mod reading;
mod report;
mod schedule;
mod settings;
mod targets_file;
mod trust;
mod verdict;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::cert::Certificate;
use crate::driver::Driver;
use crate::error::Error;
use crate::hint::{Hint, Setting};
use crate::libpq;
use crate::quote::path_text;
pub use connstr::Protocol;
use connstr::{Endpoint, Target};
pub use fleet::{Differing, FleetSummary, RootServed, fleet_summary};
use reading::Context;
pub use report::{CertReport, CheckOutcome, CheckReport, ClientVerdict, Verdict};
pub use settings::ClientSetting;
pub use targets_file::{TargetText, read_targets_file};
use trust::{SharedRoots, trust_for};

/// Checks at once by default: enough for a thousand servers that each hold a check until
/// the timeout without anyone waiting behind them (a thread of about 40 KiB each).
pub const DEFAULT_JOBS: usize = 1024;

/// Checks at once against one server by default: each is a forked PostgreSQL backend, or
/// a MySQL connection that counts toward `max_connect_errors` if it times out.
pub const DEFAULT_PER_SERVER: usize = 4;

/// What `rootcert check` is asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The targets as written: `HOST[:PORT]`, `postgresql://…`, `host=… sslmode=…`,
    /// `jdbc:postgresql://…`, `mysql://…`, `mariadb://…`, `tls://HOST:PORT`.
    pub targets: Vec<TargetText>,
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
    /// How many servers to check at once, in all.
    pub jobs: usize,
    /// How many checks at once against one server (one host and port).
    pub per_server: usize,
    /// Fail a target whose chain has a certificate expiring within this many days.
    pub min_days: Option<u32>,
    /// Judge as these drivers (default: the target's own: psql for PostgreSQL, pgjdbc for
    /// JDBC URLs, the mariadb client for MySQL, openssl for `tls://`).
    pub clients: Vec<Driver>,
    /// Judge as every driver of each target's protocol.
    pub all_clients: bool,
    /// Connect from this local address.
    pub bind: Option<IpAddr>,
    /// Hears what the run changed on its own (fewer jobs for the open-file limit).
    pub notes: Option<crate::Listener>,
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
            jobs: DEFAULT_JOBS,
            per_server: DEFAULT_PER_SERVER,
            min_days: None,
            clients: Vec::new(),
            all_clients: false,
            bind: None,
            notes: None,
        }
    }
}

/// The keyword/value settings of a libpq connection string, as libpq parses it.
pub(crate) fn connection_settings(
    raw: &str,
) -> Result<std::collections::HashMap<String, String>, String> {
    connstr::settings_of(raw)
}

/// Whether a connection-string keyword holds a secret.
pub(crate) fn is_secret(keyword: &str) -> bool {
    connstr::redact::is_secret(keyword)
}

/// A target as `check` shows it when it parses, or the error it gives when it does not.
pub(crate) fn parse_for_fuzzing(raw: &str) -> Result<String, String> {
    connstr::parse(raw, &connstr::Defaults::default())
        .map(|t| t.shown.to_string())
        .map_err(|e| e.to_string())
}

/// Checks every server the targets name, `jobs` at a time, and returns one outcome per
/// server in the order given. Only a target that does not parse, or roots that cannot be
/// read, end the run early (a usage error).
pub fn check(options: &CheckOptions) -> Result<Vec<CheckOutcome>, Error> {
    let handshake = |target: &Target, endpoint: &Endpoint| {
        let preamble = protocol::for_target(target.protocol, target.direct, &target.alpn);
        protocol::handshake(
            &endpoint.addr,
            endpoint.port,
            &endpoint.name,
            preamble.as_ref(),
            options.timeout,
            options.bind,
        )
    };
    check_with(options, &handshake)
}

/// How a check reaches a server's chain: the real handshake, or (for the property tests
/// and fuzzing) a chain given in advance.
type Handshake<'a> = dyn Fn(&Target, &Endpoint) -> Result<protocol::Session, Error> + Sync + 'a;

/// `check` as if every server had sent `chain` (DER, server certificate first): no
/// network. For tests of everything a report carries.
pub(crate) fn check_offline(
    options: &CheckOptions,
    chain: &[Vec<u8>],
) -> Result<Vec<CheckOutcome>, Error> {
    let session = |_: &Target, _: &Endpoint| {
        Ok(protocol::Session {
            chain: chain.iter().map(|der| der.clone().into()).collect(),
            tls_version: "TLS 1.3".into(),
            unverified_signature: None,
        })
    };
    check_with(options, &session)
}

fn check_with(
    options: &CheckOptions,
    handshake: &Handshake<'_>,
) -> Result<Vec<CheckOutcome>, Error> {
    let defaults = connstr::Defaults {
        protocol: options.protocol,
        direct: options.direct,
        alpn: options.alpn.clone(),
        sni: options.sni.clone(),
    };
    let count = options.targets.len() + usize::from(options.env);
    if count == 0 {
        return Err(Error::Usage("no target".into()).with_hint(Hint::GiveTarget));
    }
    // A target that does not parse, or that a driver asked for cannot read, is an error of
    // its own, named by where it was given; the others are still checked.
    let context = Context::of_process(options.ca.is_some() || !options.profiles.is_empty());
    let read = |target: Result<Target, Error>| {
        target.and_then(|target| {
            let readings = drivers_for(&target, options)
                .into_iter()
                .map(|driver| reading::read(driver, &target, &context).map(|tls| (driver, tls)))
                .collect::<Result<Vec<_>, Error>>()?;
            Ok((target, readings))
        })
    };
    let mut targets: Vec<Result<Judging, Error>> = options
        .targets
        .iter()
        .enumerate()
        .map(|(i, given)| {
            read(connstr::parse(&given.text, &defaults)).map_err(|e| match &given.origin {
                Some(origin) => e.map_message(|m| format!("{origin}: {m}")),
                None if count > 1 => e.map_message(|m| format!("target {}: {m}", i + 1)),
                None => e,
            })
        })
        .collect();
    if options.env {
        targets.push(
            read(connstr::from_env(&|name| std::env::var(name).ok())).map_err(|e| {
                Error::InSetting {
                    setting: Setting::Env,
                    error: Box::new(e),
                }
            }),
        );
    }
    let mut parsed: Vec<(usize, Judging)> = Vec::new();
    let mut failed: Vec<(usize, Error)> = Vec::new();
    for (i, result) in targets.into_iter().enumerate() {
        match result {
            Ok(judging) => parsed.push((i, judging)),
            Err(e) => failed.push((i, e)),
        }
    }
    let user_roots = options.ca.is_some() || !options.profiles.is_empty();
    let needs_given = user_roots
        || parsed
            .iter()
            .any(|(_, (t, _))| matches!(t.source, connstr::Source::Bare | connstr::Source::Tls));
    let given = needs_given
        .then(|| trust::load_trust(options))
        .transpose()?;
    let work: Vec<(usize, usize, &Judging, &Endpoint)> = parsed
        .iter()
        .flat_map(|(i, judging)| {
            judging
                .0
                .endpoints
                .iter()
                .enumerate()
                .map(move |(j, e)| (*i, j, judging, e))
        })
        .collect();
    let shared = SharedRoots {
        given: given.as_ref(),
        system: std::sync::OnceLock::new(),
        psycopg_wheel: std::sync::OnceLock::new(),
        node: std::sync::OnceLock::new(),
    };
    let limits = schedule::Limits {
        jobs: options.jobs,
        per_server: options.per_server,
    };
    let server = |&(_, _, _, endpoint): &(usize, usize, &Judging, &Endpoint)| {
        (endpoint.addr.to_ascii_lowercase(), endpoint.port)
    };
    let useful = schedule::useful_workers(work.iter().map(server), limits);
    let (workers, lowered) = jobs_within_file_limit(useful);
    if let Some(why) = lowered {
        crate::listener::tell(options.notes.as_ref(), &why);
    }
    let ran = schedule::run(
        &work,
        server,
        workers,
        limits.per_server,
        |&(target_index, host_index, (target, readings), endpoint)| {
            let started = std::time::Instant::now();
            let result = check_endpoint(target, readings, endpoint, &shared, options, handshake);
            CheckOutcome {
                target: target.shown.clone(),
                given_by: None,
                target_index,
                host_index,
                protocol: Some(target.protocol),
                client: readings.first().map(|(driver, _)| driver.name()),
                host: endpoint.addr.clone(),
                port: endpoint.port,
                elapsed: started.elapsed(),
                result,
            }
        },
    );
    if let Some((started, asked)) = ran.fewer_threads {
        crate::listener::tell(
            options.notes.as_ref(),
            &format!(
                "checking {started} targets at once, not {asked}: the system refused more threads \
             (ulimit -u, or the service's task limit)"
            ),
        );
    }
    let mut outcomes = ran.results;
    for (target_index, error) in failed {
        // The environment's target was given by a setting, not as text: the binary names it.
        let given_by = options
            .targets
            .get(target_index)
            .is_none()
            .then_some(Setting::Env);
        let place = options.targets.get(target_index).map_or_else(
            || Setting::Env.words().to_string(),
            |given| {
                given
                    .origin
                    .clone()
                    .unwrap_or_else(|| format!("target {}", target_index + 1))
            },
        );
        outcomes.push(CheckOutcome {
            target: place.into(),
            given_by,
            target_index,
            host_index: 0,
            protocol: None,
            client: None,
            host: String::new(),
            port: 0,
            elapsed: Duration::ZERO,
            result: Err(error),
        });
    }
    outcomes.sort_by_key(|o| (o.target_index, o.host_index));
    Ok(outcomes)
}

/// Descriptors kept free for everything but the sockets: standard streams, trust files,
/// the system store, the resolver.
const SPARE_FILES: u64 = 32;

/// How many checks can run at once under the open-file limit (each holds one socket),
/// raising the soft limit toward the hard one when that is what it takes; and, when even
/// that is not enough, why fewer run.
fn jobs_within_file_limit(jobs: usize) -> (usize, Option<String>) {
    let needed = jobs as u64 + SPARE_FILES;
    let soft = crate::platform::open_file_limit(needed);
    if soft >= needed {
        return (jobs, None);
    }
    let fit = usize::try_from(soft.saturating_sub(SPARE_FILES).max(1)).unwrap_or(1);
    (
        fit,
        Some(format!(
            "checking {fit} targets at once, not {jobs}: the open-file limit is {soft} \
             (ulimit -n; raise it for more)"
        )),
    )
}

/// A target and each driver's reading of it.
type Judging = (Target, Vec<(Driver, reading::Tls)>);

fn check_endpoint(
    target: &Target,
    readings: &[(Driver, reading::Tls)],
    endpoint: &Endpoint,
    shared: &SharedRoots<'_>,
    options: &CheckOptions,
    handshake: &Handshake<'_>,
) -> Result<CheckReport, Error> {
    let mut read = Vec::new();
    for (driver, tls) in readings {
        let trust = match tls.refused {
            Some(_) => trust::unused(),
            None => trust_for(&tls.roots, shared)?,
        };
        read.push((*driver, tls.clone(), trust));
    }
    // Every driver refuses the settings: nothing to connect for.
    if read.iter().all(|(_, tls, _)| tls.refused.is_some()) {
        let judged = read
            .into_iter()
            .map(|(driver, tls, trust)| {
                let why = tls.refused.clone().unwrap_or_default();
                verdict::refused(driver, &tls, trust, &why)
            })
            .collect();
        return Ok(verdict::report(
            &target.shown,
            target.protocol,
            (&endpoint.addr, endpoint.port, &endpoint.name),
            "",
            &[],
            judged,
        ));
    }
    let session = match handshake(target, endpoint) {
        Ok(session) => session,
        // A trust file the client cannot load fails whatever the server does: say that first.
        Err(e) => {
            let (driver, tls, trust) = &read[0];
            let loaded = trust.loaded(driver.stack());
            return Err(match &loaded.error {
                Some(load_error) if !matches!(tls.mode, reading::Mode::Unverified(_)) => {
                    let file = path_text(&trust.file);
                    Error::content(format!(
                        "{} cannot load the trust file {file}: {load_error} (fix: {}); and the \
                         server could not be checked: {e}",
                        driver.in_words(),
                        libpq::trust_file_fix(&file, "rootcert fetch PROFILE", &loaded)
                    ))
                }
                _ => e,
            });
        }
    };
    let chain: Vec<Certificate> = session
        .chain
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Network {
            message: format!("the server sent a certificate that does not parse: {e}"),
            attempts: Vec::new(),
        })?;
    let now = SystemTime::now();
    let judged = read
        .into_iter()
        .map(|(driver, tls, trust)| match &tls.refused {
            Some(why) => verdict::refused(driver, &tls, trust, why),
            None => verdict::judge(
                driver, &tls, target, endpoint, &session, &chain, trust, options, now,
            ),
        })
        .collect();
    Ok(verdict::report(
        &target.shown,
        target.protocol,
        (&endpoint.addr, endpoint.port, &endpoint.name),
        &session.tls_version,
        &chain,
        judged,
    ))
}

/// The drivers a target is judged as: `--client`s, every driver of its protocol with
/// `--client all`, else its own default.
fn drivers_for(target: &Target, options: &CheckOptions) -> Vec<Driver> {
    if options.all_clients {
        let mut drivers: Vec<Driver> = Driver::ALL
            .into_iter()
            .filter(|d| d.protocol() == target.protocol)
            .collect();
        // The target's own driver first: the others are compared with it.
        drivers.sort_by_key(|d| *d != target.driver);
        drivers
    } else if options.clients.is_empty() {
        vec![target.driver]
    } else {
        options.clients.clone()
    }
}
