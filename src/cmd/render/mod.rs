//! Reports as people read them. (With `--json` a report is printed as it serialises.)

use rootcert::{FetchReport, FetchStatus, InspectReport, VerifyReport};

use super::output::{GREEN, Log, Piece, RED, Stream, write_line, write_stdout};
use crate::outln;

/// Where rendered lines go: the terminal (escaped, coloured where it may be), or a buffer.
pub trait Sink {
    fn line(&mut self, pieces: &[Piece<'_>]);
}

/// Standard output.
pub struct Terminal;

impl Sink for Terminal {
    fn line(&mut self, pieces: &[Piece<'_>]) {
        write_line(Stream::Stdout, pieces);
    }
}

/// The text of every line, for tests.
impl Sink for String {
    fn line(&mut self, pieces: &[Piece<'_>]) {
        for piece in pieces {
            match piece {
                Piece::Text(text) | Piece::Message(text) | Piece::Painted(_, text) => {
                    self.push_str(text)
                }
            }
        }
        self.push('\n');
    }
}

/// `outln!` into a [`Sink`].
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        $out.line(&[Piece::Text(&format!($($arg)*))])
    };
}

mod check;
mod table;

pub use check::{check, check_line};
pub use table::check_table;

/// The path (or the PEM) on stdout; what happened and how to use it on stderr. Quiet prints
/// no path (a provisioning hook's output stays clean) but still the PEM that `-o -` asks for.
pub fn fetch(report: &FetchReport, log: Log) {
    let names: Vec<&str> = report
        .certificates
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let names = names.join(" and ");
    match (&report.path, report.status) {
        (Some(path), FetchStatus::Unchanged) => {
            log.note(&format!("{path} already holds {names}; nothing to do"))
        }
        (Some(path), _) if report.format == rootcert::TrustFormat::Pem => {
            log.note(&format!("saved {names} to {path}"))
        }
        (Some(path), _) => log.note(&format!(
            "saved {names} to {path} as a {}",
            report.format.as_str()
        )),
        (None, _) => log.note(&format!("wrote {names} to stdout")),
    }
    for cert in &report.certificates {
        log.detail(&format!("  subject  {}", cert.subject));
        log.detail(&format!("  sha256   {}", cert.sha256));
        log.detail(&format!(
            "  valid    {} to {}",
            cert.not_before, cert.not_after
        ));
        log.detail(&format!("  source   {}", cert.source));
    }
    for warning in &report.warnings {
        log.warn(&warning.said(&super::flags::Flags));
    }
    if let Some(lines) = &report.connect {
        log.detail(&format!(
            "\nConnect with:\n  {}\nor, for every libpq client:\n  {}",
            lines.psql, lines.env
        ));
    }
    if let Some(lines) = &report.java {
        log.detail(&format!(
            "\nUse it in a JVM (for every TLS connection it makes) with:\n  {}\nand pgjdbc with:\n  {}",
            lines.java, lines.pgjdbc
        ));
    }
    match (&report.path, &report.pem) {
        (Some(_), _) if log.quiet => {}
        (Some(path), _) => outln!("{path}"),
        (None, Some(pem)) => write_stdout(pem.as_bytes()),
        (None, None) => {}
    }
}

pub fn verify(report: &VerifyReport) {
    let verdict = if report.error.is_none() {
        Piece::Painted(GREEN, "OK, holds every pinned certificate")
    } else {
        Piece::Painted(RED, "FAILED")
    };
    write_line(
        Stream::Stdout,
        &[
            Piece::Text(&report.path),
            Piece::Text(match report.format {
                "pkcs12" => " (PKCS#12 truststore): ",
                _ => ": ",
            }),
            verdict,
        ],
    );
    for cert in &report.certificates {
        let role = if cert.pinned { "pinned" } else { "other " };
        outln!("  {role}  {}", cert.subject);
        outln!("          sha256 {}", cert.sha256);
        outln!(
            "          expires {} ({} days left)",
            cert.not_after,
            cert.days_left
        );
    }
    for missing in &report.missing {
        outln!("  MISSING {} (sha256 {})", missing.name, missing.sha256);
    }
    for warning in &report.warnings {
        super::output::warn(warning);
    }
}

/// Each source with how many certificates it holds and whether libpq loads it, then each
/// certificate's fields.
pub fn inspect(report: &InspectReport) {
    let certs = &report.certificates;
    let mut i = 0;
    while i < certs.len() {
        let source = &certs[i].source;
        let count = certs[i..]
            .iter()
            .take_while(|c| &c.source == source)
            .count();
        let first = &certs[i];
        let libpq = match &first.libpq_problem {
            None => "libpq can load it as sslrootcert".to_string(),
            Some(why) => format!("libpq cannot load it as sslrootcert: {why}"),
        };
        let plural = if count == 1 { "" } else { "s" };
        outln!(
            "{source}: {count} certificate{plural}, {}; {libpq}",
            first.format.as_str()
        );
        for (j, cert) in certs[i..i + count].iter().enumerate() {
            if j > 0 {
                outln!();
            }
            let yes_no = |b: bool| if b { "yes" } else { "no" };
            let self_signed = match cert.self_signed {
                Some(true) => "yes (signature verifies)",
                Some(false) if cert.subject == cert.issuer => {
                    "NO: the self-signature does not verify"
                }
                Some(false) => "no",
                None => "yes (signature algorithm not checked)",
            };
            outln!("  subject      {}", cert.subject);
            outln!("  issuer       {}", cert.issuer);
            outln!("  serial       {}", cert.serial);
            outln!("  not before   {}", cert.not_before);
            outln!("  not after    {}", cert.not_after);
            outln!("  sha256       {}", cert.sha256);
            outln!("  sha1         {}", cert.sha1);
            outln!("  key          {}", cert.key);
            outln!("  CA           {}", yes_no(cert.is_ca));
            outln!("  self-signed  {self_signed}");
            outln!(
                "  profile      {}",
                cert.profile.unwrap_or("(not in the catalog)")
            );
        }
        i += count;
    }
}

/// At most `limit` characters of `text`, with `…` when it was cut.
fn shorten(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// `CN=DigiCert Global Root G2,OU=…` → `DigiCert Global Root G2`.
fn short_name(subject: &str) -> String {
    subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(subject)
        .to_string()
}
