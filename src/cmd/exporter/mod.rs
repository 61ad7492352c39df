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

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{Notify, Semaphore};

use rootcert::Error;

use super::metrics::{self, CONTENT_TYPE as METRICS_TYPE, Exposition, Kind};
pub use config::Config;

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
                format!("module {}: {}\n", module.name, flat(&e.to_string())),
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
            Err(e) => text.push_str(&format!("# error: {}\n", flat(&e.to_string()))),
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

/// The exporter's own metrics.
fn own_metrics(state: &State) -> Exposition {
    let mut m = Exposition::default();
    for (module, counts) in &state.answered {
        for (verdict, count) in VERDICTS.iter().zip(counts) {
            m.sample(
                "rootcert_exporter_probes_total",
                "Probes answered, by module and verdict.",
                Kind::Counter,
                &[("module", module), ("verdict", verdict)],
                count.load(Ordering::Relaxed) as f64,
            );
        }
    }
    for (reason, count) in [("bad_request", &state.bad_requests), ("busy", &state.busy)] {
        m.sample(
            "rootcert_exporter_probes_rejected_total",
            "Probe requests refused: bad_request (400) or busy (503, no slot before the deadline).",
            Kind::Counter,
            &[("reason", reason)],
            count.load(Ordering::Relaxed) as f64,
        );
    }
    m.gauge(
        "rootcert_exporter_probes_in_flight",
        "Probes running now.",
        &[],
        state.jobs.saturating_sub(state.probes.available_permits()) as f64,
    );
    m.gauge(
        "rootcert_exporter_build_info",
        "The exporter's version.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    process_metrics(&mut m, state.started);
    m
}

/// The process collector's usual families (as every Prometheus client library names
/// them), read from /proc.
fn process_metrics(m: &mut Exposition, started: std::time::SystemTime) {
    if let Ok(since) = started.duration_since(std::time::UNIX_EPOCH) {
        m.gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            &[],
            since.as_secs() as f64,
        );
    }
    #[cfg(target_os = "linux")]
    {
        if let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        {
            m.gauge(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                &[],
                kib * 1024.0,
            );
        }
        if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
            m.gauge(
                "process_open_fds",
                "Number of open file descriptors.",
                &[],
                fds.count() as f64,
            );
        }
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        if let Some(max) = limit.current {
            m.gauge(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                &[],
                max as f64,
            );
        }
        // utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks.
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat")
            && let Some(after_name) = stat.rsplit_once(')').map(|(_, rest)| rest)
        {
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
            // SAFETY: sysconf only reads a constant.
            let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
            if let (Some(user), Some(system)) = (ticks(11), ticks(12))
                && per_second > 0.0
            {
                m.sample(
                    "process_cpu_seconds_total",
                    "Total user and system CPU time spent in seconds.",
                    Kind::Counter,
                    &[],
                    (user + system) / per_second,
                );
            }
        }
    }
}

/// Probes at once per server, waited for until a deadline. An entry lives only while a
/// probe of its server runs, so the map stays as small as the probes in flight, whatever
/// targets come.
struct ServerSlots {
    limit: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Notify,
}

impl ServerSlots {
    fn new(limit: usize) -> ServerSlots {
        ServerSlots {
            limit,
            busy: Mutex::new(HashMap::new()),
            freed: Notify::new(),
        }
    }
}

/// One probe's place at its server, given back when dropped.
struct Slot {
    state: Arc<State>,
    server: String,
}

impl Slot {
    async fn acquire(state: &Arc<State>, server: String, deadline: Instant) -> Option<Slot> {
        let slots = &state.servers;
        loop {
            // Registered before looking, so a slot freed in between is not missed.
            let freed = slots.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut busy = slots.busy.lock().expect("not poisoned");
                let running = busy.entry(server.clone()).or_default();
                if *running < slots.limit {
                    *running += 1;
                    return Some(Slot {
                        state: state.clone(),
                        server,
                    });
                }
            }
            tokio::time::timeout_at(deadline.into(), freed).await.ok()?;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let slots = &self.state.servers;
        let mut busy = slots.busy.lock().expect("not poisoned");
        if let Some(running) = busy.get_mut(&self.server) {
            *running -= 1;
            if *running == 0 {
                busy.remove(&self.server);
            }
        }
        drop(busy);
        slots.freed.notify_waiters();
    }
}
