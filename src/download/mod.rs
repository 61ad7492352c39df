//! HTTP(S) downloads with the limits a trust-file fetcher needs: a body cap, a whole-request
//! deadline, bounded redirects that never downgrade to http, and retries with backoff.
//!
//! Built only when a run actually downloads: the TLS configuration, root store and async
//! runtime cost milliseconds that the in-place re-run must not pay.

mod failure;
mod proxy;
mod retry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::hint::{Hint, Setting};
use failure::{Failure, from_reqwest};
use proxy::{EnvProxy, env_proxies, no_proxy_exempts};
pub use retry::parse_retry_after;
use retry::{retry_after, retry_delay};

/// Larger than any root certificate bundle by far; an endless body stops here.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;
pub(crate) const MAX_REDIRECTS: usize = 5;
/// Longest wait we honour from a server's `Retry-After`.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

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

/// Why a download failed, and what would fix it.
pub(crate) struct Failed {
    pub(crate) message: String,
    pub(crate) hint: Option<Hint>,
}

pub(crate) struct Downloader {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    options: NetOptions,
    no_os_roots: bool,
    proxies: Vec<EnvProxy>,
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
    pub(crate) fn get(&self, url: &str, on_retry: &mut dyn FnMut(&str)) -> Result<Vec<u8>, Failed> {
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
                let hint = Hint::PastTimeout {
                    timed_out: failure.hint.is_some(),
                    wait: asked,
                    seconds: self.options.timeout.as_secs_f64(),
                };
                return Err(self.explain(
                    url,
                    Failure {
                        hint: Some(hint),
                        ..failure
                    },
                ));
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
            Err(_) => Err(Failure {
                hint: Some(Hint::TimedOut {
                    seconds: self.options.timeout.as_secs_f64(),
                }),
                ..Failure::new("timed out", true)
            }),
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
    fn explain(&self, url: &str, failure: Failure) -> Failed {
        let mut message = failure.message;
        if let Some(proxy) = self.proxy_for(url)
            && let Some(reason) = message.strip_prefix("could not connect: ")
        {
            message = format!(
                "could not connect through the proxy {} (from {}): {reason}",
                proxy.shown, proxy.variable
            );
        }
        let hint = match (failure.unknown_issuer, self.no_os_roots) {
            (true, true) => Some(Hint::NoCaStore),
            (true, false) => Some(Hint::InterceptingProxy),
            (false, _) => failure.hint,
        };
        Failed { message, hint }
    }
}

fn too_large(length: Option<u64>) -> String {
    let size = length.map_or("more than that".to_string(), |l| format!("{l} bytes"));
    format!(
        "body too large: {size}; a certificate file is far smaller than the {MAX_BODY_BYTES}-byte limit"
    )
}

fn roots_from_ca_file(path: &std::path::Path) -> Result<rustls::RootCertStore, Error> {
    let shown = path.display();
    let bad = |problem: String| Error::BadSetting {
        setting: Setting::CaFile,
        problem,
    };
    let bytes = crate::read::read_file(path, crate::read::MAX_FILE_BYTES)
        .map_err(|e| bad(format!(": {e}")))?;
    let certs = crate::parse::parse_local(&bytes).map_err(|e| bad(format!(" {shown}: {e}")))?;
    let mut roots = rustls::RootCertStore::empty();
    let (added, _ignored) =
        roots.add_parsable_certificates(certs.iter().map(|c| c.der().to_vec().into()));
    if added == 0 {
        return Err(bad(format!(" {shown} holds no usable CA certificate")));
    }
    Ok(roots)
}
