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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attempt {
    /// A URL, `system:` followed by where the OS store was read, or `builtin`.
    pub source: String,
    /// Why it did not deliver, in one line.
    pub error: String,
    /// What would fix it, said after `error`.
    #[serde(skip)]
    pub hint: Option<Hint>,
    /// True when the source answered with content that is not the pinned certificate
    /// (as opposed to a network failure). Decides exit 4 over exit 3.
    #[serde(skip)]
    pub wrong_content: bool,
}

impl std::fmt::Display for Attempt {
    /// `source: error`, with the hint in words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(&Words))
    }
}

impl Attempt {
    /// `source: error` and the hint, said by `wording`.
    pub fn text(&self, wording: &dyn Wording) -> String {
        format!("{}: {}", self.source, self.error_text(wording))
    }

    /// The error and the hint, said by `wording`.
    pub fn error_text(&self, wording: &dyn Wording) -> String {
        match &self.hint {
            Some(hint) => format!("{}{}", self.error, wording.hint(hint)),
            None => self.error.clone(),
        }
    }
}

use crate::hint::{Hint, Setting, Wording, Words};

/// Where in a target it went wrong, after its message: nothing for the whole target.
pub(crate) fn at_text(at: usize) -> String {
    match at {
        0 => String::new(),
        n => format!(" (at character {n})"),
    }
}

/// "a, b and c", each setting said by `wording`.
fn settings_text(settings: &[Setting], wording: &dyn Wording) -> String {
    let mut said: Vec<String> = settings.iter().map(|s| wording.setting(*s)).collect();
    match said.pop() {
        Some(last) if !said.is_empty() => format!("{} and {last}", said.join(", ")),
        Some(last) => last,
        None => String::new(),
    }
}

/// One line per attempt, in words.
fn attempt_lines(attempts: &[Attempt]) -> String {
    attempts.iter().map(|a| format!("\n  - {a}")).collect()
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
    /// A setting's value is wrong: exit 2. `problem` continues the sentence whose subject is
    /// the setting ("the mirror URL" + `" ftp://x: only http and https are supported"`).
    #[error("{}{problem}", setting.words())]
    BadSetting {
        /// What the user set.
        setting: Setting,
        /// The rest of the sentence, from its first character (a space or a colon).
        problem: String,
    },
    /// Settings that do not exist on this system: exit 2. `problem` continues the sentence
    /// whose subject is the settings ("the owner, the group and the mode" + `" do not
    /// exist on Windows: …"`).
    #[error("{}{problem}", settings_text(settings, &Words))]
    Unsupported {
        /// What the user set.
        settings: Vec<Setting>,
        /// The rest of the sentence, from its first character.
        problem: String,
    },
    /// A target does not parse, and `hint` says why: exit 2.
    #[error("{label}: {problem}{hint}{}", at_text(*at))]
    BadTarget {
        /// The target as an error may show it (its scheme, never its password).
        label: String,
        /// What is wrong.
        problem: String,
        /// What would fix it.
        hint: Hint,
        /// The character where it went wrong, counted from 1; 0 for the whole target.
        at: usize,
    },
    /// The targets file cannot be read (`cause` says why): exit 2.
    #[error("{cause}: cannot read the targets")]
    TargetsUnreadable {
        /// Why.
        cause: Box<Error>,
    },
    /// An error and the advice that fixes it, said after it: the error's exit code.
    #[error("{error}{hint}")]
    Hinted {
        /// What went wrong.
        error: Box<Error>,
        /// What fixes it.
        hint: Hint,
    },
    /// An error in what a setting brought in (the target read from the environment): the
    /// error's exit code.
    #[error("{}: {error}", setting.words())]
    InSetting {
        /// The setting that brought it in.
        setting: Setting,
        /// What went wrong.
        error: Box<Error>,
    },
    /// No source delivered a certificate: exit 4 when any source delivered wrong content
    /// (something is actively wrong), else exit 3.
    #[error("could not get {what}:{}", attempt_lines(attempts))]
    Unavailable {
        /// The certificate, in words.
        what: String,
        /// Each source that was tried.
        attempts: Vec<Attempt>,
    },
    /// The one source asked for failed: exit 4 for wrong content, else exit 3.
    #[error("{0}")]
    SourceFailed(Attempt),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_)
            | Error::BadSetting { .. }
            | Error::Unsupported { .. }
            | Error::TargetsUnreadable { .. }
            | Error::BadTarget { .. } => exit::USAGE,
            Error::Hinted { error, .. } | Error::InSetting { error, .. } => error.exit_code(),
            Error::Unavailable { attempts, .. } if attempts.iter().any(|a| a.wrong_content) => {
                exit::CONTENT
            }
            Error::SourceFailed(attempt) if attempt.wrong_content => exit::CONTENT,
            Error::Unavailable { .. } | Error::SourceFailed(_) => exit::NETWORK,
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

    /// The same error with its message changed by `f` (to say where it happened, in front
    /// of it: a wrapper passes `f` to the error inside, so flags and hints stay typed).
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
            // A wrapper keeps its kind: `f` says where the error inside happened.
            Error::Hinted { error, hint } => Error::Hinted {
                error: Box::new(error.map_message(f)),
                hint,
            },
            Error::InSetting { setting, error } => Error::InSetting {
                setting,
                error: Box::new(error.map_message(f)),
            },
            Error::TargetsUnreadable { cause } => Error::TargetsUnreadable {
                cause: Box::new(cause.map_message(f)),
            },
            // The label is the front of the message: where it happened goes before it.
            Error::BadTarget {
                label,
                problem,
                hint,
                at,
            } => Error::BadTarget {
                label: f(label),
                problem,
                hint,
                at,
            },
            // The other typed kinds keep their data; a changed message makes them plain,
            // of the same exit code.
            other => {
                let message = f(other.to_string());
                match other.exit_code() {
                    exit::USAGE => Error::Usage(message),
                    exit::NETWORK => Error::Network {
                        message,
                        attempts: other.attempts().to_vec(),
                    },
                    exit::CONTENT => Error::Content {
                        message,
                        attempts: other.attempts().to_vec(),
                    },
                    exit::INTERNAL => Error::Internal(message),
                    _ => Error::File(message),
                }
            }
        }
    }

    /// The message, with settings and hints said by `wording` (the binary names flags;
    /// [`Words`] is what `Display` says).
    pub fn text(&self, wording: &dyn Wording) -> String {
        match self {
            Error::BadSetting { setting, problem } => {
                format!("{}{problem}", wording.setting(*setting))
            }
            Error::Unsupported { settings, problem } => {
                format!("{}{problem}", settings_text(settings, wording))
            }
            Error::Hinted { error, hint } => {
                format!("{}{}", error.text(wording), wording.hint(hint))
            }
            Error::InSetting { setting, error } => {
                format!("{}: {}", wording.setting(*setting), error.text(wording))
            }
            Error::Unavailable { what, attempts } => {
                let lines: String = attempts
                    .iter()
                    .map(|a| format!("\n  - {}", a.text(wording)))
                    .collect();
                format!("could not get {what}:{lines}")
            }
            Error::SourceFailed(attempt) => attempt.text(wording),
            Error::TargetsUnreadable { cause } => {
                format!("{}: cannot read the targets", cause.text(wording))
            }
            Error::BadTarget {
                label,
                problem,
                hint,
                at,
            } => format!("{label}: {problem}{}{}", wording.hint(hint), at_text(*at)),
            other => other.to_string(),
        }
    }

    /// The same error with `hint` said after it.
    pub fn with_hint(self, hint: Hint) -> Self {
        Error::Hinted {
            error: Box::new(self),
            hint,
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
            Error::Network { attempts, .. }
            | Error::Content { attempts, .. }
            | Error::Unavailable { attempts, .. } => attempts,
            Error::SourceFailed(attempt) => std::slice::from_ref(attempt),
            Error::Hinted { error, .. } | Error::InSetting { error, .. } => error.attempts(),
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
        Error::Unavailable {
            what: what.to_string(),
            attempts,
        }
    }

    /// True for a network failure where only local sources were tried (the OS trust store,
    /// the built-in copies): the network was not used at all, so the fix is not in it.
    pub fn only_local_sources_tried(&self) -> bool {
        match self {
            Error::Unavailable { .. } if self.exit_code() == exit::CONTENT => false,
            Error::Network { attempts, .. } | Error::Unavailable { attempts, .. } => {
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
            hint: None,
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
