//! `rootcert inspect`: what certificates a file, stdin or URL holds, and whose they are.

use serde::Serialize;

use crate::catalog;
use crate::cert::{Cert, SelfSignature};
use crate::cli::InspectArgs;
use crate::download::Downloader;
use crate::error::{Attempt, Error};
use crate::libpq::{self, Format, TrustFile};
use crate::output::path_text;
use crate::output::print_json;
use crate::parse::{parse_certificates, parse_local};
use crate::read::{MAX_FILE_BYTES, read_file, read_stdin};

#[derive(Serialize)]
struct CertDetails {
    source: String,
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    sha256: String,
    sha1: String,
    key: String,
    is_ca: bool,
    /// True when self-issued with a self-signature that verifies; null when self-issued
    /// with an algorithm we cannot check.
    self_signed: Option<bool>,
    profile: Option<&'static str>,
    /// How the source is encoded: pem, der (or empty, other).
    format: Format,
    /// Whether libpq can load the source as `sslrootcert` (it reads only PEM).
    libpq_can_load: bool,
}

impl CertDetails {
    fn new(cert: &Cert, source: &str, file: &TrustFile) -> Self {
        CertDetails {
            format: file.format,
            libpq_can_load: file.error.is_none(),
            source: source.to_string(),
            subject: cert.subject(),
            issuer: cert.issuer(),
            serial: cert.serial_hex(),
            not_before: cert.not_before_rfc3339(),
            not_after: cert.not_after_rfc3339(),
            sha256: cert.sha256.to_string(),
            sha1: cert.sha1_colon_hex(),
            key: cert.key_description(),
            is_ca: cert.is_ca(),
            self_signed: match cert.self_signature() {
                SelfSignature::Valid => Some(true),
                SelfSignature::Invalid | SelfSignature::NotSelfIssued => Some(false),
                SelfSignature::Unchecked => None,
            },
            profile: catalog::profile_of(&cert.sha256).map(|p| p.name),
        }
    }

    fn print(&self) {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let self_signed = match self.self_signed {
            Some(true) => "yes (signature verifies)",
            Some(false) if self.subject == self.issuer => "NO: the self-signature does not verify",
            Some(false) => "no",
            None => "yes (signature algorithm not checked)",
        };
        crate::outln!("  subject      {}", self.subject);
        crate::outln!("  issuer       {}", self.issuer);
        crate::outln!("  serial       {}", self.serial);
        crate::outln!("  not before   {}", self.not_before);
        crate::outln!("  not after    {}", self.not_after);
        crate::outln!("  sha256       {}", self.sha256);
        crate::outln!("  sha1         {}", self.sha1);
        crate::outln!("  key          {}", self.key);
        crate::outln!("  CA           {}", yes_no(self.is_ca));
        crate::outln!("  self-signed  {self_signed}");
        crate::outln!(
            "  profile      {}",
            self.profile.unwrap_or("(not in the catalog)")
        );
    }
}

pub fn run(args: &InspectArgs) -> Result<(), Error> {
    let mut downloader: Option<Downloader> = None;
    let mut all = Vec::new();
    for source_arg in &args.sources {
        let source = &path_text(std::path::Path::new(source_arg));
        let bytes = read_source(source_arg, source, args, &mut downloader)?;
        let remote = source.starts_with("http://") || source.starts_with("https://");
        let parsed = if remote {
            parse_certificates(&bytes)
        } else {
            parse_local(&bytes)
        };
        let certs = parsed.map_err(|error| Error::Content {
            message: format!("{source}: {error}"),
            attempts: vec![Attempt {
                source: source.clone(),
                error,
                wrong_content: true,
            }],
        })?;
        let file = TrustFile::load(&bytes);
        if !args.json {
            let plural = if certs.len() == 1 { "" } else { "s" };
            let libpq = match &file.error {
                None => "libpq can load it as sslrootcert".to_string(),
                Some(why) => format!(
                    "libpq cannot load it as sslrootcert: {why} (fix: {})",
                    libpq::trust_file_fix(source, "rootcert fetch PROFILE", file.format)
                ),
            };
            crate::outln!(
                "{source}: {} certificate{plural}, {}; {libpq}",
                certs.len(),
                file.format.as_str()
            );
            for (i, cert) in certs.iter().enumerate() {
                if i > 0 {
                    crate::outln!();
                }
                CertDetails::new(cert, source, &file).print();
            }
        }
        all.extend(certs.iter().map(|c| CertDetails::new(c, source, &file)));
    }
    if args.json {
        print_json(&all);
    }
    Ok(())
}

fn read_source(
    source_arg: &std::ffi::OsStr,
    source: &str,
    args: &InspectArgs,
    downloader: &mut Option<Downloader>,
) -> Result<Vec<u8>, Error> {
    let timeout = args.net.options().timeout;
    if source_arg == "-" {
        return read_stdin(MAX_FILE_BYTES, timeout).map_err(Error::File);
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        let downloader = match downloader {
            Some(d) => d,
            None => downloader.insert(Downloader::new(&args.net.options())?),
        };
        return downloader
            .get(source, &mut |msg| eprintln!("rootcert: {msg}"))
            .map_err(|error| Error::Network {
                message: format!("{source}: {error}"),
                attempts: vec![Attempt {
                    source: source.to_string(),
                    error,
                    wrong_content: false,
                }],
            });
    }
    read_file(std::path::Path::new(source_arg), MAX_FILE_BYTES).map_err(|e| Error::File(e.message))
}
