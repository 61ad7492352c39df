//! Where things are printed: results on stdout, diagnostics on stderr, JSON for machines.
//! Writing never panics: a failure ends the run with a message (or quietly for a closed
//! pipe).
//!
//! Every text line passes through [`terminal_safe`] on its way out, so no byte that a
//! server, a certificate or a file controls can move the cursor, clear the screen or set a
//! window title. Colour comes only from `&'static str` labels ([`Piece::Painted`]), which
//! are ours.

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
            note(message);
        }
    }

    pub fn warn(&self, message: &str) {
        if !self.quiet {
            warn(message);
        }
    }

    /// Indented detail lines.
    pub fn detail(&self, text: &str) {
        if !self.quiet {
            write_line(Stream::Stderr, &[Piece::Message(text)]);
        }
    }
}

/// `rootcert: message` on stderr.
pub fn note(message: &str) {
    write_line(
        Stream::Stderr,
        &[Piece::Text("rootcert: "), Piece::Message(message)],
    );
}

/// `warning: message` on stderr.
pub fn warn(message: &str) {
    write_line(
        Stream::Stderr,
        &[
            Piece::Painted(YELLOW, "warning"),
            Piece::Text(": "),
            Piece::Message(message),
        ],
    );
}

/// Part of a line: text (escaped on the way out) or one of our own coloured labels.
pub enum Piece<'a> {
    /// Text that stays on its line: a line feed or carriage return in it is escaped too,
    /// so that no report item (which may quote a server or a certificate) can start a
    /// line of its own, such as a forged `OK:`.
    Text(&'a str),
    /// A library message that may span lines (an error and the sources it tried); the
    /// library escapes line breaks in what it quotes.
    Message(&'a str),
    Painted(&'static str, &'static str),
}

/// Writes one line of pieces to `stream`, escaped, with colour where the stream takes it.
pub fn write_line(stream: Stream, pieces: &[Piece<'_>]) {
    let mut line = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => line.push_str(&rootcert::one_line(&terminal_safe(text))),
            Piece::Message(text) => line.push_str(&terminal_safe(text)),
            Piece::Painted(code, text) => line.push_str(&paint(stream, code, text)),
        }
    }
    line.push('\n');
    match stream {
        Stream::Stdout => write_stdout(line.as_bytes()),
        Stream::Stderr => {
            clear_status();
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }
}

/// Free text that may quote a command line (clap's errors): the password of anything
/// shaped like `scheme://user:password@` and the value of anything shaped like
/// `password=` (or `secret`, `token`, `key`) masked. Parsed targets never need this;
/// it is for text rootcert did not build.
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let word_end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"'))
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        out.push_str(&mask_word(word));
        at += word_end;
        if at < text.len() {
            let c = text[at..].chars().next().unwrap_or(' ');
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

fn mask_word(word: &str) -> String {
    if let Some(scheme_end) = word.find("://") {
        let authority = &word[scheme_end + 3..];
        if let Some(at) = authority.rfind('@') {
            return format!("{}****@{}", &word[..scheme_end + 3], &authority[at + 1..]);
        }
    }
    let lower = word.to_ascii_lowercase();
    for key in ["pass", "pwd", "secret", "token", "key"] {
        if let Some(k) = lower.find(key)
            && let Some(eq) = lower[k..].find('=')
        {
            return format!("{}****", &word[..k + eq + 1]);
        }
    }
    word.to_string()
}

/// A character a terminal acts on, or one that hides or reorders what is shown.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Text for a terminal: C0 controls but the line feed, DEL, C1 controls and the Unicode
/// controls that reorder or hide text (bidirectional overrides, zero-width marks) as
/// `\xNN` / `\u{NNNN}`. Everything a server, certificate or file controls goes through
/// here before it is shown; nothing else escapes terminal text.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if u32::from(c) < 0x100 && unsafe_char(c) => {
                out.push_str(&format!("\\x{:02X}", u32::from(c)))
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:04X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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

/// `text` (always ours, never a server's) in an ANSI colour when `stream` may be coloured.
fn paint(stream: Stream, code: &str, text: &'static str) -> String {
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
    let _ = write!(stderr, "\r\x1b[2Krootcert: {}", terminal_safe(message));
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
struct ErrorJson {
    status: &'static str,
    exit_code: u8,
    error: String,
    attempts: Vec<AttemptJson>,
}

/// A source tried, as the JSON error lists it.
#[derive(Serialize)]
struct AttemptJson {
    source: String,
    error: String,
}

/// Prints a failure (JSON on stdout when asked, always the message on stderr) and returns
/// its exit code.
pub fn report_error(err: &Error, json: bool) -> u8 {
    let code = err.exit_code();
    let message = super::flags::error_text(err);
    if json {
        let attempts = err.attempts().iter().map(|a| AttemptJson {
            source: a.source.clone(),
            error: super::flags::attempt_error(a),
        });
        print_json(&ErrorJson {
            status: "error",
            exit_code: code,
            error: message.clone(),
            attempts: attempts.collect(),
        });
    }
    error_line(&message);
    code
}

/// `error: message` on stderr.
pub fn error_line(message: &str) {
    write_line(
        Stream::Stderr,
        &[
            Piece::Painted(RED, "error"),
            Piece::Text(": "),
            Piece::Message(message),
        ],
    );
}

pub fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => write_json(&text),
        Err(e) => error_line(&format!("cannot encode JSON: {e}")),
    }
}

/// One JSON object on one line (JSON Lines).
pub fn print_json_line<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(text) => write_json(&text),
        Err(e) => error_line(&format!("cannot encode JSON: {e}")),
    }
}

/// JSON on stdout. serde_json escapes C0 controls; DEL, C1 and the reordering controls
/// are legal raw in JSON strings, so they are written as `\u` escapes too (still the
/// same JSON value).
fn write_json(text: &str) {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    write_stdout(out.as_bytes());
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
            std::process::exit(i32::from(super::exit_codes::PIPE));
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(i32::from(rootcert::exit::INTERNAL));
    }
}

/// `println!` that never panics and escapes control characters: see [`write_stdout`] and
/// [`terminal_safe`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cmd::output::write_stdout(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::cmd::output::write_line(
            $crate::cmd::output::Stream::Stdout,
            &[$crate::cmd::output::Piece::Text(&format!($($arg)*))],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_every_control() {
        assert_eq!(
            terminal_safe("plain text\nline two"),
            "plain text\nline two"
        );
        assert_eq!(
            terminal_safe("a\x1b]0;title\x07b\rc\x7f\u{9b}2J\u{202e}d\te"),
            "a\\x1B]0;title\\x07b\\x0Dc\\x7F\\x9B2J\\u{202E}d\\x09e"
        );
        assert_eq!(terminal_safe("Zürich 東京"), "Zürich 東京");
    }

    #[test]
    fn free_text_loses_its_passwords() {
        assert_eq!(
            mask_secrets("invalid value 'postgresql://u:S3/CRET@h/db' for '--x'"),
            "invalid value 'postgresql://****@h/db' for '--x'"
        );
        assert_eq!(
            mask_secrets("unexpected argument 'host=h password=S3CRET' found"),
            "unexpected argument 'host=h password=****' found"
        );
    }
}
