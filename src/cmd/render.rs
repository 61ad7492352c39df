//! Reports as people read them. (With `--json` a report is printed as it serialises.)

use rootcert::{CheckReport, FetchReport, FetchStatus, InspectReport, VerifyReport};

use super::output::{GREEN, Log, RED, Stream, paint, write_stdout};
use crate::outln;

/// The path (or the PEM) on stdout; what happened and how to use it on stderr.
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
        (Some(path), _) => log.note(&format!("saved {names} to {path}")),
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
        log.warn(warning);
    }
    if let Some(lines) = &report.connect {
        log.detail(&format!(
            "\nConnect with:\n  {}\nor, for every libpq client:\n  {}",
            lines.psql, lines.env
        ));
    }
    match (&report.path, &report.pem) {
        (Some(path), _) => outln!("{path}"),
        (None, Some(pem)) => write_stdout(pem.as_bytes()),
        (None, None) => {}
    }
}

pub fn verify(report: &VerifyReport) {
    let verdict = if report.error.is_none() {
        paint(Stream::Stdout, GREEN, "OK, holds every pinned certificate")
    } else {
        paint(Stream::Stdout, RED, "FAILED")
    };
    outln!("{}: {verdict}", report.path);
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
        eprintln!(
            "{}: {warning}",
            paint(Stream::Stderr, super::output::YELLOW, "warning")
        );
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

pub fn check(report: &CheckReport) {
    outln!(
        "{}:{} ({}), trusting {}",
        report.host,
        report.port,
        report.tls_version,
        report.trusting
    );
    outln!("Chain sent by the server:");
    for (i, cert) in report.chain.iter().enumerate() {
        outln!("  {i} {}", cert.subject);
        outln!("      issuer  {}", cert.issuer);
        outln!("      valid   {} to {}", cert.not_before, cert.not_after);
        outln!("      sha256  {}", cert.sha256);
    }
    match &report.root {
        Some(root) => outln!(
            "Ends at the trusted root {} (sha256 {})",
            root.subject,
            root.sha256
        ),
        None => outln!("Ends at no trusted root"),
    }
    match &report.connect {
        Some(lines) => {
            outln!(
                "\n{}: sslmode=verify-full will succeed for {}. Connect with:",
                paint(Stream::Stdout, GREEN, "OK"),
                report.server_name
            );
            if let Some(command) = &report.fetch_first {
                outln!("  {command}");
            }
            outln!("  {}", lines.psql);
            outln!("  {}", lines.env);
        }
        None => {
            outln!(
                "\n{}: sslmode=verify-full would fail:",
                paint(Stream::Stdout, RED, "FAIL")
            );
            for problem in &report.problems {
                outln!("  - {problem}");
            }
            if !report.fixes.is_empty() {
                outln!("Fix:");
            }
            for fix in &report.fixes {
                outln!("  {fix}");
            }
        }
    }
}
