//! The command-line interface. Doc comments are the help text; `long_about` carries examples.
//!
//! Conventions: long flags for everything, short ones only for the common few (-o, -q);
//! value names upper-case; every flag that changes safety (`--force`) is spelled out.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use rootcert::Fingerprint;

/// The exit codes, shared by the help texts (README.md documents the same list).
macro_rules! exit_codes_help {
    () => {
        "Exit codes:
  0  saved, or already up to date
  1  unexpected internal error, or output that cannot be written
  2  usage error (bad flag, unknown profile, SHA-1 pin, bad proxy variable)
  3  download failed (network, DNS, TLS, HTTP status, timeout, body too large)
  4  verification failed (not a certificate, truncated, HTML, not the pinned certificate)
  5  destination problem (cannot read or write, holds a different certificate without --force,
     not a regular file, another user's symlink, or changed during the download)
  6  saved, but the --on-change command failed"
    };
}

/// Every subcommand's exit codes, for the top-level help and the man page.
pub const ALL_EXIT_CODES: &str = "\
Exit codes, by subcommand (141: the output pipe was closed):
  fetch    0 saved or up to date; 1 internal or output error; 2 usage; 3 every source failed
           on the network; 4 a source sent wrong content; 5 the destination cannot be read,
           written or replaced; 6 saved, but --on-change failed
  verify   0 every pin present, in a file libpq loads; 2 usage; 4 a pin missing, too close
           to expiry, or a file libpq cannot load; 5 the file cannot be read, or
           --textfile cannot be written
  inspect  0 every source holds a certificate; 2 usage; 3 a download failed; 4 a source
           holds no certificate; 5 a file cannot be read
  check    0 every target passes; 2 usage; 3 no TLS session; 4 a target would fail, or
           its settings do not verify the server, as its client decides; 5 --textfile
           cannot be written
  exporter 2 the configuration or --listen cannot be used; otherwise runs until stopped
  list, completions, man
           0; 1 output error

Environment: ROOTCERT_DIR (default directory), HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY,
SSL_CERT_FILE and SSL_CERT_DIR (the OS trust store), NO_COLOR, HOME; for check --env,
DATABASE_URL and libpq's PGHOST, PGHOSTADDR, PGPORT, PGSSLMODE, PGSSLROOTCERT,
PGSSLNEGOTIATION, PGSERVICE (with PGSERVICEFILE, PGSYSCONFDIR), PGUSER, PGDATABASE.";

#[derive(Debug, Parser)]
#[command(
    name = "rootcert",
    version,
    about = "Download a database root certificate, verify its SHA-256 pin, save it as PEM for sslrootcert",
    after_help = ALL_EXIT_CODES,
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

    /// Check that a file holds the pinned certificates (no network)
    #[command(
        long_about = "Check that a file holds every pinned certificate, without any network.\n\n\
            Other certificates in the file are allowed and reported. This is what a cron \
            job, a health check or a CI step runs.",
        after_help = VERIFY_AFTER_HELP,
    )]
    Verify(VerifyArgs),

    /// Show what certificates a file, stdin or URL holds
    #[command(after_help = INSPECT_AFTER_HELP)]
    Inspect(InspectArgs),

    /// Will a verified TLS connection work against these servers, and if not, why
    #[command(
        long_about = "Will a verified TLS connection work against these servers, and if not, why.\n\n\
            A target is HOST[:PORT] (PostgreSQL, or --protocol), a connection string \
            (postgresql://, \"host=... sslmode=...\", jdbc:postgresql://, mysql://, mariadb://), \
            or tls://HOST:PORT. Connects the way the client does (PostgreSQL's SSLRequest or \
            direct TLS, MySQL's handshake, or TLS at once), records the chain the server sends, \
            and judges it by the client's rules (libpq's for PostgreSQL, OpenSSL's for MySQL, \
            MariaDB and tls://) under the TLS settings the string carries: a bare HOST asks \
            whether verify-full would work. No data is sent over the TLS session; a MySQL \
            probe ends as a refused login, so it never counts toward max_connect_errors.\n\n\
            A positional argument that names a catalog profile is a profile, except the first \
            when no --targets or --env is given.",
        after_help = CHECK_AFTER_HELP,
    )]
    Check(CheckArgs),

    /// Serve Prometheus probes of servers (the multi-target exporter pattern)
    #[command(
        long_about = "Serve Prometheus probes of servers, in the multi-target exporter pattern \
            that blackbox_exporter uses: /probe?target=HOST[:PORT]&module=NAME checks one \
            server as `rootcert check` does, under the module's settings from --config, and \
            answers with its metrics; /metrics has the exporter's own. A probe names only a \
            target and a module: what to trust and how to judge come from the file.",
        after_help = EXPORTER_AFTER_HELP,
    )]
    Exporter(ExporterArgs),

    /// List the built-in catalog of profiles
    #[command(after_help = "Examples:\n  rootcert list\n  rootcert list --json")]
    List(ListArgs),

    /// Print a shell completion script
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),

    /// Print the man page rootcert(1) (roff), or write every page with --dir
    #[command(
        long_about = "Print the man page rootcert(1) in roff: every subcommand, the exit codes \
            and the environment. With --dir, write it and one page per subcommand \
            (rootcert-fetch(1), rootcert-verify(1), ...) into a directory instead.",
        after_help = MAN_AFTER_HELP
    )]
    Man(ManArgs),
}

/// Where a manual install puts each file (README.md's Install section shows the same lines;
/// the Debian package uses the /usr/share ones).
const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  rootcert completions bash > /usr/local/share/bash-completion/completions/rootcert
  rootcert completions zsh > /usr/local/share/zsh/site-functions/_rootcert
  rootcert completions fish > ~/.config/fish/completions/rootcert.fish";

const MAN_AFTER_HELP: &str = "\
Examples:
  rootcert man --dir /usr/local/share/man/man1
  rootcert man > /usr/local/share/man/man1/rootcert.1
  rootcert man | man -l -";

const FETCH_AFTER_HELP: &str = concat!(
    "Examples:
  rootcert fetch
  rootcert fetch -o ~/.postgresql/root.crt
  rootcert fetch --json -q -o /etc/myapp/DigiCertGlobalRootG2.crt.pem
  rootcert fetch --url https://mirror.internal/G2.pem --sha256 'sha256 Fingerprint=CB:3C:...'
  rootcert fetch --format pkcs12 -o /etc/myapp/truststore.p12     # for Java

",
    exit_codes_help!()
);

const VERIFY_AFTER_HELP: &str = "\
Examples:
  rootcert verify ~/.postgresql/root.crt
  rootcert verify azure-postgres-flexible --min-days 30 /etc/myapp/azure-postgres-flexible.pem
  rootcert verify --sha256 CB:3C:... --json root.pem
  rootcert verify --textfile /var/lib/prometheus/node-exporter/rootcert-verify.prom root.pem

Exit codes:
  0  every pinned certificate is present (and, with --min-days, valid long enough)
  2  usage error
  4  a pinned certificate is missing or expires within --min-days, the file holds no
     certificate, or libpq cannot load it (DER, a PEM block that does not decode)
  5  the file cannot be read (missing, not a regular file, larger than 1 MiB), or the
     --textfile cannot be written";

const INSPECT_AFTER_HELP: &str = "\
Examples:
  rootcert inspect DigiCertGlobalRootG2.crt.pem
  rootcert inspect --json https://cacerts.digicert.com/DigiCertGlobalRootG2.crt
  openssl s_client -showcerts -connect host:443 </dev/null | rootcert inspect -

Exit codes:
  0  every source holds at least one certificate
  2  usage error
  3  a download failed
  4  a source holds no certificate
  5  a file cannot be read";

const CHECK_AFTER_HELP: &str = "\
Examples:
  rootcert check db.example.com
  rootcert check mydb.postgres.database.azure.com azure-postgres-flexible
  rootcert check 10.0.0.5:6432 --sni db.internal --ca ./root.crt --json
  rootcert check \"postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt\"
  rootcert check --env                      # DATABASE_URL, or PGHOST, PGSSLMODE, ...
  rootcert check \"mysql://app@mydb.mysql.database.azure.com?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/app/ca.pem\"
  rootcert check --targets fleet.txt --min-days 30 azure-postgres-flexible
  rootcert check tls://redis.internal:6380 --ca ./root.crt
  rootcert check --targets fleet.txt --ca ./root.crt --format openmetrics
  rootcert check --targets fleet.txt --ca ./root.crt --textfile /var/lib/prometheus/node-exporter/rootcert.prom

Exit codes:
  0  every target passes: the verified connection would succeed
  2  usage error (a target or connection string that does not parse, a --ca file that
     cannot be read, unknown profile)
  3  no TLS session could be set up (nothing listening, DNS, timeout, server refuses TLS,
     an ERR packet instead of a MySQL greeting)
  4  a target would fail as its client decides (a trust file it cannot load, an untrusted
     chain, the host name, validity, a key or signature too weak, --min-days), or its
     settings do not verify the server (sslmode=require, prefer, ssl-mode=REQUIRED, ...)
  5  the --textfile cannot be written
With several targets (or several --client): 4 if any fails or is unverified; otherwise
the first other non-zero code (3 for a server that could not be reached, 2 for a target
that does not parse). --json prints one JSON object a line for every server.";

const EXPORTER_AFTER_HELP: &str = "\
Examples:
  rootcert exporter --config /etc/rootcert/exporter.toml
  rootcert exporter --config exporter.toml --listen 0.0.0.0:9819
  curl 'http://127.0.0.1:9819/probe?target=db.example.com:5432&module=postgres'

The configuration (TOML), one table per module:
  [modules.postgres]
  ca = \"/etc/rootcert/root.pem\"       # or profiles = [\"azure-postgres-flexible\"]
  min_days = 30                       # optional, as check --min-days
  [modules.mysql]
  protocol = \"mysql\"                  # postgres (default), mysql or tls
  ca = \"/etc/rootcert/mysql-ca.pem\"
  timeout = 5                         # seconds; a shorter scrape timeout wins
Other keys: client (as check --client), sni, direct, alpn.

Exit codes: 2 the configuration or --listen cannot be used; otherwise it runs until stopped.";

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

    /// Print one JSON object on stdout, for success and for failure
    #[arg(long)]
    pub json: bool,

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

    /// Print one JSON object on stdout
    #[arg(long)]
    pub json: bool,

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

    /// Print a JSON array of certificates on stdout
    #[arg(long)]
    pub json: bool,

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

    /// Print JSON on stdout: one object, or with several servers one object a line
    #[arg(long)]
    pub json: bool,

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
    /// Print a JSON array on stdout
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the catalog as a Markdown table (as in README.md)
    #[arg(long)]
    pub markdown: bool,
}

impl Cli {
    /// Whether the user asked for JSON, so errors can be reported the same way.
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Fetch(args) => args.json,
            Command::Verify(args) => args.json || args.format == ReportFormat::Json,
            Command::Inspect(args) => args.json,
            Command::Check(args) => args.json || args.format == ReportFormat::Json,
            Command::List(args) => args.json,
            Command::Exporter(_) | Command::Completions(_) | Command::Man(_) => false,
        }
    }
}

/// A profile name as typed: any string (the library reports an unknown one with the closest
/// match and the whole list), while completion scripts offer the catalog's names.
#[derive(Debug, Clone, Copy)]
struct ProfileName;

impl clap::builder::TypedValueParser for ProfileName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(rootcert::catalog::PROFILES.iter().map(|p| {
            clap::builder::PossibleValue::new(p.name)
                .aliases(p.aliases.iter().copied())
                .help(p.description)
        })))
    }
}

fn parse_mode(value: &str) -> Result<u32, String> {
    let digits = value.strip_prefix("0o").unwrap_or(value);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 => Ok(mode),
        Ok(mode) if mode <= 0o7777 => Err(format!(
            "{value} sets the setuid, setgid or sticky bit, which a trust file never needs \
             (and setuid on a file root writes is a hazard): give permission bits only, such \
             as 644 or 640"
        )),
        _ => Err(format!(
            "'{value}' is not an octal file mode such as 644 or 0640"
        )),
    }
}

/// A driver's name or alias, or `all` (`None`).
fn parse_client(value: &str) -> Result<Option<rootcert::Driver>, String> {
    if value.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    rootcert::Driver::from_name(value).map(Some).ok_or_else(|| {
        let names: Vec<&str> = rootcert::Driver::ALL.iter().map(|d| d.name()).collect();
        format!(
            "not a driver rootcert knows: one of {}, or all",
            names.join(", ")
        )
    })
}

/// An ALPN protocol name is 1 to 255 bytes (RFC 7301); TLS cannot carry anything else.
fn parse_alpn(value: &str) -> Result<String, String> {
    match value.len() {
        1..=255 => Ok(value.to_string()),
        0 => Err("an ALPN protocol name cannot be empty (such as redis or h2)".into()),
        n => Err(format!(
            "an ALPN protocol name is at most 255 bytes (RFC 7301), not {n}"
        )),
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
