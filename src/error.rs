//! The one error type a user can act on, and the one place exit codes are decided.

use serde::Serialize;

/// Exit codes. What each means to a user is in the binary's one table (src/cmd/exit_codes.rs),
/// from which `--help`, the man page and README.md's table are made.
pub mod exit {
    /// Success: saved, up to date, holds every pin, verify-full would work.
    pub const OK: u8 = 0;
    /// A bug, or output that could not be written.
    pub const INTERNAL: u8 = 1;
    /// Bad arguments or settings.
    pub const USAGE: u8 = 2;
    /// The network failed.
    pub const NETWORK: u8 = 3;
    /// The content is wrong: not a certificate, not the pinned one, not usable by libpq,
    /// or a server verify-full would refuse.
    pub const CONTENT: u8 = 4;
    /// A file cannot be read or written, or may not be replaced.
    pub const FILE: u8 = 5;
    /// The file was saved, but the `--on-change` command failed.
    pub const HOOK: u8 = 6;
}

/// One source that was tried while looking for a certificate, and why it did not deliver.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attempt {
    /// A URL, `system:` followed by where the OS store was read, or `builtin`.
    pub source: String,
    /// Why it did not deliver, in one line.
    pub error: String,
    /// True when the source answered with content that is not the pinned certificate
    /// (as opposed to a network failure). Decides exit 4 over exit 3.
    #[serde(skip)]
    pub wrong_content: bool,
}

/// What went wrong, by what the user can do about it. Each kind has its exit code.
///
/// Messages say what is wrong and never name a command-line flag: the binary adds the
/// flag that fixes it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad arguments or settings (a flag, a profile, a proxy variable): exit 2.
    #[error("{0}")]
    Usage(String),
    /// The network let us down: DNS, connection, TLS, HTTP status, a server that does not
    /// speak the protocol: exit 3.
    #[error("{message}")]
    Network {
        /// The message, naming every source and its failure.
        message: String,
        /// Each source that was tried.
        attempts: Vec<Attempt>,
    },
    /// Content is not a certificate, not the pinned one, or not what a client can use:
    /// exit 4.
    #[error("{message}")]
    Content {
        /// The message, naming what arrived instead.
        message: String,
        /// Each source that was tried.
        attempts: Vec<Attempt>,
    },
    /// A path cannot be read or written, or holds something rootcert will not replace:
    /// exit 5.
    #[error("{0}")]
    File(String),
    /// A bug or an environment rootcert did not foresee: exit 1.
    #[error("{0}")]
    Internal(String),
    /// The destination cannot be resolved, read or written (`message` says which and
    /// why); another path may do: exit 5.
    #[error("{message}")]
    Destination {
        /// The destination as given.
        path: String,
        /// What failed, naming the path.
        message: String,
    },
    /// The destination path ends in no file name (a directory, `/`): exit 5.
    #[error("{path} names no file")]
    NoFileName {
        /// The destination as given.
        path: String,
    },
    /// The way to the destination goes through a symlink whose owner is neither the
    /// user nor root, so it could point anywhere: exit 5.
    #[error(
        "{path} goes through a symlink owned by uid {owner}, not by you or root; rootcert \
         does not follow it, since its owner could point it anywhere"
    )]
    UntrustedSymlink {
        /// The destination as given.
        path: String,
        /// The symlink owner's user id.
        owner: u32,
    },
    /// The destination is a symbolic link or junction, which rootcert never saves through
    /// on Windows: exit 5.
    #[error("{path} is a symbolic link or junction; on Windows rootcert never saves through one")]
    DestinationIsLink {
        /// The destination as given.
        path: String,
    },
    /// The destination is a directory, device, socket...: never replaced: exit 5.
    #[error("{path} is {kind}; rootcert only ever replaces a regular file")]
    NotRegularFile {
        /// The destination as given.
        path: String,
        /// What it is instead, with its article ("a directory").
        kind: String,
    },
    /// The destination holds something other than the certificate, and replacing it was
    /// not asked for: exit 5.
    #[error("{path} already holds {holds}")]
    DestinationExists {
        /// The destination as given.
        path: String,
        /// What it holds, in words (never its bytes).
        holds: String,
    },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Network { .. } => exit::NETWORK,
            Error::Content { .. } => exit::CONTENT,
            Error::File(_)
            | Error::Destination { .. }
            | Error::NoFileName { .. }
            | Error::UntrustedSymlink { .. }
            | Error::DestinationIsLink { .. }
            | Error::NotRegularFile { .. }
            | Error::DestinationExists { .. } => exit::FILE,
            Error::Internal(_) => exit::INTERNAL,
        }
    }

    /// The same error with its message changed by `f` (to say where it happened).
    pub fn map_message(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Error::Usage(m) => Error::Usage(f(m)),
            Error::Network { message, attempts } => Error::Network {
                message: f(message),
                attempts,
            },
            Error::Content { message, attempts } => Error::Content {
                message: f(message),
                attempts,
            },
            Error::File(m) => Error::File(f(m)),
            Error::Internal(m) => Error::Internal(f(m)),
            Error::Destination { path, message } => Error::Destination {
                path,
                message: f(message),
            },
            // The typed kinds keep their data; a changed message makes them plain.
            other => Error::File(f(other.to_string())),
        }
    }

    /// A destination that cannot be resolved, read or written.
    pub(crate) fn destination(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Destination {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The sources tried, for a download failure.
    pub fn attempts(&self) -> &[Attempt] {
        match self {
            Error::Network { attempts, .. } | Error::Content { attempts, .. } => attempts,
            _ => &[],
        }
    }

    /// A content failure without source attempts (a file that was read, not fetched).
    pub fn content(message: impl Into<String>) -> Self {
        Error::Content {
            message: message.into(),
            attempts: Vec::new(),
        }
    }

    /// The failure for a certificate that no source delivered: exit 4 when any source
    /// delivered wrong content (something is actively wrong), else exit 3.
    pub(crate) fn from_attempts(what: &str, attempts: Vec<Attempt>) -> Self {
        let mut message = format!("could not get {what}:");
        for attempt in &attempts {
            message.push_str(&format!("\n  - {}: {}", attempt.source, attempt.error));
        }
        if attempts.iter().any(|a| a.wrong_content) {
            Error::Content { message, attempts }
        } else {
            Error::Network { message, attempts }
        }
    }

    /// True for a network failure where only local sources were tried (the OS trust store,
    /// the built-in copies): the network was not used at all, so the fix is not in it.
    pub fn only_local_sources_tried(&self) -> bool {
        match self {
            Error::Network { attempts, .. } => {
                !attempts.is_empty()
                    && attempts
                        .iter()
                        .all(|a| a.source.starts_with("system:") || a.source == "builtin")
            }
            _ => false,
        }
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
    fn destination_errors_name_no_flag() {
        let path = || "/etc/ssl/x.pem".to_string();
        let errors = [
            Error::destination(path(), "cannot write /etc/ssl/x.pem: denied"),
            Error::NoFileName { path: path() },
            Error::UntrustedSymlink {
                path: path(),
                owner: 65534,
            },
            Error::NotRegularFile {
                path: path(),
                kind: "a directory".into(),
            },
            Error::DestinationIsLink { path: path() },
            Error::DestinationExists {
                path: path(),
                holds: "a different certificate".into(),
            },
        ];
        for err in errors {
            let shown = err.to_string();
            assert!(
                !shown.split_whitespace().any(|w| w.starts_with("--")),
                "the library names no flag: {shown}"
            );
            assert!(shown.contains("/etc/ssl/x.pem"), "{shown}");
            assert_eq!(err.exit_code(), exit::FILE);
        }
    }

    #[test]
    fn wrong_content_takes_precedence_over_network_failure() {
        let err = Error::from_attempts("X", vec![attempt(false), attempt(true)]);
        assert_eq!(err.exit_code(), exit::CONTENT);
        let err = Error::from_attempts("X", vec![attempt(false), attempt(false)]);
        assert_eq!(err.exit_code(), exit::NETWORK);
        assert_eq!(err.attempts().len(), 2);
        assert!(!err.only_local_sources_tried());
        let local = |source: &str| Attempt {
            source: source.into(),
            ..attempt(false)
        };
        let err = Error::from_attempts("X", vec![local("system:/etc/ssl"), local("builtin")]);
        assert!(err.only_local_sources_tried());
        assert!(
            !err.to_string().contains("--"),
            "the library names no flag: {err}"
        );
    }
}
