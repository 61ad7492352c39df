//! HTTP(S) downloads with the limits a trust-file fetcher needs: a body cap, a whole-request
//! deadline, bounded redirects that never downgrade to http, and retries with backoff.
//!
//! Built only when a run actually downloads: the TLS configuration, root store and async
//! runtime cost milliseconds that the in-place re-run must not pay.

use std::error::Error as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;

use crate::error::Error;

/// Larger than any root certificate bundle by far; an endless body stops here.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;
pub(crate) const MAX_REDIRECTS: usize = 5;
/// Longest wait we honour from a server's `Retry-After`.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const BACKOFF_BASE: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
/// Limits and trust for downloads.
pub struct NetOptions {
    /// Deadline for one URL as a whole: every try (connect, headers and body) and every wait
    /// between tries.
    pub timeout: Duration,
    /// Retries per URL for transient failures.
    pub retries: u32,
    /// Trust only this CA for TLS instead of the OS roots.
    pub ca_file: Option<PathBuf>,
}

impl Default for NetOptions {
    /// 30 s per download, 3 retries, the OS roots.
    fn default() -> Self {
        NetOptions {
            timeout: Duration::from_secs(30),
            retries: 3,
            ca_file: None,
        }
    }
}

pub(crate) struct Downloader {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    options: NetOptions,
    no_os_roots: bool,
    proxies: Vec<EnvProxy>,
}

/// A proxy set in the environment, for naming it when it fails.
#[derive(Debug, Clone)]
struct EnvProxy {
    variable: &'static str,
    /// The URL with any password masked.
    shown: String,
    /// The URL schemes it serves: `https`, `http`, or both for ALL_PROXY.
    schemes: &'static [&'static str],
}

const PROXY_VARIABLES: [(&str, &[&str]); 6] = [
    ("HTTPS_PROXY", &["https"]),
    ("https_proxy", &["https"]),
    ("HTTP_PROXY", &["http"]),
    ("http_proxy", &["http"]),
    ("ALL_PROXY", &["http", "https"]),
    ("all_proxy", &["http", "https"]),
];

/// The proxy variables, checked: reqwest ignores one it cannot parse and goes direct,
/// which hides a typo; rootcert refuses it instead.
fn env_proxies() -> Result<Vec<EnvProxy>, Error> {
    let mut proxies = Vec::new();
    for (variable, schemes) in PROXY_VARIABLES {
        let Some(value) = std::env::var_os(variable).filter(|v| !v.is_empty()) else {
            continue;
        };
        let bad = |why: String| {
            Error::Usage(format!(
                "{variable} is not a proxy URL ({why}); fix it (e.g. http://proxy.example:3128) or unset it"
            ))
        };
        let value = value
            .into_string()
            .map_err(|_| bad("it is not UTF-8".into()))?;
        let with_scheme = if value.contains("://") {
            value.clone()
        } else {
            format!("http://{value}")
        };
        let mut url = reqwest::Url::parse(&with_scheme).map_err(|e| bad(e.to_string()))?;
        if !matches!(
            url.scheme(),
            "http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"
        ) {
            return Err(bad(format!("the scheme {} is not a proxy's", url.scheme())));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it names no host".into()));
        }
        if url.password().is_some() {
            let _ = url.set_password(Some("****"));
        }
        proxies.push(EnvProxy {
            variable,
            shown: url.to_string(),
            schemes,
        });
    }
    Ok(proxies)
}

/// Whether `NO_PROXY`/`no_proxy` exempts `host` (curl's rules: `*`, or a name equal to the
/// host or a domain suffix of it, with or without a leading dot).
fn no_proxy_exempts(host: &str) -> bool {
    let list = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    list.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        entry == "*"
            || (!entry.is_empty()
                && (host.eq_ignore_ascii_case(entry)
                    || host
                        .to_ascii_lowercase()
                        .ends_with(&format!(".{}", entry.to_ascii_lowercase()))))
    })
}

/// Why one try failed, and whether another try could help.
struct Failure {
    message: String,
    retryable: bool,
    retry_after: Option<Duration>,
    /// TLS rejected the server's certificate as issued by no trusted CA.
    unknown_issuer: bool,
}

impl Failure {
    fn new(message: impl Into<String>, retryable: bool) -> Self {
        Failure {
            message: message.into(),
            retryable,
            retry_after: None,
            unknown_issuer: false,
        }
    }

    fn fatal(message: impl Into<String>) -> Self {
        Failure::new(message, false)
    }
}

impl Downloader {
    pub(crate) fn new(options: &NetOptions) -> Result<Self, Error> {
        let proxies = env_proxies()?;
        let (roots, no_os_roots) = match &options.ca_file {
            Some(path) => (roots_from_ca_file(path)?, false),
            None => {
                let mut roots = rustls::RootCertStore::empty();
                roots.add_parsable_certificates(crate::system_store::native_roots().0);
                let empty = roots.is_empty();
                (roots, empty)
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!(
                    "more than {MAX_REDIRECTS} redirects (a redirect loop?)"
                ));
            }
            let from_https = attempt
                .previous()
                .last()
                .is_some_and(|u| u.scheme() == "https");
            if from_https && attempt.url().scheme() == "http" {
                let to = crate::quote::url_text(attempt.url().as_str());
                return attempt.error(format!(
                    "refused a redirect from https to plain http ({to})"
                ));
            }
            attempt.follow()
        });
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(concat!("rootcert/", env!("CARGO_PKG_VERSION")))
            .redirect(redirects)
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client setup: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Downloader {
            runtime,
            client,
            options: options.clone(),
            no_os_roots,
            proxies,
        })
    }

    /// Downloads `url`, retrying only what is transient, as curl's `--retry` does: timeouts,
    /// HTTP 408, 429, 500, 502, 503 and 504, and a body cut short. A failed name lookup, a
    /// refused connection, TLS and protocol errors fail at once: another try would not pass.
    /// `on_retry` hears, before each wait, what failed and when the next try starts.
    pub(crate) fn get(&self, url: &str, on_retry: &mut dyn FnMut(&str)) -> Result<Vec<u8>, String> {
        let retries = self.options.retries;
        // One deadline for the URL: every try and every wait between tries.
        let deadline = std::time::Instant::now() + self.options.timeout;
        for attempt in 0..=retries {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let failure = match self.runtime.block_on(self.get_once(url, left)) {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            if !failure.retryable || attempt == retries {
                return Err(self.explain(url, failure));
            }
            let delay = retry_delay(failure.retry_after, attempt);
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if delay >= left {
                let asked = match failure.retry_after {
                    Some(wait) => format!(
                        "the server asked to wait {} s (Retry-After)",
                        wait.as_secs()
                    ),
                    None => format!("the next retry would start in {:.1} s", delay.as_secs_f64()),
                };
                let message = format!(
                    "{}; {asked}, past the --timeout of {} s: not retried",
                    failure.message,
                    self.options.timeout.as_secs_f64()
                );
                return Err(self.explain(url, Failure { message, ..failure }));
            }
            on_retry(&format!(
                "{}: {}; retrying in {:.1} s (retry {} of {retries})",
                crate::quote::url_text(url),
                failure.message,
                delay.as_secs_f64(),
                attempt + 1
            ));
            std::thread::sleep(delay);
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// One try, under one deadline for everything: connect, headers and body.
    async fn get_once(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, Failure> {
        match tokio::time::timeout(timeout, self.request(url)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::new(
                format!(
                    "timed out (--timeout {} s for the URL, retries included)",
                    self.options.timeout.as_secs_f64()
                ),
                true,
            )),
        }
    }

    async fn request(&self, url: &str) -> Result<Vec<u8>, Failure> {
        let mut response = self.client.get(url).send().await.map_err(from_reqwest)?;
        let status = response.status();
        if !status.is_success() {
            let retryable = matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504);
            return Err(Failure {
                retry_after: retryable.then(|| retry_after(&response)).flatten(),
                ..Failure::new(format!("HTTP {status}"), retryable)
            });
        }
        if let Some(length) = response.content_length()
            && length > MAX_BODY_BYTES as u64
        {
            return Err(Failure::fatal(too_large(Some(length))));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(from_reqwest)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Failure::fatal(too_large(None)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The proxy a request to `url` goes through, if the environment names one.
    fn proxy_for(&self, url: &str) -> Option<&EnvProxy> {
        let url = reqwest::Url::parse(url).ok()?;
        if no_proxy_exempts(url.host_str()?) {
            return None;
        }
        self.proxies
            .iter()
            .find(|p| p.schemes.contains(&url.scheme()))
    }

    /// The final failure's message, with the likely fix for an untrusted server certificate,
    /// and the proxy named when it is the proxy that could not be reached.
    fn explain(&self, url: &str, failure: Failure) -> String {
        let mut message = failure.message;
        if let Some(proxy) = self.proxy_for(url)
            && let Some(reason) = message.strip_prefix("could not connect: ")
        {
            message = format!(
                "could not connect through the proxy {} (from {}): {reason}",
                proxy.shown, proxy.variable
            );
        }
        match (failure.unknown_issuer, self.no_os_roots) {
            (true, true) => format!(
                "{message} (this system has no CA store: install ca-certificates, or pass --ca-file)"
            ),
            (true, false) => {
                format!("{message} (behind an intercepting proxy? pass its CA with --ca-file)")
            }
            (false, _) => message,
        }
    }
}

fn too_large(length: Option<u64>) -> String {
    let size = length.map_or("more than that".to_string(), |l| format!("{l} bytes"));
    format!(
        "body too large: {size}; a certificate file is far smaller than the {MAX_BODY_BYTES}-byte limit"
    )
}

/// The server's `Retry-After` when it gave one, else our backoff; never above 30 s.
fn retry_delay(retry_after: Option<Duration>, attempt: u32) -> Duration {
    retry_after
        .unwrap_or_else(|| backoff(attempt))
        .min(MAX_RETRY_AFTER)
}

/// 0.25–0.5 s, 0.5–1 s, 1–2 s, …: exponential with jitter so a fleet does not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE.saturating_mul(1u32 << attempt.min(16));
    base + base.mul_f64(fastrand::f64())
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// A `Retry-After` header's wait: delay-seconds or an HTTP date (a date in the past means
/// no wait). `None` for anything else.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or_default())
}

fn from_reqwest(err: reqwest::Error) -> Failure {
    // reqwest names the URL in its own text; ours is printed masked where it is needed.
    let err = err.without_url();
    let tls_error = rustls_error(&err);
    let root = root_cause(&err);
    let message = if err.is_timeout() {
        "timed out".to_string()
    } else if let Some(tls) = tls_error {
        format!("TLS: {}", describe_tls(tls))
    } else if err.is_connect() {
        format!("could not connect: {root}")
    } else if err.is_redirect() {
        causes(&err)
    } else if err.is_body() || err.is_decode() {
        format!("the body was cut short: {root}")
    } else {
        root
    };
    Failure {
        unknown_issuer: matches!(
            tls_error,
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        ..Failure::new(
            message,
            err.is_timeout() || (tls_error.is_none() && (err.is_body() || err.is_decode())),
        )
    }
}

/// The innermost cause, which names what actually happened ("Connection refused", "failed
/// to lookup address information: …") without hyper's layers of context.
fn root_cause(err: &reqwest::Error) -> String {
    let mut last: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = last.source() {
        last = next;
    }
    let text = last.to_string();
    if text.is_empty() {
        err.to_string()
    } else {
        text
    }
}

/// A TLS failure in words, not rustls's Debug names.
fn describe_tls(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "the server's certificate is issued by a CA this system does not trust (UnknownIssuer)"
                .into()
        }
        rustls::Error::InvalidCertificate(C::Other(other))
            if matches!(
                other.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            ) =>
        {
            "the server presents a self-signed CA certificate as its own (CaUsedAsEndEntity): \
             a self-signed download server, which rootcert does not trust"
                .into()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server's certificate has expired".into()
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => "the server's certificate is not for this host name".into(),
        other => other.to_string(),
    }
}

/// The chain of causes below reqwest's generic "error sending request".
fn causes(err: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

/// The rustls error somewhere in the chain of causes, if TLS failed.
fn rustls_error(err: &reqwest::Error) -> Option<&rustls::Error> {
    let mut source = err.source();
    while let Some(cause) = source {
        // io::Error::source() skips the error it wraps, so unwrap io errors by hand.
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(cause);
        while let Some(e) = inner {
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            inner = e.downcast_ref::<std::io::Error>().and_then(|io| {
                io.get_ref()
                    .map(|r| r as &(dyn std::error::Error + 'static))
            });
        }
        source = cause.source();
    }
    None
}

fn roots_from_ca_file(path: &std::path::Path) -> Result<rustls::RootCertStore, Error> {
    let shown = path.display();
    let bytes = crate::read::read_file(path, crate::read::MAX_FILE_BYTES)
        .map_err(|e| Error::Usage(format!("--ca-file: {e}")))?;
    let certs = crate::parse::parse_local(&bytes)
        .map_err(|e| Error::Usage(format!("--ca-file {shown}: {e}")))?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _ignored) =
        roots.add_parsable_certificates(certs.iter().map(|c| c.der().to_vec().into()));
    if added == 0 {
        return Err(Error::Usage(format!(
            "--ca-file {shown} holds no usable CA certificate"
        )));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_values() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(90))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_30_seconds() {
        assert_eq!(
            retry_delay(Some(Duration::from_secs(2)), 0),
            Duration::from_secs(2)
        );
        assert_eq!(
            retry_delay(Some(Duration::from_secs(3600)), 0),
            MAX_RETRY_AFTER
        );
        assert!(retry_delay(None, 20) <= MAX_RETRY_AFTER);
    }

    #[test]
    fn tls_failures_are_described_in_words() {
        let self_signed = rustls::Error::InvalidCertificate(rustls::CertificateError::Other(
            rustls::OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)),
        ));
        let text = describe_tls(&self_signed);
        assert!(text.contains("self-signed download server"), "{text}");
        assert!(!text.contains("OtherError"), "{text}");
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for attempt in 0..4 {
            let base = BACKOFF_BASE * (1 << attempt);
            let delay = backoff(attempt);
            assert!(delay >= base && delay <= base * 2, "{attempt}: {delay:?}");
        }
    }
}
