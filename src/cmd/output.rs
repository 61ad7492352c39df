//! Where things are printed: results on stdout, diagnostics on stderr, JSON for machines.
//! Writing never panics: a failure ends the run with a message (or quietly for a closed
//! pipe).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use rootcert::Error;
use serde::Serialize;

/// Diagnostics on stderr, silenced by `--quiet` (failures are always printed).
#[derive(Debug, Clone, Copy)]
pub struct Log {
    pub quiet: bool,
}

impl Log {
    pub fn note(&self, message: &str) {
        if !self.quiet {
            clear_status();
            eprintln!("rootcert: {message}");
        }
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            clear_status();
            eprintln!("{}: {message}", paint(Stream::Stderr, YELLOW, "warning"));
        }
    }

    /// Indented detail lines.
    pub fn detail(&self, text: &str) {
        if !self.quiet {
            clear_status();
            eprintln!("{text}");
        }
    }
}

/// Where text goes, for deciding whether it may be coloured.
#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub const RED: &str = "31";
pub const GREEN: &str = "32";
pub const YELLOW: &str = "33";

/// Colour only for a terminal, and never with NO_COLOR set (https://no-color.org).
pub fn colour(stream: Stream) -> bool {
    use std::io::IsTerminal;
    let terminal = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `text` in an ANSI colour when `stream` may be coloured.
pub fn paint(stream: Stream, code: &str, text: &str) -> String {
    if colour(stream) {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Whether a status line is on the terminal now (and must be cleared before other text).
static STATUS_SHOWN: AtomicBool = AtomicBool::new(false);

/// A one-line status on a terminal's stderr (a download waiting or retrying), replaced by
/// the next one and cleared before anything else is printed. Nothing when stderr is not a
/// terminal: logs and pipes get the permanent lines only.
pub fn status(message: &str) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "\r\x1b[2Krootcert: {message}");
    let _ = stderr.flush();
    STATUS_SHOWN.store(true, Ordering::Relaxed);
}

/// Removes the status line, if one is shown.
pub fn clear_status() {
    if STATUS_SHOWN.swap(false, Ordering::Relaxed) {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[2K");
        let _ = stderr.flush();
    }
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    status: &'static str,
    exit_code: u8,
    error: String,
    attempts: &'a [rootcert::Attempt],
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
    clear_status();
    eprintln!("{}: {err}", paint(Stream::Stderr, RED, "error"));
    code
}

pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => crate::outln!("{text}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

/// One JSON object on one line (JSON Lines).
pub fn print_json_line<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(text) => crate::outln!("{text}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

/// Set when the process started with standard output closed (`>&-`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Notes whether the process started with standard output closed (`>&-`). Rust's runtime
/// opens `/dev/null` on a closed standard descriptor before `main` (so no file rootcert
/// opens can take its place), which hides the fact; this runs earlier, as an ELF
/// constructor, and asks the kernel directly. Writing to a closed standard output is then
/// an error, not a silent success.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    // SAFETY: fcntl with F_GETFD only asks whether descriptor 1 is open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
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
        std::process::exit(i32::from(rootcert::exit::INTERNAL));
    }
}

/// `println!` that never panics: see [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cmd::output::write_stdout(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::cmd::output::write_stdout(format!("{}\n", format_args!($($arg)*)).as_bytes())
    };
}
