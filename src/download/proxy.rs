//! The proxy variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`...) read as curl reads them,
//! checked, and kept with the password masked so a failure can name the proxy.

use crate::error::Error;

/// A proxy set in the environment, for naming it when it fails.
#[derive(Debug, Clone)]
pub(super) struct EnvProxy {
    pub(super) variable: &'static str,
    /// The URL with any password masked.
    pub(super) shown: String,
    /// The URL schemes it serves: `https`, `http`, or both for ALL_PROXY.
    pub(super) schemes: &'static [&'static str],
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
pub(super) fn env_proxies() -> Result<Vec<EnvProxy>, Error> {
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
pub(super) fn no_proxy_exempts(host: &str) -> bool {
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
