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

/// Makes sure descriptors 0, 1 and 2 are open, so that no file or socket rootcert opens
/// can take their place (and be written to as "stdout"). A closed standard output is
/// remembered: writing to it is then an error, not a silent success.
pub fn guard_standard_descriptors() {
    for fd in 0..=2 {
        // SAFETY: fcntl on a small integer only asks whether it is open.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1;
        if closed {
            if fd == 1 {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
            }
            // SAFETY: open returns the lowest free descriptor, which is `fd`.
            unsafe {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
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
