//! `rootcert verify`: does this file hold every pinned certificate (and for long enough)?
//! No network: this is what a cron job, a health check or a CI step runs.

use std::path::Path;
use std::time::SystemTime;

use serde::Serialize;

use crate::catalog;
use crate::cert::Cert;
use crate::cli::VerifyArgs;
use crate::error::{Error, exit};
use crate::fetch::resolve_profiles;
use crate::fingerprint::Fingerprint;
use crate::libpq::{self, TrustFile};
use crate::output::{path_text, print_json, shell_word};
use crate::parse::parse_local;
use crate::read::{MAX_FILE_BYTES, read_file};

/// A certificate the file must hold.
struct Required {
    name: String,
    pin: Fingerprint,
}

#[derive(Serialize)]
struct VerifyReport {
    status: &'static str,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    path: String,
    certificates: Vec<HeldCert>,
    missing: Vec<MissingCert>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct HeldCert {
    subject: String,
    sha256: String,
    not_before: String,
    not_after: String,
    days_left: i64,
    pinned: bool,
    profile: Option<&'static str>,
}

#[derive(Serialize)]
struct MissingCert {
    name: String,
    sha256: String,
}

pub fn run(args: &VerifyArgs) -> Result<u8, Error> {
    let required = required_certificates(args)?;
    let path = &args.path();
    let bytes = read_file(path, MAX_FILE_BYTES).map_err(|e| Error::File(e.message))?;
    // The file must be one libpq loads; a DER file is still listed, to say what it holds.
    let file = TrustFile::load(&bytes);
    let certs = match &file.error {
        None => file.certs.clone(),
        Some(_) => parse_local(&bytes).map_err(|why| {
            Error::content(format!(
                "{}: {why}; libpq cannot load it. Fix: {}",
                path_text(path),
                libpq::trust_file_fix(
                    &path_text(path).to_string(),
                    &fetch_command(args),
                    file.format
                )
            ))
        })?,
    };
    let mut report = check(path, &certs, &required, args.min_days, SystemTime::now());
    if let Some(error) = report.error.as_mut().filter(|_| !report.missing.is_empty()) {
        error.push_str(&format!(
            ". Get the right file with: {} -o {} --force",
            fetch_command(args),
            shell_word(&path_text(path).to_string())
        ));
    }
    if let Some(why) = &file.error {
        let problem = format!(
            "{}: libpq cannot load it: {why}. Fix: {}",
            path_text(path),
            libpq::trust_file_fix(
                &path_text(path).to_string(),
                &fetch_command(args),
                file.format
            )
        );
        report.error = Some(match report.error.take() {
            Some(other) => format!("{problem}; also {other}"),
            None => problem,
        });
        report.status = "error";
        report.exit_code = exit::CONTENT;
    }
    if args.json {
        print_json(&report);
    } else {
        print_human(&report);
    }
    if let Some(error) = &report.error {
        eprintln!("error: {error}");
    }
    Ok(report.exit_code)
}

fn required_certificates(args: &VerifyArgs) -> Result<Vec<Required>, Error> {
    let mut required: Vec<Required> = Vec::new();
    let profiles = if args.profiles().is_empty() && !args.sha256.is_empty() {
        Vec::new()
    } else {
        resolve_profiles(&args.profiles())?
    };
    let from_profiles = profiles
        .iter()
        .flat_map(|p| p.certs.iter())
        .map(|spec| spec.pin());
    // A pin named twice (by a profile and by --sha256) is required once.
    for pin in from_profiles.chain(args.sha256.iter().copied()) {
        if required.iter().all(|r| r.pin != pin) {
            let name = catalog::cert_with_pin(&pin).map_or_else(
                || "the pinned certificate".to_string(),
                |c| c.name.to_string(),
            );
            required.push(Required { name, pin });
        }
    }
    Ok(required)
}

fn check(
    path: &Path,
    certs: &[Cert],
    required: &[Required],
    min_days: Option<u32>,
    now: SystemTime,
) -> VerifyReport {
    let pinned = |c: &Cert| required.iter().any(|r| r.pin == c.sha256);
    let held: Vec<HeldCert> = certs
        .iter()
        .map(|c| HeldCert {
            subject: c.subject(),
            sha256: c.sha256.to_string(),
            not_before: c.not_before_rfc3339(),
            not_after: c.not_after_rfc3339(),
            days_left: days_between(now, c.not_after()),
            pinned: pinned(c),
            profile: catalog::profile_of(&c.sha256).map(|p| p.name),
        })
        .collect();
    let missing: Vec<MissingCert> = required
        .iter()
        .filter(|r| certs.iter().all(|c| c.sha256 != r.pin))
        .map(|r| MissingCert {
            name: r.name.clone(),
            sha256: r.pin.to_string(),
        })
        .collect();
    let mut problems: Vec<String> = missing
        .iter()
        .map(|m| format!("{} (sha256 {}) is missing", m.name, m.sha256))
        .collect();
    if let Some(days) = min_days {
        for cert in held
            .iter()
            .filter(|c| c.pinned && c.days_left < i64::from(days))
        {
            problems.push(format!(
                "{} expires on {} ({} days left, fewer than --min-days {days})",
                cert.subject, cert.not_after, cert.days_left
            ));
        }
    }
    let warnings = certs
        .iter()
        .filter(|c| pinned(c))
        .flat_map(|c| c.warnings(now))
        .collect();
    let error =
        (!problems.is_empty()).then(|| format!("{}: {}", path_text(path), problems.join("; ")));
    VerifyReport {
        status: if error.is_some() { "error" } else { "ok" },
        exit_code: if error.is_some() {
            exit::CONTENT
        } else {
            exit::OK
        },
        error,
        path: path_text(path).to_string(),
        certificates: held,
        missing,
        warnings,
    }
}

/// The fetch command (without `-o`) that gets the certificates this verify expects.
fn fetch_command(args: &VerifyArgs) -> String {
    let mut words = vec!["rootcert fetch".to_string()];
    words.extend(args.profiles().iter().cloned());
    words.extend(
        args.sha256
            .iter()
            .map(|p| format!("--sha256 {p} --url URL")),
    );
    words.join(" ")
}

/// Whole days from `now` to `then`, negative when `then` has passed.
fn days_between(now: SystemTime, then: SystemTime) -> i64 {
    match then.duration_since(now) {
        Ok(ahead) => (ahead.as_secs() / 86_400) as i64,
        Err(behind) => -((behind.duration().as_secs() / 86_400) as i64) - 1,
    }
}

fn print_human(report: &VerifyReport) {
    let verdict = if report.error.is_none() {
        "OK, holds every pinned certificate"
    } else {
        "FAILED"
    };
    crate::outln!("{}: {verdict}", report.path);
    for cert in &report.certificates {
        let role = if cert.pinned { "pinned" } else { "other " };
        crate::outln!("  {role}  {}", cert.subject);
        crate::outln!("          sha256 {}", cert.sha256);
        crate::outln!(
            "          expires {} ({} days left)",
            cert.not_after,
            cert.days_left
        );
    }
    for missing in &report.missing {
        crate::outln!("  MISSING {} (sha256 {})", missing.name, missing.sha256);
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn days_left_counts_whole_days_and_goes_negative() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            days_between(now, now + Duration::from_secs(86_400 * 3 + 5)),
            3
        );
        assert_eq!(days_between(now, now - Duration::from_secs(5)), -1);
    }
}
