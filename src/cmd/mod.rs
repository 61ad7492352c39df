//! The command line: clap arguments become library options, the library computes a
//! report, and the report is rendered as text or JSON with its exit code.

pub mod cli;
mod exit_codes;
mod exporter;
mod fetch_json;
mod flags;
mod list;
mod man;
mod metrics;
pub mod output;
#[cfg(test)]
mod redaction_property;
mod render;

use rootcert::{
    CheckOptions, Error, FetchOptions, FetchStatus, InspectOptions, Listener, Output, Permissions,
    Source, VerifyOptions,
};

use crate::outln;
use cli::{Cli, Command, ReportFormat};
use output::{Log, print_json, report_error};

/// Runs one parsed command line; returns the exit code (failures are printed).
pub fn run(cli: Cli) -> u8 {
    let json = cli.json();
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => report_error(&with_destination_hint(err, "--out"), json),
    }
}

/// A destination that cannot be written, with the flag that fixes it (`flag` gave the
/// path): the library does not know the command line. The result is a plain file error,
/// so a second call leaves it alone.
fn with_destination_hint(err: Error, flag: &str) -> Error {
    let message = match &err {
        Error::Destination { message, .. } => {
            format!("{message}; choose another path with {flag}")
        }
        Error::NoFileName { .. } => format!("{err}; choose a file path with {flag}"),
        Error::UntrustedSymlink { .. } => {
            format!("{err}. Remove the link or choose another path with {flag}")
        }
        Error::DestinationIsLink { .. } => {
            format!("{err}. Remove it, or choose the file it points to with {flag}")
        }
        // Only fetch has --force, and it does not change this.
        Error::NotRegularFile { .. } if flag == "--out" => {
            format!("{err}, even with --force. Choose another path with {flag}")
        }
        Error::NotRegularFile { .. } => format!("{err}. Choose another path with {flag}"),
        Error::DestinationExists { .. } => {
            format!("{err}. Pass --force to replace it, or choose another path with {flag}")
        }
        _ => return err,
    };
    Error::File(message)
}

/// A download that no source delivered, with the flags that fix it: the library does not
/// know the command line.
fn with_download_hint(err: Error) -> Error {
    let network =
        matches!(err, Error::Unavailable { .. }) && err.exit_code() == rootcert::exit::NETWORK;
    let hint = match &err {
        _ if !network => return err,
        _ if err.only_local_sources_tried() => {
            "Only local sources were tried (--offline: the OS trust store, then the built-in \
             copy of a catalog root): run without --offline where the network is reachable, or \
             point --url or --mirror at a reachable copy."
        }
        _ if !err.attempts().is_empty() => {
            "Check the network and proxy settings (HTTPS_PROXY; --ca-file for an intercepting \
             proxy), or point --url or --mirror at a reachable copy."
        }
        _ => return err,
    };
    // Said with our flags now, so the message is plain; the attempts keep their hints.
    Error::Network {
        message: format!("{}\n{hint}", flags::error_text(&err)),
        attempts: err.attempts().to_vec(),
    }
}

fn note_to_stderr(message: &str) {
    output::note(message);
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    let json = cli.json;
    if json
        && matches!(
            cli.command,
            Command::Exporter(_) | Command::Completions(_) | Command::Man(_)
        )
    {
        return Err(Error::Usage(
            "--json applies to fetch, verify, inspect, check and list".into(),
        ));
    }
    match cli.command {
        Command::Fetch(args) => {
            let to_stdout = args.out.as_deref().is_some_and(|o| o.as_os_str() == "-");
            if json && to_stdout {
                return Err(Error::Usage(
                    "--json and -o - both write to stdout; save to a file with -o PATH".into(),
                ));
            }
            let quiet = args.quiet || json;
            let permissions =
                Permissions::from_names(args.mode, args.owner.as_deref(), args.group.as_deref())?;
            if args.libpq && matches!(args.format, cli::FormatArg::Pkcs12) {
                return Err(Error::Usage(
                    "--libpq saves the PEM file libpq reads; a PKCS#12 truststore is for Java: \
                     choose its path with -o"
                        .into(),
                ));
            }
            let out = if args.libpq {
                Some(rootcert::libpq_default_file().ok_or_else(|| {
                    Error::Usage("cannot find the home directory for --libpq (is HOME set?)".into())
                })?)
            } else {
                args.out
            };
            let options = FetchOptions {
                profiles: args.profiles,
                pins: args.sha256,
                urls: args.url,
                mirror: args.mirror,
                out: match out {
                    _ if to_stdout => Output::Stdout,
                    Some(path) => Output::Path(path),
                    None => Output::Default,
                },
                format: match args.format {
                    cli::FormatArg::Pem => rootcert::TrustFormat::Pem,
                    cli::FormatArg::Pkcs12 => rootcert::TrustFormat::Pkcs12,
                },
                use_network: !args.offline,
                use_system: !args.no_system,
                use_builtin: !args.no_builtin,
                net: args.net.options(),
                permissions,
                force: args.force,
                refresh: args.refresh,
                notes: (!quiet).then(|| Listener::new(note_to_stderr)),
                progress: (!quiet).then(|| Listener::new(output::status)),
            };
            let report = rootcert::fetch(&options);
            output::clear_status();
            let report = report.map_err(with_download_hint)?;
            if !json {
                render::fetch(&report, Log { quiet });
            }
            // The hook's own output goes to stderr, so stdout stays the path or the JSON.
            let hook = match (&args.on_change, report.status, &report.file) {
                (Some(command), FetchStatus::Saved, Some(file)) => Some(on_change(command, file)?),
                _ => None,
            };
            let code = match &hook {
                Some(hook) if !hook.ok => rootcert::exit::HOOK,
                _ => report.exit_code(),
            };
            if json {
                print_json(&fetch_json::FetchJson::new(&report, hook.as_ref(), code));
            }
            Ok(code)
        }
        Command::Verify(args) => {
            let result = rootcert::verify(&VerifyOptions {
                profiles: args.profiles(),
                pins: args.sha256.clone(),
                path: args.path(),
                min_days: args.min_days,
            });
            let openmetrics = args.format == ReportFormat::Openmetrics;
            if openmetrics || args.textfile.is_some() {
                // A file that cannot be checked is still a sample: success 0.
                let path = result.as_ref().map_or_else(
                    |_| args.path().to_string_lossy().into_owned(),
                    |r| r.path.clone(),
                );
                let text = metrics_text(&metrics::verify(&path, result.as_ref().ok()));
                if let Some(file) = &args.textfile {
                    rootcert::replace_file(file, text.as_bytes())
                        .map_err(|e| with_destination_hint(e, "--textfile"))?;
                }
                if openmetrics {
                    output::write_stdout(text.as_bytes());
                    let report = result?;
                    if let Some(error) = &report.error {
                        output::error_line(error);
                    }
                    return Ok(report.exit_code());
                }
            }
            let report = result?;
            if json || args.format == ReportFormat::Json {
                print_json(&report);
            } else if !(args.quiet && report.error.is_none()) {
                render::verify(&report);
            }
            if let Some(error) = &report.error {
                output::error_line(error);
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
                notes: Some(Listener::new(note_to_stderr)),
            })?;
            if json {
                print_json(&report);
            } else {
                render::inspect(&report);
            }
            Ok(report.exit_code())
        }
        Command::Check(args) => check(args, json),
        Command::Exporter(args) => {
            if args.check_config {
                let config = exporter::Config::load(&args.config)?;
                let names: Vec<&str> = config.modules.keys().map(String::as_str).collect();
                outln!("{}: modules {}", args.config.display(), names.join(", "));
                return Ok(rootcert::exit::OK);
            }
            exporter::serve(exporter::Settings {
                listen: args.listen,
                config: args.config,
                jobs: usize::from(args.jobs),
                per_server: usize::from(args.per_server),
                notes: note_to_stderr,
            })?;
            Ok(rootcert::exit::OK)
        }
        Command::List(args) => {
            list::run(&args, json);
            Ok(rootcert::exit::OK)
        }
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "rootcert", &mut script);
            if args.shell == clap_complete::Shell::Fish {
                script.extend(fish_profile_completions().into_bytes());
            }
            output::write_stdout(&script);
            Ok(rootcert::exit::OK)
        }
        Command::Man(args) => {
            match &args.dir {
                None => output::write_stdout(&man::page()),
                Some(dir) => {
                    let written = man::write_pages(dir).map_err(|e| Error::File(e.to_string()))?;
                    for path in written {
                        crate::outln!("{}", path.display());
                    }
                }
            }
            Ok(rootcert::exit::OK)
        }
    }
}

/// Metrics as printed and saved: the exposition text, ended as OpenMetrics wants.
fn metrics_text(metrics: &metrics::Exposition) -> String {
    let mut text = metrics.text();
    text.push_str("# EOF\n");
    text
}

/// `rootcert check`: one server gets the full report; several get a table (or JSON lines),
/// or metrics.
fn check(args: cli::CheckArgs, json: bool) -> Result<u8, Error> {
    let json = json || args.format == ReportFormat::Json;
    let openmetrics = args.format == ReportFormat::Openmetrics;
    let mut targets: Vec<rootcert::TargetText> = Vec::new();
    let mut profiles = Vec::new();
    let first_is_target = args.targets.is_none() && !args.env;
    for (i, arg) in args.args.into_iter().enumerate() {
        let names_profile = rootcert::catalog::find(&arg).is_some();
        if names_profile && !(i == 0 && first_is_target) {
            profiles.push(arg);
        } else if i > 0 && looks_like_a_profile(&arg) {
            // A host of one label cannot follow the first target: it is a profile's typo.
            return Err(Error::Usage(rootcert::catalog::unknown_profile_message(
                &arg,
            )));
        } else {
            targets.push(arg.into());
        }
    }
    if let Some(file) = &args.targets {
        targets.extend(rootcert::read_targets_file(file, args.timeout)?);
    }
    if !profiles.is_empty() && args.ca.is_some() {
        return Err(Error::Usage(
            "give either --ca or profiles, not both".into(),
        ));
    }
    let all_clients = args.client.contains(&None);
    let mut clients: Vec<rootcert::Driver> = Vec::new();
    for driver in args.client.iter().flatten() {
        if !clients.contains(driver) {
            clients.push(*driver);
        }
    }
    let many_expected = targets.len() > 1 || args.targets.is_some();
    let outcomes = rootcert::check(&CheckOptions {
        targets,
        env: args.env,
        protocol: Some(match args.protocol {
            cli::ProtocolArg::Postgres => rootcert::Protocol::Postgres,
            cli::ProtocolArg::Mysql => rootcert::Protocol::Mysql,
            cli::ProtocolArg::Tls => rootcert::Protocol::Tls,
        }),
        profiles,
        ca: args.ca,
        sni: args.sni,
        direct: args.direct,
        alpn: args.alpn,
        timeout: args.timeout,
        jobs: usize::from(args.jobs),
        per_server: usize::from(args.per_server),
        min_days: args.min_days,
        clients,
        all_clients,
        bind: args.bind,
        notes: Some(Listener::new(note_to_stderr)),
    })?;
    if openmetrics || args.textfile.is_some() {
        let text = metrics_text(&metrics::check(&outcomes, metrics::Labels::Fleet));
        if let Some(file) = &args.textfile {
            rootcert::replace_file(file, text.as_bytes())
                .map_err(|e| with_destination_hint(e, "--textfile"))?;
        }
        if openmetrics {
            output::write_stdout(text.as_bytes());
            return Ok(check_exit_code(&outcomes));
        }
    }
    let single = outcomes.len() == 1 && !many_expected;
    if json {
        // One JSON object a line for every server, one target or many, errors included.
        for outcome in &outcomes {
            output::print_json_line(&render::check_line(outcome));
        }
        if let (true, Some(Err(e))) = (single, outcomes.first().map(|o| &o.result)) {
            output::error_line(&flags::error_text(e));
        }
    } else if single {
        let outcome = outcomes.into_iter().next().expect("one outcome");
        let report = outcome.result?;
        render::check(&report, &mut render::Terminal);
        return Ok(report.exit_code());
    } else {
        render::check_table(&outcomes, &mut render::Terminal);
    }
    Ok(check_exit_code(&outcomes))
}

/// 4 if any server got a verdict other than pass, else the first failing server's code.
fn check_exit_code(outcomes: &[rootcert::CheckOutcome]) -> u8 {
    let codes: Vec<u8> = outcomes.iter().map(|o| o.exit_code()).collect();
    if codes.contains(&rootcert::exit::CONTENT) {
        rootcert::exit::CONTENT
    } else {
        codes
            .into_iter()
            .find(|&c| c != 0)
            .unwrap_or(rootcert::exit::OK)
    }
}

/// A word after the first target that is not a host, an address or a connection string:
/// kebab-case like the profiles, with no dot, colon or `=`.
fn looks_like_a_profile(arg: &str) -> bool {
    arg.contains('-')
        && arg.len() <= 64
        && arg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// clap's fish script completes options only: these lines offer the catalog's profile names
/// as the arguments of fetch (nothing else), verify and check (besides files and hosts).
fn fish_profile_completions() -> String {
    let mut lines = String::from("# Profile names from the catalog.\n");
    for profile in rootcert::catalog::PROFILES {
        // Descriptions are the catalog's own text; fish needs ' escaped inside '...'.
        let description = profile
            .description
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        for (command, files) in [("fetch", " -f"), ("verify", ""), ("check", "")] {
            lines.push_str(&format!(
                "complete -c rootcert -n \"__fish_rootcert_using_subcommand {command}\"{files} -a {} -d '{description}'\n",
                profile.name
            ));
        }
    }
    lines
}

/// What `--on-change` did.
#[derive(serde::Serialize)]
struct Hook {
    ok: bool,
    /// The command's exit code; none when a signal ended it.
    exit_code: Option<i32>,
}

/// Runs `--on-change` with the saved path, exactly as its bytes are, in `ROOTCERT_PATH`;
/// its output goes to stderr. Its failure is exit 6 (the file itself was saved), named with
/// the command's own exit code, and the command is not quoted (it may carry a token).
fn on_change(command: &str, path: &std::path::Path) -> Result<Hook, Error> {
    let status = rootcert::os::shell_command(command)
        .env("ROOTCERT_PATH", path)
        .stdin(std::process::Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| Error::Internal(format!("cannot run --on-change: {e}")))?;
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exit code {code}"),
            None => "a signal".to_string(),
        };
        output::error_line(&format!(
            "the file was saved, but the --on-change command failed with {how}"
        ));
    }
    Ok(Hook {
        ok: status.success(),
        exit_code: status.code(),
    })
}
