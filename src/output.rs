//! Where things are printed: results on stdout, diagnostics on stderr, JSON for machines.

use serde::Serialize;

use crate::cert::Cert;
use crate::error::{Attempt, Error};

/// Diagnostics on stderr, silenced by `--quiet` (failures are always printed).
#[derive(Debug, Clone, Copy)]
pub struct Log {
    pub quiet: bool,
}

impl Log {
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("rootcert: {message}");
        }
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// Indented detail lines.
    pub fn detail(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

/// One certificate as reported by `fetch` and `verify`.
#[derive(Debug, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub sha256: String,
    pub not_before: String,
    pub not_after: String,
    pub source: String,
}

impl CertSummary {
    pub fn new(cert: &Cert, source: &str) -> Self {
        CertSummary {
            subject: cert.subject(),
            sha256: cert.sha256.to_string(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
            source: source.to_string(),
        }
    }

    pub fn print(&self, log: &Log) {
        log.detail(&format!("  subject  {}", self.subject));
        log.detail(&format!("  sha256   {}", self.sha256));
        log.detail(&format!(
            "  valid    {} to {}",
            self.not_before, self.not_after
        ));
        log.detail(&format!("  source   {}", self.source));
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    status: &'static str,
    exit_code: u8,
    error: String,
    attempts: &'a [Attempt],
}

/// Prints a failure (JSON on stdout when asked, always the message on stderr) and returns
/// its exit code.
pub fn report_error(err: &Error, json: bool) -> u8 {
    let code = err.exit_code();
    if json {
        print_json(&ErrorJson {
            status: "error",
            exit_code: code,
            error: err.to_string(),
            attempts: err.attempts(),
        });
    }
    eprintln!("error: {err}");
    code
}

pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

/// A value for a libpq connection string: quoted when it holds spaces, quotes or backslashes.
pub fn conninfo_value(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\'', '\\']) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A word for a POSIX shell: single-quoted unless it is plainly safe.
pub fn shell_word(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@,%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_string();
    }
    format!("'{}'", value.replace('\'', "'\\''"))
}

/// Escapes text for the inside of a double-quoted shell string.
pub fn in_double_quotes(value: &str) -> String {
    value.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '"' | '$' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// How to use a saved root with psql and every libpq client.
pub fn usage_lines(path: &str) -> String {
    let conninfo = format!(
        "sslmode=verify-full sslrootcert={} host=<host> dbname=<db> user=<user>",
        conninfo_value(path)
    );
    format!(
        "Connect with:\n  psql \"{}\"\nor, for every libpq client:\n  export PGSSLROOTCERT={}",
        in_double_quotes(&conninfo),
        shell_word(path)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_paths_with_spaces() {
        assert_eq!(conninfo_value("/a/b.pem"), "/a/b.pem");
        assert_eq!(
            conninfo_value("/my certs/it's.pem"),
            "'/my certs/it\\'s.pem'"
        );
        assert_eq!(shell_word("/a/b.pem"), "/a/b.pem");
        assert_eq!(shell_word("/my certs/it's.pem"), "'/my certs/it'\\''s.pem'");
        assert!(usage_lines("/x y/r.pem").contains("sslrootcert='/x y/r.pem' host"));
    }
}
