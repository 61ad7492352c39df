//! Reports as people read them. (With `--json` a report is printed as it serialises.)

use rootcert::{
    CheckOutcome, CheckReport, FetchReport, FetchStatus, InspectReport, Verdict, VerifyReport,
};
use serde::Serialize;

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
    let bare = [
        report.host.clone(),
        format!("{}:{}", report.host, report.port),
    ];
    if !bare.contains(&report.target) {
        outln!(
            "{} ({} settings, {})",
            report.target,
            report.client,
            report.mode
        );
    }
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
    let word = !report.mode.contains(' ') && !report.mode.contains('=');
    let mut what = match report.protocol {
        "postgres" if word => format!("sslmode={}", report.mode),
        "mysql" if word => format!("ssl-mode={}", report.mode),
        "tls" => "TLS with verification".to_string(),
        _ => report.mode.clone(),
    };
    if !matches!(report.client, "libpq" | "tls") {
        what.push_str(&format!(" ({})", report.client));
    }
    match report.verdict {
        Verdict::Pass => {
            outln!(
                "\n{}: {what} will succeed for {}. Connect with:",
                paint(Stream::Stdout, GREEN, "OK"),
                report.server_name
            );
            if let Some(command) = &report.fetch_first {
                outln!("  {command}");
            }
            for setting in &report.settings {
                outln!("  {}", setting.text);
            }
            if let Some(lines) = &report.connect {
                outln!("  {}", lines.env);
            }
            for problem in &report.problems {
                outln!("  {problem}");
            }
        }
        verdict => {
            let (label, how) = match verdict {
                Verdict::Fail => ("FAIL", "would fail"),
                _ => ("UNVERIFIED", "would not verify the server"),
            };
            outln!("\n{}: {what} {how}:", paint(Stream::Stdout, RED, label));
            for problem in &report.problems {
                outln!("  - {problem}");
            }
            if !report.fixes.is_empty() {
                outln!("Fix:");
            }
            for fix in &report.fixes {
                outln!("  {fix}");
            }
            if !report.settings.is_empty() {
                outln!("Verified settings that would work:");
                for setting in &report.settings {
                    outln!("  {}", setting.text);
                }
            }
        }
    }
}

/// One server's result as one JSON line: the report, or the error.
#[derive(Serialize)]
pub struct CheckLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    report: Option<&'a CheckReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    exit_code: u8,
}

impl<'a> CheckLine<'a> {
    pub fn new(outcome: &'a CheckOutcome) -> Self {
        match &outcome.result {
            Ok(report) => CheckLine {
                report: Some(report),
                target: None,
                protocol: None,
                host: None,
                port: None,
                verdict: None,
                ok: None,
                error: None,
                exit_code: report.exit_code(),
            },
            Err(e) => CheckLine {
                report: None,
                target: Some(&outcome.target),
                protocol: Some(outcome.protocol.as_str()),
                host: Some(&outcome.host),
                port: Some(outcome.port),
                verdict: Some("error"),
                ok: Some(false),
                error: Some(e.to_string()),
                exit_code: e.exit_code(),
            },
        }
    }
}

/// The summary table: target, protocol, verdict, chain root, earliest expiry; then why
/// each target that did not pass did not.
pub fn check_table(outcomes: &[CheckOutcome]) {
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            let shown = if o.target.contains(&o.host) || o.host.is_empty() {
                o.target.clone()
            } else {
                format!("{} ({}:{})", o.target, o.host, o.port)
            };
            match &o.result {
                Ok(r) => [
                    shown,
                    o.protocol.as_str().to_string(),
                    r.verdict.as_str().to_string(),
                    r.root
                        .as_ref()
                        .map_or_else(|| "-".to_string(), |root| short_name(&root.subject)),
                    r.earliest_expiry
                        .as_deref()
                        .map_or_else(|| "-".to_string(), |d| d.chars().take(10).collect()),
                ],
                Err(_) => [
                    shown,
                    o.protocol.as_str().to_string(),
                    "error".to_string(),
                    "-".to_string(),
                    "-".to_string(),
                ],
            }
        })
        .collect();
    let headers = ["TARGET", "PROTOCOL", "VERDICT", "ROOT", "EXPIRES"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == 4 {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        text
    };
    outln!("{}", line(headers));
    for row in &rows {
        outln!("{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    let passed = outcomes
        .iter()
        .filter(|o| o.result.as_ref().is_ok_and(|r| r.ok))
        .count();
    outln!("\n{passed} of {} passed", outcomes.len());
    for (o, row) in outcomes.iter().zip(&rows) {
        match &o.result {
            Ok(r) if r.ok => {}
            Ok(r) => {
                outln!("\n{}: {}", row[0], r.verdict.as_str());
                for problem in &r.problems {
                    outln!("  - {problem}");
                }
                for fix in &r.fixes {
                    outln!("  fix: {fix}");
                }
            }
            Err(e) => outln!("\n{}: error\n  - {e}", row[0]),
        }
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
