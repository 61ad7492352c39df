//! The command-line interface. Doc comments are the help text; `long_about` carries examples.
//!
//! Conventions: long flags for everything, short ones only for the common few (-o, -q);
//! value names upper-case; every flag that changes safety (`--force`) is spelled out.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::fingerprint::Fingerprint;

/// The exit codes, shared by the help texts (README.md documents the same list).
macro_rules! exit_codes_help {
    () => {
        "Exit codes:
  0  saved, or already up to date (verify: every pinned certificate is present)
  1  unexpected internal error
  2  usage error (bad flag, unknown profile, SHA-1 pin)
  3  download failed (network, DNS, TLS, HTTP status, timeout, body too large)
  4  verification failed (not a certificate, truncated, HTML, not the pinned certificate)
  5  destination problem (cannot read or write, or holds a different certificate without --force)"
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "rootcert",
    version,
    about = "Download a database root certificate, verify its SHA-256 pin, save it as PEM for sslrootcert",
    after_help = exit_codes_help!(),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download, verify and save root certificates (default: DigiCert Global Root G2)
    #[command(
        long_about = "Download, verify and save root certificates.\n\n\
            Each certificate is checked against its SHA-256 fingerprint (over the DER \
            bytes) and saved as PEM that libpq accepts, atomically. When the destination \
            already holds exactly the pinned certificates, nothing is downloaded.",
        after_help = FETCH_AFTER_HELP,
    )]
    Fetch(FetchArgs),
}

const FETCH_AFTER_HELP: &str = concat!(
    "Examples:
  rootcert fetch
  rootcert fetch -o ~/.postgresql/root.crt
  rootcert fetch --json -q -o /etc/myapp/DigiCertGlobalRootG2.crt.pem
  rootcert fetch --url https://mirror.internal/G2.pem --sha256 'sha256 Fingerprint=CB:3C:...'

",
    exit_codes_help!()
);

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Catalog profile(s) to fetch [default: digicert-global-root-g2]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Where to save: a file, a directory (saved inside under the profile's file name),
    /// or - for stdout [default: $ROOTCERT_DIR or ~/.local/share/rootcert/]
    #[arg(short, long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// Download from this URL instead of the profile's (repeatable, tried in order);
    /// the pin still applies
    #[arg(long, value_name = "URL", conflicts_with = "offline")]
    pub url: Vec<String>,

    /// Pin this SHA-256 fingerprint instead of the profile's (repeatable). Accepts
    /// CB:3C:..., plain hex, sha256:..., or a pasted `openssl -fingerprint` line
    #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub sha256: Vec<Fingerprint>,

    /// Never use the OS trust store as a source
    #[arg(long, conflicts_with = "offline")]
    pub no_system: bool,

    /// Use only the OS trust store: no network at all
    #[arg(long)]
    pub offline: bool,

    /// Trust this CA (PEM) for the download's TLS, e.g. an intercepting proxy's
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Deadline for each download as a whole, in seconds
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// Retries per URL for connection errors, timeouts, 408, 429 and 5xx
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,

    /// Replace a destination that holds a different certificate
    #[arg(long)]
    pub force: bool,

    /// Download even when the destination already holds the pinned certificates
    #[arg(long)]
    pub refresh: bool,

    /// Print one JSON object on stdout, for success and for failure
    #[arg(long)]
    pub json: bool,

    /// Print nothing on stderr unless something fails
    #[arg(short, long)]
    pub quiet: bool,
}

impl Cli {
    /// Whether the user asked for JSON, so errors can be reported the same way.
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Fetch(args) => args.json,
        }
    }
}

fn parse_fingerprint(value: &str) -> Result<Fingerprint, String> {
    value.parse()
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .parse()
        .map_err(|_| format!("'{value}' is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
