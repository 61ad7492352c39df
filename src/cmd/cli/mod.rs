//! The command-line interface. Doc comments are the help text; `long_about` carries examples.
//!
//! Conventions: long flags for everything, short ones only for the common few (-o, -q);
//! value names upper-case; every flag that changes safety (`--force`) is spelled out.

use clap::{Parser, Subcommand};

use super::exit_codes;

mod args;
mod help;
mod parse;

pub use args::*;

#[derive(Debug, Parser)]
#[command(
    name = "rootcert",
    version,
    about = "Download a database root certificate, verify its SHA-256 pin, save it as PEM for sslrootcert",
    after_help = exit_codes::help_with_environment(),
)]
pub struct Cli {
    /// Print JSON on stdout, for success and for failure (fetch and verify: one object;
    /// inspect and list: an array; check: one object, or one a line for several servers)
    #[arg(long, global = true)]
    pub json: bool,

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
        after_help = help::fetch(),
    )]
    Fetch(FetchArgs),

    /// Check that a file holds the pinned certificates (no network)
    #[command(
        long_about = "Check that a file holds every pinned certificate, without any network.\n\n\
            Other certificates in the file are allowed and reported. This is what a cron \
            job, a health check or a CI step runs.",
        after_help = help::verify(),
    )]
    Verify(VerifyArgs),

    /// Show what certificates a file, stdin or URL holds
    #[command(after_help = help::inspect())]
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
        after_help = help::check(),
    )]
    Check(CheckArgs),

    /// Serve Prometheus probes of servers (the multi-target exporter pattern)
    #[command(
        long_about = "Serve Prometheus probes of servers, in the multi-target exporter pattern \
            that blackbox_exporter uses: /probe?target=HOST[:PORT]&module=NAME checks one \
            server as `rootcert check` does, under the module's settings from --config, and \
            answers with its metrics; /metrics has the exporter's own. A probe names only a \
            target and a module: what to trust and how to judge come from the file.",
        after_help = help::exporter(),
    )]
    Exporter(ExporterArgs),

    /// List the built-in catalog of profiles
    #[command(after_help = "Examples:\n  rootcert list\n  rootcert list --json")]
    List(ListArgs),

    /// Print a shell completion script
    #[command(after_help = help::COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),

    /// Print the man page rootcert(1) (roff), or write every page with --dir
    #[command(
        long_about = "Print the man page rootcert(1) in roff: every subcommand, the exit codes \
            and the environment. With --dir, write it and one page per subcommand \
            (rootcert-fetch(1), rootcert-verify(1), ...) into a directory instead.",
        after_help = help::MAN_AFTER_HELP
    )]
    Man(ManArgs),
}

impl Cli {
    /// Whether the user asked for JSON, so errors can be reported the same way.
    pub fn json(&self) -> bool {
        self.json
            || match &self.command {
                Command::Verify(args) => args.format == ReportFormat::Json,
                Command::Check(args) => args.format == ReportFormat::Json,
                _ => false,
            }
    }
}

/// Whether a command line clap refused asked for JSON (`--json`, `--format json`), so its
/// error is reported that way. Clap's own lexer reads it: an argument it refused may stop
/// its parser before a later `--json`, and nothing after `--` is a flag.
pub fn refused_line_asks_for_json() -> bool {
    let raw = clap_lex::RawArgs::from_args();
    let mut cursor = raw.cursor();
    let _program = raw.next(&mut cursor);
    let mut format_follows = false;
    while let Some(arg) = raw.next(&mut cursor) {
        if std::mem::take(&mut format_follows) {
            if arg.to_value_os() == "json" {
                return true;
            }
            continue;
        }
        if arg.is_escape() {
            break;
        }
        match arg.to_long() {
            Some((Ok("json"), None)) => return true,
            Some((Ok("format"), Some(value))) if value == "json" => return true,
            Some((Ok("format"), None)) => format_follows = true,
            _ => {}
        }
    }
    false
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
