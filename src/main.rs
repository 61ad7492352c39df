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

/// Clap's own errors (exit 2) and --help/--version (exit 0); JSON when the line asked for it.
/// Clap quotes the argument it could not take, which may be a connection string: its
/// passwords are masked first.
fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        err.exit();
    }
    let message = err.render().to_string();
    let message = cmd::output::mask_secrets(message.trim().trim_start_matches("error: "));
    let json = cmd::cli::refused_line_asks_for_json();
    ExitCode::from(report_error(&rootcert::Error::Usage(message), json))
}
