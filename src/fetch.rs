//! `rootcert fetch`: get the pinned certificates from the first source that has them, and
//! save them as one PEM file, or do nothing when the file already holds them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use crate::catalog::{self, Profile, default_dir, file_name, resolve_profiles};
use crate::cert::Cert;
use crate::download::{Downloader, NetOptions};
use crate::error::{Attempt, Error};
use crate::fingerprint::Fingerprint;
use crate::libpq::TrustFile;
use crate::parse::{looks_like_html, parse_certificates};
use crate::quote::{ConnectLines, JavaLines, path_text, url_text};
use crate::save::{self, Found, Permissions, Saved};
use crate::system_store::SystemStore;

/// One certificate as `fetch` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// The catalog's name for it, or its common name.
    pub name: String,
    /// RFC 2253, as openssl prints it.
    pub subject: String,
    /// SHA-256 over the DER, colon hex.
    pub sha256: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// Where it came from: a URL, `system:` and the store, or `file:` and the destination.
    pub source: String,
}

impl CertSummary {
    pub(crate) fn new(cert: &Cert, source: &str) -> Self {
        CertSummary {
            name: crate::catalog::cert_with_pin(&cert.sha256)
                .map_or_else(|| cert.display_name(), |spec| spec.name.to_string()),
            subject: cert.subject(),
            sha256: cert.sha256.to_string(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
            source: source.to_string(),
        }
    }
}

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
    pub notes: Option<fn(&str)>,
    /// Hears what is going on now (a download in flight, a wait before a retry), for a
    /// status line that the next message replaces.
    pub progress: Option<fn(&str)>,
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

/// The kind of file `fetch` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustFormat {
    /// PEM: libpq's `sslrootcert`, and what most clients read.
    #[default]
    Pem,
    /// A PKCS#12 truststore for Java (`javax.net.ssl.trustStore`): every certificate a
    /// trusted entry, no password (see `pkcs12.rs` for why and what Java 17 does with it).
    Pkcs12,
}

impl TrustFormat {
    /// As people read it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustFormat::Pem => "PEM",
            TrustFormat::Pkcs12 => "PKCS#12 truststore",
        }
    }

    /// The file name for this format, from the PEM one the catalog publishes
    /// (`DigiCertGlobalRootG2.crt.pem` becomes `DigiCertGlobalRootG2.p12`).
    fn file_name(self, pem_name: String) -> String {
        match self {
            TrustFormat::Pem => pem_name,
            TrustFormat::Pkcs12 => {
                let stem = [".crt.pem", ".pem", ".crt"]
                    .iter()
                    .find_map(|suffix| pem_name.strip_suffix(suffix))
                    .unwrap_or(&pem_name);
                format!("{stem}.p12")
            }
        }
    }

    fn extension(self) -> &'static str {
        match self {
            TrustFormat::Pem => "pem",
            TrustFormat::Pkcs12 => "p12",
        }
    }

    /// The file holding `certs` in this format.
    fn encode(self, certs: &[&Cert]) -> Vec<u8> {
        match self {
            TrustFormat::Pem => certs
                .iter()
                .map(|c| c.to_pem())
                .collect::<String>()
                .into_bytes(),
            TrustFormat::Pkcs12 => {
                let names: Vec<String> = certs.iter().map(|c| c.display_name()).collect();
                let entries: Vec<(&Cert, &str)> = certs
                    .iter()
                    .zip(&names)
                    .map(|(c, n)| (*c, n.as_str()))
                    .collect();
                crate::pkcs12::truststore(&entries)
            }
        }
    }

    /// Whether `bytes` are a file of this format that its readers load whole: PEM that libpq
    /// loads, or a truststore Java reads as trusted entries only.
    fn loads(self, bytes: &[u8]) -> bool {
        match self {
            TrustFormat::Pem => TrustFile::load(bytes).error.is_none(),
            TrustFormat::Pkcs12 => {
                crate::pkcs12::read(bytes).is_ok_and(|store| store.is_java_truststore())
            }
        }
    }
}

/// The certificates a file holds: PEM or DER, or the readable entries of a PKCS#12 file.
fn held_certificates(bytes: &[u8]) -> Result<Vec<Cert>, String> {
    if crate::pkcs12::looks_like_pfx(bytes) {
        let store = crate::pkcs12::read(bytes)?;
        if store.entries.is_empty() && store.encrypted_parts > 0 {
            return Err("a PKCS#12 file whose certificates are encrypted".to_string());
        }
        return Ok(store.certs());
    }
    parse_certificates(bytes)
}

/// What `fetch` did.
#[derive(Debug, Serialize)]
pub struct FetchReport {
    /// Saved, or already in place.
    pub status: FetchStatus,
    /// The kind of file: `pem`, or `pkcs12` (a Java truststore).
    pub format: TrustFormat,
    /// The saved file: exact when the path is UTF-8, else with `\xNN` for the bytes
    /// that are not (and `path_escaped` set). None for [`Output::Stdout`].
    pub path: Option<String>,
    /// The path holds bytes that are not UTF-8, written as `\xNN`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub path_escaped: bool,
    /// The certificates, with where each came from.
    pub certificates: Vec<CertSummary>,
    /// Sanity checks that did not stop the run.
    pub warnings: Vec<String>,
    /// How to point psql and every libpq client at the saved file (PEM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectLines>,
    /// How to point a JVM and pgjdbc at the saved truststore (PKCS#12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub java: Option<JavaLines>,
    /// The PEM, for [`Output::Stdout`].
    #[serde(skip)]
    pub pem: Option<String>,
    /// The saved file's path exactly (bytes that are not UTF-8 included), for a hook.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// A fetch's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchStatus {
    /// Written (a new file, a replacement, or stdout).
    Saved,
    /// The destination already held exactly the pinned certificates.
    Unchanged,
}

impl FetchReport {
    /// Always 0: a fetch that fails returns an [`Error`].
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::OK
    }
}

/// One certificate to fetch: a name for messages, its pin, and its URLs in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    name: String,
    pin: Fingerprint,
    urls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    Stdout,
    File(PathBuf),
    /// A file in this directory named after the certificates it will hold, for custom pins
    /// outside the catalog: their names are known only once they arrive.
    NamedIn(PathBuf),
}

/// The options worked out: each certificate with its sources, and the destination.
struct Plan<'a> {
    options: &'a FetchOptions,
    wanted: Vec<Wanted>,
    destination: Destination,
}

impl Plan<'_> {
    fn note(&self, message: &str) {
        if let Some(notes) = self.options.notes {
            notes(message);
        }
    }

    fn progress(&self, message: &str) {
        if let Some(progress) = self.options.progress {
            progress(message);
        }
    }
}

impl<'a> Plan<'a> {
    fn new(options: &'a FetchOptions) -> Result<Self, Error> {
        if options.format == TrustFormat::Pkcs12 && options.out == Output::Stdout {
            return Err(Error::Usage(
                "a PKCS#12 truststore is binary; save it to a file with -o PATH".into(),
            ));
        }
        let profiles = resolve_profiles(&options.profiles)?;
        let mut wanted = wanted_certificates(&profiles, &options.pins, &options.urls);
        if let Some(base) = &options.mirror {
            apply_mirror(&mut wanted, &profiles, base)?;
        }
        // Custom pins without a profile are saved under their own names, never under the
        // default profile's: a file is named after what it holds.
        let custom_only = options.profiles.is_empty() && !options.pins.is_empty();
        let in_dir = |dir: PathBuf| -> Destination {
            let format = options.format;
            if !custom_only {
                return Destination::File(dir.join(format.file_name(file_name(&profiles))));
            }
            match catalog_file_name(&options.pins) {
                Some(name) => Destination::File(dir.join(format.file_name(name))),
                None => Destination::NamedIn(dir),
            }
        };
        let destination = match &options.out {
            Output::Stdout => Destination::Stdout,
            // An existing directory, or a path written as one (`-o certs/`), gets the file name.
            Output::Path(out) if out.is_dir() || ends_with_separator(out) => in_dir(out.clone()),
            Output::Path(out) => Destination::File(out.clone()),
            Output::Default => in_dir(default_dir()?),
        };
        let destination = match destination {
            Destination::File(path) => Destination::File(absolute(&path)?),
            Destination::NamedIn(dir) => Destination::NamedIn(absolute(&dir)?),
            stdout => stdout,
        };
        Ok(Plan {
            options,
            wanted,
            destination,
        })
    }
}

/// The certificates to fetch, each once, in the order the profiles name them.
fn wanted_certificates(
    profiles: &[&Profile],
    pins: &[Fingerprint],
    urls: &[String],
) -> Vec<Wanted> {
    let specs = profiles.iter().flat_map(|p| p.certs.iter());
    let mut wanted: Vec<Wanted> = Vec::new();
    if pins.is_empty() {
        for spec in specs {
            if wanted.iter().all(|w| w.pin != spec.pin()) {
                wanted.push(Wanted {
                    name: spec.name.to_string(),
                    pin: spec.pin(),
                    urls: spec.urls.iter().map(|u| u.to_string()).collect(),
                });
            }
        }
    } else {
        // Custom pins: the profiles' URLs, any of which may deliver any pinned certificate.
        let mut profile_urls: Vec<String> = Vec::new();
        for url in specs.flat_map(|s| s.urls.iter()) {
            if !profile_urls.iter().any(|u| u == url) {
                profile_urls.push(url.to_string());
            }
        }
        for pin in pins {
            if wanted.iter().all(|w| w.pin != *pin) {
                wanted.push(Wanted {
                    name: format!("the certificate pinned as {pin}"),
                    pin: *pin,
                    urls: profile_urls.clone(),
                });
            }
        }
    }
    if !urls.is_empty() {
        for w in &mut wanted {
            w.urls = urls.to_vec();
        }
    }
    wanted
}

/// Points every certificate at `base` + its published file name, percent-encoded.
fn apply_mirror(wanted: &mut [Wanted], profiles: &[&Profile], base: &str) -> Result<(), Error> {
    let base = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    let shown = url_text(&base);
    let parsed = reqwest::Url::parse(&base)
        .map_err(|e| Error::Usage(format!("--mirror {shown}: not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Usage(format!(
            "--mirror {shown}: only http and https are supported"
        )));
    }
    for w in wanted {
        let spec = profiles
            .iter()
            .flat_map(|p| p.certs.iter())
            .find(|c| c.pin() == w.pin)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--mirror needs a catalog certificate's file name; {} is not in the named profiles",
                    w.name
                ))
            })?;
        // The URL crate percent-encodes the file name as one path segment.
        let mut url = parsed.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Usage(format!("--mirror {shown}: not a base URL")))?
            .pop_if_empty()
            .push(spec.file_name);
        w.urls = vec![url.to_string()];
    }
    Ok(())
}

/// The file libpq reads when `sslrootcert` is not set: `~/.postgresql/root.crt`
/// (`%APPDATA%\postgresql\root.crt` on Windows, in the folder libpq asks Windows for).
/// While it exists, libpq verifies the server certificate even under `sslmode=require`.
pub fn libpq_default_file() -> Option<PathBuf> {
    crate::platform::libpq_default_file()
}

/// The catalog's file name for these pins when every one is a catalog certificate.
fn catalog_file_name(pins: &[Fingerprint]) -> Option<String> {
    let profiles: Vec<&Profile> = pins
        .iter()
        .map(catalog::profile_of)
        .collect::<Option<_>>()?;
    Some(file_name(&profiles))
}

/// A file name for certificates outside the catalog, made the way the catalog's are: the
/// common name without spaces, `.crt.pem` (several joined with `+`, `.pem`).
fn file_name_for(certs: &[&Cert]) -> String {
    let names: Vec<String> = certs
        .iter()
        .map(|c| {
            let name: String = c
                .display_name()
                .chars()
                .filter(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
                .collect();
            if name.trim_matches('.').is_empty() {
                format!("sha256-{}", hex::encode(&c.sha256.0[..8]))
            } else {
                name
            }
        })
        .collect();
    match names.as_slice() {
        [one] => format!("{one}.crt.pem"),
        several => format!("{}.pem", several.join("+")),
    }
}

fn ends_with_separator(path: &Path) -> bool {
    path.as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator)
}

/// `path` made absolute against the current directory (which may have been removed).
fn absolute(path: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(path)
        .map_err(|e| Error::File(format!("cannot resolve {}: {e}", path_text(path))))
}

/// Gets the pinned certificates from the first source that has them and saves them as
/// one PEM file, or does nothing when the file already holds exactly them.
pub fn fetch(options: &FetchOptions) -> Result<FetchReport, Error> {
    let options = &Plan::new(options)?;
    let pins: Vec<Fingerprint> = options.wanted.iter().map(|w| w.pin).collect();
    // The destination as it is before any download: the in-place re-run ends here.
    let mut target = match &options.destination {
        Destination::File(path) => {
            let place = Place::open(path)?;
            if let Some(report) = check_existing(&place, &pins, options)? {
                return Ok(report);
            }
            Some(place)
        }
        Destination::NamedIn(dir) => {
            let _ = save::Destination::open(&dir.join("x"))?;
            if let Some(place) = find_in_place(dir, &pins, options.options.format)
                && let Some(report) = check_existing(&place, &pins, options)?
            {
                return Ok(report);
            }
            None
        }
        Destination::Stdout => None,
    };

    let mut sources = Sources::new(options);
    let mut found: Vec<(Cert, String)> = Vec::new();
    for wanted in &options.wanted {
        found.push(sources.get(wanted)?);
    }

    let format = options.options.format;
    let pem: String = found.iter().map(|(cert, _)| cert.to_pem()).collect();
    if let Destination::NamedIn(dir) = &options.destination {
        let certs: Vec<&Cert> = found.iter().map(|(c, _)| c).collect();
        let place = Place::open(&dir.join(format.file_name(file_name_for(&certs))))?;
        if let Some(report) = check_existing(&place, &pins, options)? {
            return Ok(report);
        }
        target = Some(place);
    }
    let certs: Vec<(&Cert, &str)> = found.iter().map(|(c, s)| (c, s.as_str())).collect();
    let Some(mut place) = target else {
        let mut report = report(FetchStatus::Saved, None, &certs, format);
        report.pem = Some(pem);
        return Ok(report);
    };
    let only_certs: Vec<&Cert> = found.iter().map(|(c, _)| c).collect();
    // A truststore is written the same way every time (no salt, no MAC), so this compares
    // like the PEM.
    let contents = format.encode(&only_certs);
    // --refresh that downloaded exactly what is there: nothing to write, nothing changed.
    if let Found::File(existing) = &place.found
        && existing.bytes == contents
        && options.options.permissions.satisfied_by(existing)
    {
        place.destination.tidy();
        let mut report = report(FetchStatus::Unchanged, Some(&place.path), &certs, format);
        report.warnings.append(&mut place.destination.warnings);
        return Ok(report);
    }
    let in_place = |bytes: &[u8]| {
        format.loads(bytes)
            && held_certificates(bytes).is_ok_and(|held| holds_exactly(&held, &pins))
    };
    let status = match place.destination.save(
        &contents,
        &place.found,
        options.options.permissions,
        in_place,
    )? {
        Saved::Written => FetchStatus::Saved,
        Saved::AlreadyThere => FetchStatus::Unchanged,
    };
    let mut report = report(status, Some(&place.path), &certs, format);
    report.warnings.append(&mut place.destination.warnings);
    Ok(report)
}

/// A destination file, resolved safely, and what it held when rootcert looked.
struct Place {
    path: PathBuf,
    destination: save::Destination,
    found: Found,
}

impl Place {
    fn open(path: &Path) -> Result<Place, Error> {
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
fn find_in_place(dir: &Path, pins: &[Fingerprint], format: TrustFormat) -> Option<Place> {
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
fn check_existing(
    place: &Place,
    pins: &[Fingerprint],
    options: &Plan<'_>,
) -> Result<Option<FetchReport>, Error> {
    let Found::File(existing) = &place.found else {
        return Ok(None);
    };
    let bytes = &existing.bytes;
    let format = options.options.format;
    let held = held_certificates(bytes);
    if let Ok(certs) = &held
        && holds_exactly(certs, pins)
    {
        // The right certificates in another form (DER, which libpq cannot load; PEM when a
        // truststore is asked for, or the reverse), or not with the mode and owner asked
        // for: save them again.
        if options.options.refresh
            || !format.loads(bytes)
            || !options.options.permissions.satisfied_by(existing)
        {
            return Ok(None);
        }
        place.destination.tidy();
        let source = format!("file:{}", path_text(&place.path));
        let certs: Vec<(&Cert, &str)> = certs.iter().map(|c| (c, source.as_str())).collect();
        let mut report = report(FetchStatus::Unchanged, Some(&place.path), &certs, format);
        report
            .warnings
            .extend(place.destination.warnings.iter().cloned());
        return Ok(Some(report));
    }
    if options.options.force {
        return Ok(None);
    }
    // Never the file's bytes: it may be anything a symlink's owner chose.
    let holds = match held {
        Ok(certs) => format!("a different certificate: {}", describe(&certs)),
        Err(_) => describe_not_certificate(bytes),
    };
    Err(Error::File(format!(
        "{} already holds {holds}. Pass --force to replace it, or choose another path with --out",
        path_text(&place.path)
    )))
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
fn holds_exactly(certs: &[Cert], pins: &[Fingerprint]) -> bool {
    let mut held: Vec<Fingerprint> = certs.iter().map(|c| c.sha256).collect();
    let mut wanted = pins.to_vec();
    held.sort();
    held.dedup();
    wanted.sort();
    held == wanted && certs.len() == held.len()
}

fn report(
    status: FetchStatus,
    path: Option<&Path>,
    certs: &[(&Cert, &str)],
    format: TrustFormat,
) -> FetchReport {
    let now = SystemTime::now();
    let mut warnings: Vec<String> = certs
        .iter()
        .flat_map(|(c, _)| crate::anchor::warnings(c, now))
        .collect();
    if let Some(path) = path
        && libpq_default_file().is_some_and(|default| path == default)
    {
        warnings.push(format!(
            "{} is the file libpq reads when sslrootcert is not set: while it exists, \
             sslmode=require verifies the server certificate (like verify-ca) for every server \
             this user connects to",
            path_text(path)
        ));
    }
    if let Some(path) = path {
        warnings.extend(crate::owners::others_can_change(path));
    }
    FetchReport {
        status,
        file: path.map(Path::to_path_buf),
        format,
        path: path.map(path_text),
        path_escaped: path.is_some_and(|p| p.to_str().is_none()),
        certificates: certs.iter().map(|(c, s)| CertSummary::new(c, s)).collect(),
        warnings,
        connect: path
            .filter(|_| format == TrustFormat::Pem)
            .map(|p| ConnectLines::for_file(&path_text(p))),
        java: path
            .filter(|_| format == TrustFormat::Pkcs12)
            .map(|p| JavaLines::for_truststore(&path_text(p))),
        pem: None,
    }
}

/// The sources a run may use, built lazily and shared between certificates: one download
/// per URL and one read of the OS store, however many certificates come from them.
struct Sources<'a> {
    options: &'a Plan<'a>,
    downloader: Option<Downloader>,
    bodies: HashMap<String, Result<Vec<Cert>, Attempt>>,
    store: Option<SystemStore>,
}

impl<'a> Sources<'a> {
    fn new(options: &'a Plan<'a>) -> Self {
        Sources {
            options,
            downloader: None,
            bodies: HashMap::new(),
            store: None,
        }
    }

    fn get(&mut self, wanted: &Wanted) -> Result<(Cert, String), Error> {
        let mut attempts: Vec<Attempt> = Vec::new();
        let all_pins: Vec<Fingerprint> = self.options.wanted.iter().map(|w| w.pin).collect();
        if self.options.options.use_network {
            for (i, url) in wanted.urls.iter().enumerate() {
                let attempt = match self.certs_from(url)? {
                    Ok(certs) => match certs.iter().find(|c| c.sha256 == wanted.pin) {
                        Some(cert) => return Ok((cert.clone(), url_text(url))),
                        None => wrong_certificate(url, wanted, certs),
                    },
                    Err(attempt) => attempt.clone(),
                };
                // A body that delivered another pinned certificate is no failure to report.
                let served_another = matches!(
                    &self.bodies[url],
                    Ok(certs) if certs.iter().any(|c| all_pins.contains(&c.sha256))
                );
                if !served_another {
                    let next = match wanted.urls.get(i + 1) {
                        Some(next) => format!("; trying {next}"),
                        None if self.options.options.use_system => {
                            "; trying the OS trust store next".to_string()
                        }
                        None if self.builtin_allowed() => {
                            "; using the built-in copy next".to_string()
                        }
                        None => String::new(),
                    };
                    self.options
                        .note(&format!("{}: {}{next}", attempt.source, attempt.error));
                }
                attempts.push(attempt);
            }
        }
        if self.options.options.use_system {
            let store = self
                .store
                .get_or_insert_with(|| SystemStore::load(&all_pins));
            match store.find(&wanted.pin) {
                Some(cert) => {
                    if !attempts.is_empty() {
                        self.options.note(&format!(
                            "using {} from the OS trust store ({})",
                            wanted.name,
                            store.source().trim_start_matches("system:")
                        ));
                    }
                    return Ok((cert.clone(), store.source()));
                }
                None => {
                    let mut error = "not in the OS trust store".to_string();
                    if !store.errors.is_empty() {
                        error.push_str(&format!(" ({})", store.errors.join("; ")));
                    }
                    attempts.push(Attempt {
                        source: store.source(),
                        error,
                        wrong_content: false,
                    });
                }
            }
        }
        if self.builtin_allowed() {
            match crate::builtin::find(&wanted.pin) {
                Some(cert) => {
                    self.options.note(&format!(
                        "using rootcert's built-in copy of {} (checked against its pin)",
                        wanted.name
                    ));
                    return Ok((cert, "builtin".to_string()));
                }
                None => attempts.push(Attempt {
                    source: "builtin".to_string(),
                    error: "rootcert has no built-in copy of it".to_string(),
                    wrong_content: false,
                }),
            }
        }
        Err(Error::from_attempts(
            &format!("{} (sha256 {})", wanted.name, wanted.pin),
            attempts,
        ))
    }

    /// Built-in copies serve catalog pins only: a custom pin is the user's own trust.
    fn builtin_allowed(&self) -> bool {
        self.options.options.use_builtin && self.options.options.pins.is_empty()
    }
    /// Downloads and parses `url` once per run.
    fn certs_from(&mut self, url: &str) -> Result<&Result<Vec<Cert>, Attempt>, Error> {
        if !self.bodies.contains_key(url) {
            let downloader = match &self.downloader {
                Some(d) => d,
                None => self
                    .downloader
                    .insert(Downloader::new(&self.options.options.net)?),
            };
            let plan = self.options;
            plan.progress(&format!("downloading {}", url_text(url)));
            let result = match downloader.get(url, &mut |msg| {
                plan.note(msg);
                plan.progress(msg);
            }) {
                Ok(body) => parse_certificates(&body).map_err(|error| Attempt {
                    source: url_text(url),
                    error: if looks_like_html(&body) {
                        format!(
                            "{error} Open the URL in a browser, or pass --url with the \
                             certificate's address"
                        )
                    } else {
                        error
                    },
                    wrong_content: true,
                }),
                Err(error) => Err(Attempt {
                    source: url_text(url),
                    error,
                    wrong_content: false,
                }),
            };
            self.bodies.insert(url.to_string(), result);
        }
        Ok(&self.bodies[url])
    }
}

fn wrong_certificate(url: &str, wanted: &Wanted, certs: &[Cert]) -> Attempt {
    Attempt {
        source: url_text(url),
        error: format!(
            "not the pinned certificate: expected sha256 {}, got {}",
            wanted.pin,
            describe(certs)
        ),
        wrong_content: true,
    }
}

/// `subject (sha256 …)` for each certificate, for messages about what arrived or is in place.
fn describe(certs: &[Cert]) -> String {
    let described: Vec<String> = certs
        .iter()
        .map(|c| format!("{} (sha256 {})", c.subject(), c.sha256))
        .collect();
    described.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_list_each_certificate_once_in_order() {
        let profiles = resolve_profiles(&[
            "azure-postgres-flexible".into(),
            "digicert-global-root-g2".into(),
            "isrg-root-x1".into(),
        ])
        .unwrap();
        let wanted = wanted_certificates(&profiles, &[], &[]);
        let names: Vec<&str> = wanted.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "DigiCert Global Root G2",
                "Microsoft RSA Root Certificate Authority 2017",
                "ISRG Root X1"
            ]
        );
    }

    #[test]
    fn urls_and_pins_override_the_profile() {
        let profiles = resolve_profiles(&[]).unwrap();
        let pin: Fingerprint = catalog::ISRG_ROOT_X1.sha256;
        let wanted = wanted_certificates(&profiles, &[pin], &["http://127.0.0.1:1/x".into()]);
        assert_eq!(wanted.len(), 1);
        assert_eq!(wanted[0].pin, pin);
        assert_eq!(wanted[0].urls, ["http://127.0.0.1:1/x"]);
    }

    #[test]
    fn mirror_urls_use_the_published_file_name() {
        let profiles = resolve_profiles(&["azure-postgres-flexible".into()]).unwrap();
        let mut wanted = wanted_certificates(&profiles, &[], &[]);
        apply_mirror(&mut wanted, &profiles, "http://127.0.0.1:8/certs").unwrap();
        assert_eq!(
            wanted[0].urls,
            ["http://127.0.0.1:8/certs/DigiCertGlobalRootG2.crt.pem"]
        );
        assert_eq!(
            wanted[1].urls,
            [
                "http://127.0.0.1:8/certs/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt"
            ]
        );
        assert!(apply_mirror(&mut wanted, &profiles, "ftp://x/").is_err());
    }

    #[test]
    fn unknown_profile_lists_the_known_ones() {
        let err = resolve_profiles(&["nope".into()]).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        assert!(err.to_string().contains("azure-postgres-flexible"));
    }
}
