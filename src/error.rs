//! The one error type a user can act on, and the one place exit codes are decided.

use serde::Serialize;

/// Exit codes, documented in README.md and `rootcert --help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DOWNLOAD: u8 = 3;
    pub const VERIFICATION: u8 = 4;
    pub const DESTINATION: u8 = 5;
}

/// One source that was tried while looking for a certificate, and why it did not deliver.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attempt {
    /// A URL, or `system:` followed by where the OS store was read.
    pub source: String,
    pub error: String,
    /// True when the source answered with content that is not the pinned certificate
    /// (as opposed to a network failure). Decides exit 4 over exit 3.
    #[serde(skip)]
    pub wrong_content: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Every source failed on the network side: exit 3.
    #[error("{message}")]
    Download {
        message: String,
        attempts: Vec<Attempt>,
    },
    /// Content is not a certificate, or not the pinned one: exit 4.
    #[error("{message}")]
    Verification {
        message: String,
        attempts: Vec<Attempt>,
    },
    /// The destination cannot be read or written, or holds something else: exit 5.
    #[error("{0}")]
    Destination(String),
    /// A bug or an environment we did not foresee: exit 1.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Download { .. } => exit::DOWNLOAD,
            Error::Verification { .. } => exit::VERIFICATION,
            Error::Destination(_) => exit::DESTINATION,
            Error::Internal(_) => exit::INTERNAL,
        }
    }

    pub fn attempts(&self) -> &[Attempt] {
        match self {
            Error::Download { attempts, .. } | Error::Verification { attempts, .. } => attempts,
            _ => &[],
        }
    }

    /// A verification failure without source attempts (a file that was read, not fetched).
    pub fn verification(message: impl Into<String>) -> Self {
        Error::Verification {
            message: message.into(),
            attempts: Vec::new(),
        }
    }

    /// The failure for a certificate that no source delivered: exit 4 when any source
    /// delivered wrong content (something is actively wrong), else exit 3.
    pub fn from_attempts(what: &str, attempts: Vec<Attempt>) -> Self {
        let mut message = format!("could not get {what}:");
        for attempt in &attempts {
            message.push_str(&format!("\n  - {}: {}", attempt.source, attempt.error));
        }
        let offline = attempts.iter().all(|a| a.source.starts_with("system:"));
        if attempts.iter().any(|a| a.wrong_content) {
            Error::Verification { message, attempts }
        } else if offline {
            message.push_str(
                "\nOnly the OS trust store was tried (--offline): run without --offline where \
                 the network is reachable, or point --url or --mirror at a reachable copy.",
            );
            Error::Download { message, attempts }
        } else {
            message.push_str(
                "\nCheck the network and proxy settings (HTTPS_PROXY; --ca-file for an \
                 intercepting proxy), or point --url or --mirror at a reachable copy.",
            );
            Error::Download { message, attempts }
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Internal(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(wrong_content: bool) -> Attempt {
        Attempt {
            source: "https://example.test/a".into(),
            error: "boom".into(),
            wrong_content,
        }
    }

    #[test]
    fn wrong_content_takes_precedence_over_network_failure() {
        let err = Error::from_attempts("X", vec![attempt(false), attempt(true)]);
        assert_eq!(err.exit_code(), exit::VERIFICATION);
        let err = Error::from_attempts("X", vec![attempt(false), attempt(false)]);
        assert_eq!(err.exit_code(), exit::DOWNLOAD);
        assert_eq!(err.attempts().len(), 2);
    }
}
