//! `rootcert fetch`: get the pinned certificates from the first source that has them, and
//! save them as one file, or do nothing when the file already holds them. This file holds
//! the options and the run, step by step; each step lives in its own module.

mod format;
mod in_place;
mod plan;
mod report;
mod sources;

use std::path::PathBuf;

use crate::cert::Certificate;
use crate::download::NetOptions;
use crate::error::Error;
use crate::fingerprint::Fingerprint;
use crate::hint::Warning;
use crate::save::{self, Found, Permissions, Saved};
pub use format::TrustFormat;
use format::held_certificates;
use in_place::{Place, check_existing, find_in_place, holds_exactly};
use plan::{Plan, ResolvedOutput, file_name_for};
use report::report;
pub use report::{CertSummary, FetchReport, FetchStatus};
use sources::Sources;

/// What `rootcert fetch` is asked to do, in plain terms.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Catalog profiles (names or aliases); empty means the default profile.
    pub profiles: Vec<String>,
    /// Pins to fetch instead of the profiles' (their URLs still apply).
    pub pins: Vec<Fingerprint>,
    /// URLs to download from instead of the profiles', in order.
    pub urls: Vec<String>,
    /// A mirror that serves every certificate under its published file name.
    pub mirror: Option<String>,
    /// Where to put the file.
    pub out: Output,
    /// PEM, or a PKCS#12 truststore for Java.
    pub format: TrustFormat,
    /// Download at all (false: `--offline`).
    pub use_network: bool,
    /// Use the OS trust store as a source after the network.
    pub use_system: bool,
    /// Use rootcert's built-in copies of the catalog roots as the last source (never for
    /// custom pins).
    pub use_builtin: bool,
    /// Download limits and trust.
    pub net: NetOptions,
    /// The saved file's mode, owner and group (unset: kept from the file it replaces).
    pub permissions: Permissions,
    /// Replace a file that holds other certificates.
    pub force: bool,
    /// Download even when the destination already holds the pins.
    pub refresh: bool,
    /// Hears what happens on the way (a failed source, a fallback): lasting notes.
    pub notes: Option<crate::Listener>,
    /// Hears what is going on now (a download in flight, a wait before a retry), for a
    /// status line that the next message replaces.
    pub progress: Option<crate::Listener>,
}

impl Default for FetchOptions {
    /// The default profile, to the default path, network first and the OS store last.
    fn default() -> Self {
        FetchOptions {
            profiles: Vec::new(),
            pins: Vec::new(),
            urls: Vec::new(),
            mirror: None,
            out: Output::Default,
            format: TrustFormat::Pem,
            use_network: true,
            use_system: true,
            use_builtin: true,
            net: NetOptions::default(),
            permissions: Permissions::default(),
            force: false,
            refresh: false,
            notes: None,
            progress: None,
        }
    }
}

/// Where the fetched PEM goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The platform data directory (or `$ROOTCERT_DIR`), under the profile's file name.
    Default,
    /// A file, or a directory (existing, or written with a trailing `/`) to save inside.
    Path(PathBuf),
    /// Nowhere: the PEM is returned in the report, for the caller to write out.
    Stdout,
}

/// The file libpq reads when `sslrootcert` is not set: `~/.postgresql/root.crt`
/// (`%APPDATA%\postgresql\root.crt` on Windows, in the folder libpq asks Windows for).
/// While it exists, libpq verifies the server certificate even under `sslmode=require`.
pub fn libpq_default_file() -> Option<PathBuf> {
    crate::platform::libpq_default_file()
}

/// Gets the pinned certificates from the first source that has them and saves them as
/// one PEM file, or does nothing when the file already holds exactly them.
pub fn fetch(options: &FetchOptions) -> Result<FetchReport, Error> {
    let plan = &Plan::new(options)?;
    let pins: Vec<Fingerprint> = plan.wanted.iter().map(|w| w.pin).collect();
    let format = options.format;
    // The destination as it is before any download: the in-place re-run ends here.
    let mut target = match &plan.output {
        ResolvedOutput::File(path) => {
            let place = Place::open(path)?;
            if let Some(report) = check_existing(&place, &pins, plan)? {
                return Ok(report);
            }
            Some(place)
        }
        ResolvedOutput::NamedIn(dir) => {
            let _ = save::Destination::open(&dir.join("x"))?;
            if let Some(place) = find_in_place(dir, &pins, format)
                && let Some(report) = check_existing(&place, &pins, plan)?
            {
                return Ok(report);
            }
            None
        }
        ResolvedOutput::Stdout => None,
    };

    let mut sources = Sources::new(plan);
    let mut found: Vec<(Certificate, String)> = Vec::new();
    for wanted in &plan.wanted {
        found.push(sources.get(wanted)?);
    }

    let pem: String = found.iter().map(|(cert, _)| cert.to_pem()).collect();
    if let ResolvedOutput::NamedIn(dir) = &plan.output {
        let certs: Vec<&Certificate> = found.iter().map(|(c, _)| c).collect();
        let place = Place::open(&dir.join(format.file_name(file_name_for(&certs))))?;
        if let Some(report) = check_existing(&place, &pins, plan)? {
            return Ok(report);
        }
        target = Some(place);
    }
    let certs: Vec<(&Certificate, &str)> = found.iter().map(|(c, s)| (c, s.as_str())).collect();
    let Some(mut place) = target else {
        let mut report = report(FetchStatus::Saved, None, &certs, format);
        report.pem = Some(pem);
        return Ok(report);
    };
    let only_certs: Vec<&Certificate> = found.iter().map(|(c, _)| c).collect();
    // A truststore is written the same way every time (no salt, no MAC), so this compares
    // like the PEM.
    let contents = format.encode(&only_certs);
    // --refresh that downloaded exactly what is there: nothing to write, nothing changed.
    if let Found::File(existing) = &place.found
        && existing.bytes == contents
        && options.permissions.satisfied_by(existing)
    {
        place.destination.tidy();
        let mut report = report(FetchStatus::Unchanged, Some(&place.path), &certs, format);
        report
            .warnings
            .extend(place.destination.warnings.drain(..).map(Warning::from));
        return Ok(report);
    }
    let in_place = |bytes: &[u8]| {
        format.loads(bytes)
            && held_certificates(bytes).is_ok_and(|held| holds_exactly(&held, &pins))
    };
    let status =
        match place
            .destination
            .save(&contents, &place.found, options.permissions, in_place)?
        {
            Saved::Written => FetchStatus::Saved,
            Saved::AlreadyThere => FetchStatus::Unchanged,
        };
    let mut report = report(status, Some(&place.path), &certs, format);
    report
        .warnings
        .extend(place.destination.warnings.drain(..).map(Warning::from));
    Ok(report)
}
