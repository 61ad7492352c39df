//! Where things are printed: results on stdout, diagnostics on stderr, JSON for machines.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

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
        Ok(text) => crate::outln!("{text}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

/// Set when the process started with standard output closed (`>&-`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Notes whether the process started with standard output closed (`>&-`). Rust's runtime
/// has by then opened `/dev/null` read-write on any closed standard descriptor (so no file
/// rootcert opens can take its place); a shell redirection to `/dev/null` opens it
/// write-only, which tells the two apart. Writing to a closed standard output is then an
/// error, not a silent success.
pub fn guard_standard_descriptors() {
    let stdout = std::io::stdout();
    let Ok(stat) = rustix::fs::fstat(&stdout) else {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        return;
    };
    let dev_null = rustix::fs::stat("/dev/null").is_ok_and(|null| null.st_rdev == stat.st_rdev)
        && rustix::fs::FileType::from_raw_mode(stat.st_mode)
            == rustix::fs::FileType::CharacterDevice;
    let read_write = rustix::fs::fcntl_getfl(&stdout)
        .is_ok_and(|flags| flags & rustix::fs::OFlags::RWMODE == rustix::fs::OFlags::RDWR);
    if dev_null && read_write {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes to standard output. A failure ends the run: a closed pipe quietly (as a Unix
/// tool killed by SIGPIPE, exit 141), anything else with a message and exit 1.
pub fn write_stdout(bytes: &[u8]) {
    let result = if STDOUT_CLOSED.load(Ordering::Relaxed) {
        Err(std::io::Error::from_raw_os_error(libc::EBADF))
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes).and_then(|()| stdout.flush())
    };
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(i32::from(crate::error::exit::INTERNAL));
    }
}

/// `println!` that never panics: see [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write_stdout(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}

/// A path as text: exactly as it is when it is UTF-8; otherwise each byte that is not
/// UTF-8 as `\xNN`, so that no two paths print alike and nothing is lost.
pub fn path_text(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
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
