//! `rootcert verify`: does this file hold every pinned certificate (and for long enough)?
//! No network: this is what a cron job, a health check or a CI step runs.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use crate::catalog;
use crate::catalog::resolve_profiles;
use crate::cert::Certificate;
use crate::error::{Error, exit};
use crate::fingerprint::Fingerprint;
use crate::libpq::{self, TrustFile};
use crate::parse::parse_local;
use crate::quote::{path_text, shell_word};
use crate::read::{MAX_FILE_BYTES, read_file};

/// What `rootcert verify` checks.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Catalog profiles whose certificates must be present; none (and no pins) means the
    /// default profile.
    pub profiles: Vec<String>,
    /// Certificates that must be present, by pin.
    pub pins: Vec<Fingerprint>,
    /// The trust file.
    pub path: PathBuf,
    /// Fail when a pinned certificate expires within this many days.
    pub min_days: Option<u32>,
}

/// A certificate the file must hold.
struct Required {
    name: String,
    pin: Fingerprint,
}

/// What the file holds, and whether that is every pinned certificate in a form libpq loads.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct VerifyReport {
    /// Passed or failed.
    pub status: VerifyStatus,
    /// 0 or 4.
    pub exit_code: u8,
    /// What is wrong, with the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The file, as text.
    pub path: String,
    /// What the file is: `pem`, `der`, `pkcs12` (a Java truststore), `empty` or `other`.
    pub format: &'static str,
    /// Every certificate in the file.
    pub certificates: Vec<HeldCert>,
    /// Pinned certificates the file lacks.
    pub missing: Vec<MissingCert>,
    /// Sanity checks that do not fail the run.
    pub warnings: Vec<String>,
}

/// A verification's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyStatus {
    /// Every pinned certificate is present, in a file libpq loads.
    Ok,
    /// Something is missing or wrong.
    Error,
}

/// One certificate the file holds.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct HeldCert {
    /// RFC 2253.
    pub subject: String,
    /// Colon hex.
    pub sha256: crate::Fingerprint,
    /// RFC 3339.
    pub not_before: crate::Timestamp,
    /// RFC 3339.
    pub not_after: crate::Timestamp,
    /// Whole days until it expires, negative once it has.
    pub days_left: i64,
    /// Whether it is one of the required certificates.
    pub pinned: bool,
    /// The catalog profile it belongs to.
    pub profile: Option<&'static str>,
}

/// A required certificate the file lacks.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct MissingCert {
    /// Its catalog name, or "the pinned certificate".
    pub name: String,
    /// Colon hex.
    pub sha256: crate::Fingerprint,
}

impl VerifyReport {
    /// 0 when every pinned certificate is present and usable, else 4.
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }
}

/// Checks that a file holds every pinned certificate, in a form libpq can load, for at
/// least `min_days` more days. No network: nothing but the trust file is read.
///
/// ```
/// use rootcert::{Fingerprint, VerifyOptions, VerifyStatus};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("root.crt");
/// std::fs::write(&path, include_str!("../fixtures/DigiCertGlobalRootG2.crt.pem"))?;
/// let g2: Fingerprint = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:\
///                        47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F".replace(' ', "").parse()?;
/// let options = VerifyOptions { profiles: Vec::new(), pins: vec![g2], path, min_days: None };
/// let report = rootcert::verify(&options)?;
/// assert_eq!(report.status, VerifyStatus::Ok);
///
/// // Another root's pin is missing from that file: the report names it.
/// let isrg = rootcert::parse_certificates(include_bytes!("../fixtures/isrgrootx1.pem"))?;
/// let report = rootcert::verify(&VerifyOptions { pins: vec![isrg[0].sha256], ..options })?;
/// assert_eq!(report.status, VerifyStatus::Error);
/// assert_eq!(report.missing.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(options: &VerifyOptions) -> Result<VerifyReport, Error> {
    let required = required_certificates(options)?;
    let path = &options.path;
    let bytes = read_file(path, MAX_FILE_BYTES).map_err(|e| Error::File(e.message))?;
    let shown = path_text(path);
    if crate::pkcs12::looks_like_pfx(&bytes) {
        return verify_truststore(options, &required, &bytes, &shown);
    }
    let fix = |file: &TrustFile| libpq::trust_file_fix(&shown, &fetch_command(options), file);
    // The file must be one libpq loads; a DER file is still listed, to say what it holds.
    let file = TrustFile::load(&bytes);
    let certs = match &file.error {
        None => file.certs.clone(),
        Some(_) => parse_local(&bytes).map_err(|why| {
            Error::content(format!(
                "{shown}: {why}; libpq cannot load it. Fix: {}",
                fix(&file)
            ))
        })?,
    };
    let mut report = check(path, &certs, &required, options.min_days, SystemTime::now());
    report.format = match file.format {
        libpq::Format::Pem => "pem",
        libpq::Format::Der => "der",
        libpq::Format::Empty => "empty",
        libpq::Format::Other => "other",
    };
    if let Some(error) = report.error.as_mut().filter(|_| !report.missing.is_empty()) {
        if file.holds_private_key {
            error.push_str(&format!(". Fix: {}", fix(&file)));
        } else {
            error.push_str(&format!(
                ". Get the right file with: {} -o {} --force",
                fetch_command(options),
                shell_word(&shown)
            ));
        }
    }
    if let Some(why) = &file.error {
        let problem = format!("{shown}: libpq cannot load it: {why}. Fix: {}", fix(&file));
        report.error = Some(match report.error.take() {
            Some(other) => format!("{problem}; also {other}"),
            None => problem,
        });
        report.status = VerifyStatus::Error;
        report.exit_code = exit::CONTENT;
    }
    Ok(report)
}

/// A PKCS#12 file, judged as Java reads it: every pinned certificate must be a trusted
/// entry (a certificate bag without Java's trusted-key-usage attribute is no entry at all).
fn verify_truststore(
    options: &VerifyOptions,
    required: &[Required],
    bytes: &[u8],
    shown: &str,
) -> Result<VerifyReport, Error> {
    let store =
        crate::pkcs12::read(bytes).map_err(|why| Error::content(format!("{shown}: {why}")))?;
    let mut report = check(
        &options.path,
        &store.certs(),
        required,
        options.min_days,
        SystemTime::now(),
    );
    report.format = "pkcs12";
    let mut problems = Vec::new();
    for entry in store.entries.iter().filter(|e| !e.trusted) {
        let what = format!(
            "{} is in a certificate bag without Java's trusted-key-usage attribute, so Java \
             does not list it as a trusted entry",
            entry.cert.subject()
        );
        if required.iter().any(|r| r.pin == entry.cert.sha256) {
            problems.push(what);
        } else {
            report.warnings.push(what);
        }
    }
    if store.encrypted_parts > 0 {
        let what = format!(
            "{} part(s) of it are encrypted with a password, which rootcert does not take: \
             their certificates were not read",
            store.encrypted_parts
        );
        if report.missing.is_empty() {
            report.warnings.push(what);
        } else {
            problems.push(what);
        }
    }
    if store.keys > 0 {
        report.warnings.push(format!(
            "it holds {} private key(s): a keystore, not only a truststore",
            store.keys
        ));
    }
    if !problems.is_empty() || report.error.is_some() {
        let mut error = match report.error.take() {
            Some(error) if problems.is_empty() => error,
            Some(error) => format!("{error}; {}", problems.join("; ")),
            None => format!("{shown}: {}", problems.join("; ")),
        };
        if !problems.is_empty() || !report.missing.is_empty() {
            error.push_str(&format!(
                ". Get the right file with: {} --format pkcs12 -o {} --force",
                fetch_command(options),
                shell_word(shown)
            ));
        }
        report.error = Some(error);
        report.status = VerifyStatus::Error;
        report.exit_code = exit::CONTENT;
    }
    Ok(report)
}

fn required_certificates(options: &VerifyOptions) -> Result<Vec<Required>, Error> {
    let mut required: Vec<Required> = Vec::new();
    let profiles = if options.profiles.is_empty() && !options.pins.is_empty() {
        Vec::new()
    } else {
        resolve_profiles(&options.profiles)?
    };
    let from_profiles = profiles
        .iter()
        .flat_map(|p| p.certs.iter())
        .map(|spec| spec.pin());
    // A pin named twice (by a profile and by --sha256) is required once.
    for pin in from_profiles.chain(options.pins.iter().copied()) {
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
    certs: &[Certificate],
    required: &[Required],
    min_days: Option<u32>,
    now: SystemTime,
) -> VerifyReport {
    let pinned = |c: &Certificate| required.iter().any(|r| r.pin == c.sha256);
    let held: Vec<HeldCert> = certs
        .iter()
        .map(|c| HeldCert {
            subject: c.subject(),
            sha256: c.sha256,
            not_before: c.not_before_timestamp(),
            not_after: c.not_after_timestamp(),
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
            sha256: r.pin,
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
                "{} expires on {} ({} days left, fewer than the {days} days asked for)",
                cert.subject, cert.not_after, cert.days_left
            ));
        }
    }
    let warnings = certs
        .iter()
        .filter(|c| pinned(c))
        .flat_map(|c| crate::anchor::warnings(c, now))
        .collect();
    let error =
        (!problems.is_empty()).then(|| format!("{}: {}", path_text(path), problems.join("; ")));
    VerifyReport {
        status: if error.is_some() {
            VerifyStatus::Error
        } else {
            VerifyStatus::Ok
        },
        exit_code: if error.is_some() {
            exit::CONTENT
        } else {
            exit::OK
        },
        error,
        path: path_text(path),
        format: "pem",
        certificates: held,
        missing,
        warnings,
    }
}

/// The fetch command (without `-o`) that gets the certificates this verify expects.
fn fetch_command(options: &VerifyOptions) -> String {
    let mut words = vec!["rootcert fetch".to_string()];
    words.extend(options.profiles.iter().cloned());
    words.extend(
        options
            .pins
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
