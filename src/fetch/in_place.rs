//! The in-place re-run: what the destination already holds, and whether that ends the run
//! without a download.

use std::path::{Path, PathBuf};

use super::format::{TrustFormat, held_certificates};
use super::plan::Plan;
use super::report::{FetchReport, FetchStatus, report};
use crate::cert::Certificate;
use crate::error::Error;
use crate::fingerprint::Fingerprint;
use crate::hint::Warning;
use crate::libpq::TrustFile;
use crate::quote::path_text;
use crate::save::{self, Found};

/// A destination file, resolved safely, and what it held when rootcert looked.
pub(super) struct Place {
    pub(super) path: PathBuf,
    pub(super) destination: save::Destination,
    pub(super) found: Found,
}

impl Place {
    pub(super) fn open(path: &Path) -> Result<Place, Error> {
        let destination = save::Destination::open(path)?;
        let found = destination.look()?;
        Ok(Place {
            path: path.to_path_buf(),
            destination,
            found,
        })
    }
}

/// For a destination named after its certificates: the file in `dir` that already holds
/// exactly `pins` in `format`, so a re-run finds it without downloading anything.
pub(super) fn find_in_place(
    dir: &Path,
    pins: &[Fingerprint],
    format: TrustFormat,
) -> Option<Place> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != format.extension()) {
            return None;
        }
        let place = Place::open(&path).ok()?;
        let Found::File(existing) = &place.found else {
            return None;
        };
        let bytes = &existing.bytes;
        (format.loads(bytes) && held_certificates(bytes).is_ok_and(|c| holds_exactly(&c, pins)))
            .then_some(place)
    })
}

/// The in-place re-run: no client, no TLS, no store, just one bounded read.
pub(super) fn check_existing(
    place: &Place,
    pins: &[Fingerprint],
    plan: &Plan<'_>,
) -> Result<Option<FetchReport>, Error> {
    let Found::File(existing) = &place.found else {
        return Ok(None);
    };
    let bytes = &existing.bytes;
    let format = plan.options.format;
    let held = held_certificates(bytes);
    if let Ok(certs) = &held
        && holds_exactly(certs, pins)
    {
        // The right certificates in another form (DER, which libpq cannot load; PEM when a
        // truststore is asked for, or the reverse), or not with the mode and owner asked
        // for: save them again.
        if plan.options.refresh
            || !format.loads(bytes)
            || !plan.options.permissions.satisfied_by(existing)
        {
            return Ok(None);
        }
        place.destination.tidy();
        let source = format!("file:{}", path_text(&place.path));
        let certs: Vec<(&Certificate, &str)> = certs.iter().map(|c| (c, source.as_str())).collect();
        let mut report = report(FetchStatus::Unchanged, Some(&place.path), &certs, format);
        report.warnings.extend(
            place
                .destination
                .warnings
                .iter()
                .cloned()
                .map(Warning::from),
        );
        return Ok(Some(report));
    }
    if plan.options.force {
        return Ok(None);
    }
    // Never the file's bytes: it may be anything a symlink's owner chose.
    let holds = match held {
        Ok(certs) => format!("a different certificate: {}", describe(&certs)),
        Err(_) => describe_not_certificate(bytes),
    };
    Err(Error::DestinationExists {
        path: path_text(&place.path),
        holds,
    })
}

/// What a file that is not a certificate is, in words, without quoting it.
fn describe_not_certificate(bytes: &[u8]) -> String {
    let kind = if bytes.is_empty() {
        "nothing (an empty file)".to_string()
    } else if crate::pkcs12::looks_like_pfx(bytes) {
        "a PKCS#12 file whose certificates rootcert cannot read without its password".to_string()
    } else if bytes.windows(11).any(|w| w == b"PRIVATE KEY") {
        "a private key".to_string()
    } else if TrustFile::load(bytes).format == crate::libpq::Format::Pem {
        "PEM that holds no certificate".to_string()
    } else if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "text that is not a certificate".to_string()
    } else {
        "binary data that is not a certificate".to_string()
    };
    format!(
        "{kind} ({} bytes), not a certificate it would replace silently",
        bytes.len()
    )
}

/// The same set of certificates, each pin once (order and encoding do not matter).
pub(super) fn holds_exactly(certs: &[Certificate], pins: &[Fingerprint]) -> bool {
    let mut held: Vec<Fingerprint> = certs.iter().map(|c| c.sha256).collect();
    let mut wanted = pins.to_vec();
    held.sort();
    held.dedup();
    wanted.sort();
    held == wanted && certs.len() == held.len()
}

/// `subject (sha256 …)` for each certificate, for messages about what arrived or is in place.
pub(super) fn describe(certs: &[Certificate]) -> String {
    let described: Vec<String> = certs
        .iter()
        .map(|c| format!("{} (sha256 {})", c.subject(), c.sha256))
        .collect();
    described.join("; ")
}
