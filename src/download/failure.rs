//! Why one try failed, in words (reqwest's and rustls's errors turned into sentences), and
//! whether another try could help.

use crate::hint::Hint;
use std::error::Error as _;
use std::time::Duration;

/// Why one try failed, and whether another try could help.
pub(super) struct Failure {
    pub(super) message: String,
    pub(super) retryable: bool,
    pub(super) retry_after: Option<Duration>,
    /// TLS rejected the server's certificate as issued by no trusted CA.
    pub(super) unknown_issuer: bool,
    /// What would fix it.
    pub(super) hint: Option<Hint>,
}

impl Failure {
    pub(super) fn new(message: impl Into<String>, retryable: bool) -> Self {
        Failure {
            message: message.into(),
            retryable,
            retry_after: None,
            unknown_issuer: false,
            hint: None,
        }
    }

    pub(super) fn fatal(message: impl Into<String>) -> Self {
        Failure::new(message, false)
    }
}

pub(super) fn from_reqwest(err: reqwest::Error) -> Failure {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn tls_failures_are_described_in_words() {
        let self_signed = rustls::Error::InvalidCertificate(rustls::CertificateError::Other(
            rustls::OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)),
        ));
        let text = describe_tls(&self_signed);
        assert!(text.contains("self-signed download server"), "{text}");
        assert!(!text.contains("OtherError"), "{text}");
    }
}
