//! The command line: clap arguments become library options, the library computes a
//! report, and the report is rendered as text or JSON with its exit code.

pub mod cli;
mod list;
pub mod output;
mod render;

use rootcert::{CheckOptions, Error, FetchOptions, InspectOptions, Output, Source, VerifyOptions};

use cli::{Cli, Command};
use output::{Log, print_json, report_error};

/// Runs one parsed command line; returns the exit code (failures are printed).
pub fn run(cli: Cli) -> u8 {
    let json = cli.json();
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => report_error(&err, json),
    }
}

fn note_to_stderr(message: &str) {
    eprintln!("rootcert: {message}");
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Fetch(args) => {
            let to_stdout = args.out.as_deref().is_some_and(|o| o.as_os_str() == "-");
            if args.json && to_stdout {
                return Err(Error::Usage(
                    "--json and -o - both write to stdout; save to a file with -o PATH".into(),
                ));
            }
            let quiet = args.quiet || args.json;
            let options = FetchOptions {
                profiles: args.profiles,
                pins: args.sha256,
                urls: args.url,
                mirror: args.mirror,
                out: match args.out {
                    _ if to_stdout => Output::Stdout,
                    Some(path) => Output::Path(path),
                    None => Output::Default,
                },
                use_network: !args.offline,
                use_system: !args.no_system,
                use_builtin: !args.no_builtin,
                net: args.net.options(),
                force: args.force,
                refresh: args.refresh,
                notes: (!quiet).then_some(note_to_stderr as fn(&str)),
            };
            let report = rootcert::fetch(&options)?;
            if args.json {
                print_json(&report);
            } else {
                render::fetch(&report, Log { quiet });
            }
            Ok(report.exit_code())
        }
        Command::Verify(args) => {
            let report = rootcert::verify(&VerifyOptions {
                profiles: args.profiles(),
                pins: args.sha256.clone(),
                path: args.path(),
                min_days: args.min_days,
            })?;
            if args.json {
                print_json(&report);
            } else {
                render::verify(&report);
            }
            if let Some(error) = &report.error {
                eprintln!("error: {error}");
            }
            Ok(report.exit_code())
        }
        Command::Inspect(args) => {
            let sources = args
                .sources
                .iter()
                .map(|arg| match arg.to_str() {
                    Some("-") => Source::Stdin,
                    Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                        Source::Url(url.to_string())
                    }
                    _ => Source::File(arg.into()),
                })
                .collect();
            let report = rootcert::inspect(&InspectOptions {
                sources,
                net: args.net.options(),
                notes: Some(note_to_stderr),
            })?;
            if args.json {
                print_json(&report);
            } else {
                render::inspect(&report);
            }
            Ok(report.exit_code())
        }
        Command::Check(args) => {
            let report = rootcert::check(&CheckOptions {
                target: args.target,
                profiles: args.profiles,
                ca: args.ca,
                sni: args.sni,
                direct: args.direct,
                timeout: args.timeout,
            })?;
            if args.json {
                print_json(&report);
            } else {
                render::check(&report);
            }
            Ok(report.exit_code())
        }
        Command::List(args) => {
            list::run(&args);
            Ok(rootcert::exit::OK)
        }
    }
}
