//! The arguments of each subcommand.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use rootcert::Fingerprint;

use super::parse::{
    ProfileName, parse_alpn, parse_client, parse_fingerprint, parse_mode, parse_seconds,
};

/// Download settings shared by every command that may download.
#[derive(Debug, Args)]
pub struct NetArgs {
    /// Trust this CA (PEM) for the download's TLS, e.g. an intercepting proxy's
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Deadline for each URL as a whole, in seconds: every try and every wait between tries
    /// (a server's Retry-After included)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// Retries per URL for what is transient: timeouts, HTTP 408, 429, 500, 502-504, a cut
    /// body (not DNS failures, refused connections, TLS errors)
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
}

impl NetArgs {
    pub fn options(&self) -> rootcert::NetOptions {
        rootcert::NetOptions {
            timeout: self.timeout,
            retries: self.retries,
            ca_file: self.ca_file.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Catalog profile(s) to fetch [default: digicert-global-root-g2]
    #[arg(value_name = "PROFILE", value_parser = ProfileName, hide_possible_values = true)]
    pub profiles: Vec<String>,

    /// Where to save: a file, a directory (saved inside under the profile's file name),
    /// or - for stdout [default: $ROOTCERT_DIR or ~/.local/share/rootcert/]
    #[arg(short, long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// Download from this URL instead of the profile's (repeatable, tried in order);
    /// the pin still applies
    #[arg(long, value_name = "URL", conflicts_with_all = ["offline", "mirror"])]
    pub url: Vec<String>,

    /// Fetch every certificate from BASE_URL + its published file name (an internal
    /// mirror or an air-gapped network); the pins still apply
    #[arg(long, value_name = "BASE_URL", conflicts_with = "offline")]
    pub mirror: Option<String>,

    /// Pin this SHA-256 fingerprint instead of the profile's (repeatable). Accepts
    /// CB:3C:..., plain hex, sha256:..., or a pasted `openssl -fingerprint` line
    #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub sha256: Vec<Fingerprint>,

    /// Never use the OS trust store as a source
    #[arg(long, conflicts_with = "offline")]
    pub no_system: bool,

    /// No network at all: the OS trust store, then rootcert's built-in copy
    #[arg(long)]
    pub offline: bool,

    /// Never use rootcert's built-in copies of the catalog roots (the last source)
    #[arg(long)]
    pub no_builtin: bool,

    #[command(flatten)]
    pub net: NetArgs,

    /// The file to write: PEM (libpq's sslrootcert, most clients), or a PKCS#12 truststore
    /// for Java (javax.net.ssl.trustStore; every certificate a trusted entry, no password)
    #[arg(long, value_enum, default_value = "pem")]
    pub format: FormatArg,

    /// Save to the file libpq reads when sslrootcert is not set (~/.postgresql/root.crt)
    #[arg(long, conflicts_with = "out")]
    pub libpq: bool,

    /// Mode of the saved file, in octal [default: kept from the file it replaces, else 644]
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    pub mode: Option<u32>,

    /// Owner of the saved file: a user name or id (for a service user such as postgres)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,

    /// Group of the saved file: a group name or id
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Run this shell command after the file was created or replaced (not when it was
    /// already up to date), e.g. to reload a service
    #[arg(long, value_name = "CMD")]
    pub on_change: Option<String>,

    /// Replace a destination that holds a different certificate
    #[arg(long)]
    pub force: bool,

    /// Download even when the destination already holds the pinned certificates
    #[arg(long)]
    pub refresh: bool,

    /// Print nothing unless something fails: no notes, and not the saved path (with -o -,
    /// the PEM itself is still written)
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Catalog profile(s) whose certificates must be present, then the file to check.
    /// Without a profile: digicert-global-root-g2, unless --sha256 is given
    #[arg(value_name = "PROFILE... PATH", required = true, num_args = 1..)]
    pub args: Vec<OsString>,

    /// Require the certificate with this SHA-256 fingerprint (repeatable)
    #[arg(long, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub sha256: Vec<Fingerprint>,

    /// Fail when a pinned certificate expires within N days
    #[arg(long, value_name = "N")]
    pub min_days: Option<u32>,

    /// Print nothing unless the check fails (for cron, which mails any output)
    #[arg(short, long, conflicts_with = "json")]
    pub quiet: bool,

    /// What to print on stdout: text, json (as --json), or openmetrics (Prometheus
    /// metrics: pass, pinned certificates present, each certificate's expiry)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "text",
        conflicts_with = "json"
    )]
    pub format: ReportFormat,

    /// Also write the metrics to PATH, atomically, for node_exporter's textfile collector
    /// (its directory, a name ending in .prom)
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<PathBuf>,
}

impl VerifyArgs {
    /// The file to check: the last positional argument.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.args.last().cloned().unwrap_or_default())
    }

    /// The profiles: every positional argument but the last (a name that is not UTF-8
    /// cannot be a profile, and is reported as an unknown one).
    pub fn profiles(&self) -> Vec<String> {
        self.args[..self.args.len().saturating_sub(1)]
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A file, - for stdin, or an http(s) URL (downloaded with fetch's limits, never saved)
    #[arg(value_name = "SOURCE", required = true)]
    pub sources: Vec<OsString>,

    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Targets (HOST[:PORT], [IPv6]:PORT, a connection string, tls://HOST:PORT), then the
    /// catalog profiles whose roots to trust
    #[arg(value_name = "TARGET|PROFILE")]
    pub args: Vec<String>,

    /// Read more targets from FILE (- for stdin): one a line, # comments
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,

    /// Also check the server libpq's environment names: DATABASE_URL, else PGHOST and the
    /// other PG* variables (which also fill what DATABASE_URL leaves out)
    #[arg(long)]
    pub env: bool,

    /// The protocol of bare HOST[:PORT] targets
    #[arg(long, value_enum, default_value = "postgres")]
    pub protocol: ProtocolArg,

    /// ALPN protocol to offer to tls:// targets (repeat for several)
    #[arg(long, value_name = "PROTOCOL", value_parser = parse_alpn)]
    pub alpn: Vec<String>,

    /// Trust only the roots in this PEM file [default: the file `rootcert fetch` saves]
    #[arg(long, value_name = "PATH")]
    pub ca: Option<PathBuf>,

    /// Check the certificate against this name (and send it as SNI) when HOST is an address
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,

    /// Start TLS at once with ALPN "postgresql" (PostgreSQL 17 sslnegotiation=direct)
    #[arg(long)]
    pub direct: bool,

    /// Check this many servers at once, in all
    #[arg(long, value_name = "N", default_value_t = rootcert::DEFAULT_JOBS as u16,
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub jobs: u16,

    /// Check at most this many targets at once on one server (one host and port)
    #[arg(long, value_name = "N", default_value_t = rootcert::DEFAULT_PER_SERVER as u16,
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub per_server: u16,

    /// Fail a target whose chain (any certificate, root included) expires within N days
    #[arg(long, value_name = "N")]
    pub min_days: Option<u32>,

    /// Judge as this driver, by its own rules: psql, psycopg, pgjdbc, pgx, node-postgres,
    /// asyncpg, mariadb, mysql, mysql2, pymysql, openssl; or all (every driver of the
    /// target's protocol). Repeat for several: a table of verdicts, exit 0 only when every
    /// one passes [default: psql for PostgreSQL, pgjdbc for jdbc: URLs, mariadb for MySQL]
    #[arg(long, value_name = "NAME", value_parser = parse_client)]
    pub client: Vec<Option<rootcert::Driver>>,

    /// Connect from this local address (for firewalls that allow one of this host's)
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,

    /// What to print on stdout: text, json (as --json), or openmetrics (Prometheus
    /// metrics: success, verdict, chain expiry, root and duration per server)
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "text",
        conflicts_with = "json"
    )]
    pub format: ReportFormat,

    /// Also write the metrics to PATH, atomically, for node_exporter's textfile collector
    /// (its directory, a name ending in .prom)
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<PathBuf>,

    /// Deadline for each target as a whole (connect, exchange, handshake), in seconds
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_seconds)]
    pub timeout: Duration,
}

#[derive(Debug, Args)]
pub struct ExporterArgs {
    /// The modules file (TOML): what each module trusts and how it judges
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,

    /// Listen on this address and port
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9819")]
    pub listen: std::net::SocketAddr,

    /// Check this many servers at once, in all (more probes wait, up to their deadline)
    #[arg(long, value_name = "N", default_value = "256",
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub jobs: u16,

    /// Check at most this many targets at once on one server (one host and port)
    #[arg(long, value_name = "N", default_value_t = rootcert::DEFAULT_PER_SERVER as u16,
          value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub per_server: u16,

    /// Read and check the configuration, then exit (0 when it can be used)
    #[arg(long)]
    pub check_config: bool,
}

/// `check --format` and `verify --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For people
    Text,
    /// As --json
    Json,
    /// Prometheus text exposition format (valid OpenMetrics)
    #[value(alias = "prometheus")]
    Openmetrics,
}

/// `fetch --format` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// PEM
    Pem,
    /// A PKCS#12 truststore for Java
    Pkcs12,
}

/// `--protocol` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProtocolArg {
    /// SSLRequest (or --direct)
    Postgres,
    /// MySQL and MariaDB
    Mysql,
    /// TLS at once (needs HOST:PORT)
    Tls,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write rootcert.1 and every rootcert-SUBCOMMAND.1 into DIR (created if missing)
    /// instead of printing rootcert.1; prints each file's path
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print the catalog as a Markdown table (as in README.md)
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
}
