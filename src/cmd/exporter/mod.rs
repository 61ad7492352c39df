//! `rootcert exporter`: Prometheus's multi-target exporter pattern, as blackbox_exporter
//! serves it, so the same service discovery and relabelling work unchanged.
//!
//! - `GET /probe?target=HOST[:PORT]&module=NAME` checks one server under the module's
//!   settings and answers with its metrics ([`super::metrics::check`]); a probe names
//!   nothing else (see [`config`]).
//! - `GET /metrics`: the exporter's own health: probes by module and verdict, rejected
//!   probes, probes in flight, and the process's memory, files and CPU.
//!
//! A probe's deadline is the module's timeout, shortened to fit the scraper's
//! `X-Prometheus-Scrape-Timeout-Seconds` (less half a second for the answer to travel);
//! waiting for a free slot counts against it. At most `jobs` probes run at once, and at
//! most `per_server` against one server; past the deadline a waiting probe gets 503.
//! Probes run on blocking threads (a check is blocking I/O); the HTTP side is hyper on one
//! thread. Nothing a request sends is logged.

mod config;
mod own_metrics;
mod slots;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::Semaphore;

use rootcert::Error;

use super::metrics::{self, CONTENT_TYPE as METRICS_TYPE};
pub use config::Config;
use own_metrics::own_metrics;
use slots::{ServerSlots, Slot};

/// Taken off the scraper's timeout, for the answer to reach it in time (as
/// blackbox_exporter's default `--timeout-offset`).
const TIMEOUT_OFFSET: Duration = Duration::from_millis(500);

/// Connections served at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 512;

/// A client that has not sent a whole request head by then is dropped.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How the exporter runs.
pub struct Settings {
    pub listen: SocketAddr,
    pub config: PathBuf,
    pub jobs: usize,
    pub per_server: usize,
    /// Hears the one line said at start.
    pub notes: fn(&str),
}

const VERDICTS: [&str; 4] = ["pass", "fail", "unverified", "error"];

/// What the exporter shares between requests.
struct State {
    config: Config,
    probes: Arc<Semaphore>,
    servers: ServerSlots,
    /// Probes answered, per module and verdict (in `VERDICTS` order).
    answered: HashMap<String, [AtomicU64; 4]>,
    bad_requests: AtomicU64,
    busy: AtomicU64,
    jobs: usize,
    started: std::time::SystemTime,
}

/// Serves until the process is stopped. Errors: the configuration, or the address.
pub fn serve(settings: Settings) -> Result<(), Error> {
    let config = Config::load(&settings.config)?;
    let answered = config
        .modules
        .keys()
        .map(|name| (name.clone(), Default::default()))
        .collect();
    let names: Vec<&str> = config.modules.keys().map(String::as_str).collect();
    let modules = names.join(", ");
    let state = Arc::new(State {
        probes: Arc::new(Semaphore::new(settings.jobs.max(1))),
        servers: ServerSlots::new(settings.per_server.max(1)),
        answered,
        config,
        bad_requests: AtomicU64::new(0),
        busy: AtomicU64::new(0),
        jobs: settings.jobs.max(1),
        started: std::time::SystemTime::now(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(settings.jobs.max(1))
        .thread_stack_size(512 * 1024)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the exporter: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", settings.listen)))?;
        let at = listener.local_addr().unwrap_or(settings.listen);
        (settings.notes)(&format!(
            "exporter listening on http://{at}/ (modules: {modules})"
        ));
        let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            let permit = connections
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of descriptors, or a connection reset before it was taken: the
                // listener itself is fine; try again shortly.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let state = state.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(answer(&state, request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
                drop(permit);
            });
        }
    })
}

async fn answer(state: &Arc<State>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "only GET\n".into());
    }
    match request.uri().path() {
        "/probe" => probe(state, &request).await,
        "/metrics" => {
            let mut response = Response::new(Full::new(Bytes::from(own_metrics(state).text())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_TYPE));
            response
        }
        "/" => plain(
            StatusCode::OK,
            "rootcert exporter\n/probe?target=HOST[:PORT]&module=NAME  one server's metrics\n\
             /metrics                               the exporter's own\n"
                .into(),
        ),
        _ => plain(
            StatusCode::NOT_FOUND,
            "not found: try /probe or /metrics\n".into(),
        ),
    }
}

fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A 400 that says what was wrong, in words of ours (never the request's text).
fn bad_request(state: &State, why: &str) -> Response<Full<Bytes>> {
    state.bad_requests.fetch_add(1, Ordering::Relaxed);
    plain(StatusCode::BAD_REQUEST, format!("{why}\n"))
}

async fn probe(state: &Arc<State>, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let arrived = Instant::now();
    let mut target = None;
    let mut module = None;
    for (key, value) in form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()) {
        let slot = match &*key {
            "target" => &mut target,
            "module" => &mut module,
            _ => {
                return bad_request(
                    state,
                    "a probe takes only target and module: the module sets everything else",
                );
            }
        };
        if slot.replace(value).is_some() {
            return bad_request(state, "target and module may each be given once");
        }
    }
    let Some(target) = target else {
        return bad_request(state, "no target: /probe?target=HOST[:PORT]&module=NAME");
    };
    let Some(module) = module.and_then(|name| state.config.modules.get(&*name)) else {
        let names: Vec<&str> = state.config.modules.keys().map(String::as_str).collect();
        return bad_request(
            state,
            &format!("module missing or unknown: one of {}", names.join(", ")),
        );
    };
    let Some(target) = probe_target(&target, module) else {
        return bad_request(
            state,
            "a probe target is HOST[:PORT] (tls modules: also tls://HOST:PORT): no user, \
             path, query or setting; the module sets those",
        );
    };
    let scrape = request
        .headers()
        .get("x-prometheus-scrape-timeout-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(|s| {
            let whole = Duration::from_secs_f64(s);
            // Leave time for the answer, but never less than half the scrape's.
            whole.saturating_sub(TIMEOUT_OFFSET).max(whole / 2)
        });
    let deadline = arrived + module.timeout_within(scrape);
    let busy = || {
        state.busy.fetch_add(1, Ordering::Relaxed);
        plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many probes at once: none finished before this one's deadline\n".into(),
        )
    };
    let Ok(Ok(permit)) =
        tokio::time::timeout_at(deadline.into(), state.probes.clone().acquire_owned()).await
    else {
        return busy();
    };
    let Some(slot) = Slot::acquire(state, module.server_of(&target), deadline).await else {
        return busy();
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left < Duration::from_millis(10) {
        return busy();
    }
    // To the nearest 10 ms, so that a timeout says "1 s" rather than "0.99998 s".
    let left = Duration::from_millis(((left.as_millis() + 5) / 10 * 10) as u64);
    let options = module.options(&target, left);
    // The permit and the slot go with the check, not with this request: a scraper that
    // hangs up does not free them while the check still runs.
    let checked = tokio::task::spawn_blocking(move || {
        let _held = (permit, slot);
        rootcert::check(&options)
    })
    .await;
    let outcomes = match checked {
        Ok(Ok(outcomes)) => outcomes,
        // The module's roots cannot be read now (the file was removed since the start).
        Ok(Err(e)) => {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "module {}: {}\n",
                    module.name,
                    flat(&crate::cmd::flags::error_text(&e))
                ),
            );
        }
        Err(_) => {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the probe failed\n".into(),
            );
        }
    };
    if outcomes.iter().any(|o| o.protocol.is_none()) {
        return bad_request(state, "the target does not parse as HOST[:PORT]");
    }
    if let Some(counts) = state.answered.get(&module.name) {
        for outcome in &outcomes {
            let verdict = outcome
                .result
                .as_ref()
                .map_or("error", |r| r.verdict.as_str());
            let at = VERDICTS.iter().position(|v| *v == verdict).unwrap_or(3);
            counts[at].fetch_add(1, Ordering::Relaxed);
        }
    }
    let mut text = metrics::check(&outcomes, metrics::Labels::Probe).text();
    // For a person reading the probe with curl: why, as comments the scraper skips.
    for outcome in &outcomes {
        match &outcome.result {
            Ok(report) if report.ok => {}
            Ok(report) => {
                for problem in &report.problems {
                    text.push_str(&format!(
                        "# {}: {}\n",
                        report.verdict.as_str(),
                        flat(problem)
                    ));
                }
            }
            Err(e) => text.push_str(&format!(
                "# error: {}\n",
                flat(&crate::cmd::flags::error_text(e))
            )),
        }
    }
    let mut response = Response::new(Full::new(Bytes::from(text)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_TYPE));
    response
}

/// One line of text, terminal-safe.
fn flat(text: &str) -> String {
    super::output::terminal_safe(text).replace('\n', " ")
}

/// The target to check, if the probe's text is a bare `HOST[:PORT]` (or for a tls module
/// `tls://HOST:PORT`): nothing a connection string could carry (a user, a password, a
/// trust file, a setting) can come in through a probe.
fn probe_target(text: &str, module: &config::Module) -> Option<String> {
    let host_port = match text.get(..6) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tls://") => {
            (module.protocol == rootcert::Protocol::Tls).then(|| &text[6..])?
        }
        _ => text,
    };
    let plain = !host_port.is_empty()
        && host_port.len() <= 260
        && host_port
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-:[]%".contains(c));
    plain.then(|| host_port.to_string())
}
