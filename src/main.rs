use std::process::ExitCode;

use clap::Parser;
use rootcert::cli::Cli;
use rootcert::error::Error;
use rootcert::output::report_error;

fn main() -> ExitCode {
    rootcert::output::guard_standard_descriptors();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let json = cli.json();
    match rootcert::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => ExitCode::from(report_error(&err, json)),
    }
}

/// Clap's own errors (exit 2) and --help/--version (exit 0); JSON when --json was given.
fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() || !std::env::args_os().any(|a| a == "--json") {
        err.exit();
    }
    let message = err.render().to_string();
    let message = message.trim().trim_start_matches("error: ");
    ExitCode::from(report_error(&Error::Usage(message.to_string()), true))
}
