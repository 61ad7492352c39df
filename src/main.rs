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
/// Clap quotes the argument it could not take, which may be a connection string: every
/// argument shaped like one is replaced by what rootcert calls it (`postgresql://****`, "a
/// keyword/value string") before anything is printed.
fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        err.exit();
    }
    let mut message = err.render().to_string();
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy();
        let value = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => value,
            _ if arg.starts_with('-') => continue,
            _ => &arg,
        };
        let may_hold_a_secret = value.contains(['=', '@', ':', ' ', '\t', '\n']);
        if may_hold_a_secret && message.contains(value) {
            message = message.replace(value, &rootcert::target_label(value));
        }
    }
    let message = cmd::output::mask_secrets(message.trim().trim_start_matches("error: "));
    let json = cmd::cli::refused_line_asks_for_json();
    ExitCode::from(report_error(&rootcert::Error::Usage(message), json))
}
