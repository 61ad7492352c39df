//! The options worked out before anything is read or downloaded: each certificate with its
//! URLs, and where the file goes and under which name.

use std::path::{Path, PathBuf};

use super::{FetchOptions, Output, TrustFormat};
use crate::catalog::{self, Profile, default_dir, file_name, resolve_profiles};
use crate::cert::Certificate;
use crate::error::Error;
use crate::fingerprint::Fingerprint;
use crate::hint::Setting;
use crate::quote::{path_text, url_text};

/// One certificate to fetch: a name for messages, its pin, and its URLs in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) name: String,
    pub(super) pin: Fingerprint,
    pub(super) urls: Vec<String>,
}

/// [`Output`] worked out: an absolute path, or a directory when the name depends on what
/// arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ResolvedOutput {
    Stdout,
    File(PathBuf),
    /// A file in this directory named after the certificates it will hold, for custom pins
    /// outside the catalog: their names are known only once they arrive.
    NamedIn(PathBuf),
}

/// The options worked out: each certificate with its sources, and the destination.
pub(super) struct Plan<'a> {
    pub(super) options: &'a FetchOptions,
    pub(super) wanted: Vec<Wanted>,
    pub(super) output: ResolvedOutput,
}

impl Plan<'_> {
    pub(super) fn note(&self, message: &str) {
        crate::listener::tell(self.options.notes.as_ref(), message);
    }

    pub(super) fn progress(&self, message: &str) {
        crate::listener::tell(self.options.progress.as_ref(), message);
    }
}

impl<'a> Plan<'a> {
    pub(super) fn new(options: &'a FetchOptions) -> Result<Self, Error> {
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
        let in_dir = |dir: PathBuf| -> ResolvedOutput {
            let format = options.format;
            if !custom_only {
                return ResolvedOutput::File(dir.join(format.file_name(file_name(&profiles))));
            }
            match catalog_file_name(&options.pins) {
                Some(name) => ResolvedOutput::File(dir.join(format.file_name(name))),
                None => ResolvedOutput::NamedIn(dir),
            }
        };
        let output = match &options.out {
            Output::Stdout => ResolvedOutput::Stdout,
            // An existing directory, or a path written as one (`-o certs/`), gets the file name.
            Output::Path(out) if out.is_dir() || ends_with_separator(out) => in_dir(out.clone()),
            Output::Path(out) => ResolvedOutput::File(out.clone()),
            Output::Default => in_dir(default_dir()?),
        };
        let output = match output {
            ResolvedOutput::File(path) => ResolvedOutput::File(absolute(&path)?),
            ResolvedOutput::NamedIn(dir) => ResolvedOutput::NamedIn(absolute(&dir)?),
            stdout => stdout,
        };
        Ok(Plan {
            options,
            wanted,
            output,
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
    let bad = |problem: String| Error::BadSetting {
        setting: Setting::Mirror,
        problem,
    };
    let parsed =
        reqwest::Url::parse(&base).map_err(|e| bad(format!(" {shown}: not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!(" {shown}: only http and https are supported")));
    }
    for w in wanted {
        let spec = profiles
            .iter()
            .flat_map(|p| p.certs.iter())
            .find(|c| c.pin() == w.pin)
            .ok_or_else(|| {
                bad(format!(
                    " needs a catalog certificate's file name; {} is not in the named profiles",
                    w.name
                ))
            })?;
        // The URL crate percent-encodes the file name as one path segment.
        let mut url = parsed.clone();
        url.path_segments_mut()
            .map_err(|()| bad(format!(" {shown}: not a base URL")))?
            .pop_if_empty()
            .push(spec.file_name);
        w.urls = vec![url.to_string()];
    }
    Ok(())
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
pub(super) fn file_name_for(certs: &[&Certificate]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

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
