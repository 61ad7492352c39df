mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cmd::cli::Cli;
use cmd::output::report_error;

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => ExitCode::from(cmd::run(cli)),
        Err(err) => usage_error(err),
    }
}

/// Clap's own errors (exit 2) and --help/--version (exit 0); JSON when --json was given.
/// Clap quotes the argument it could not take, which may be a connection string: its
/// passwords are masked first.
fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        err.exit();
    }
    let message = err.render().to_string();
    let message = cmd::output::mask_secrets(message.trim().trim_start_matches("error: "));
    let args: Vec<_> = std::env::args_os().collect();
    let json = args.iter().any(|a| a == "--json" || a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json");
    ExitCode::from(report_error(&rootcert::Error::Usage(message), json))
}
