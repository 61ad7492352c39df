//! The man pages, from the clap definitions: rootcert(1) with every subcommand, the exit
//! codes and the environment; and one page per subcommand (rootcert-fetch(1), ...), which
//! rootcert(1) names and the Debian package ships.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgAction, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

use super::cli::Cli;
use super::exit_codes;

/// rootcert(1), in roff.
pub fn page() -> Vec<u8> {
    let command = built();
    let man = Man::new(command.clone());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    out.extend(title("rootcert", &command).render().into_bytes());
    man.render_name_section(&mut out).expect("in memory");
    let mut synopsis = Roff::new();
    synopsis.control("SH", ["SYNOPSIS"]);
    // No hyphenation inside option and value names.
    synopsis.control("nh", []);
    for (i, sub) in subcommands(&command).enumerate() {
        if i > 0 {
            synopsis.control("br", []);
        }
        synopsis.text(synopsis_line(sub));
    }
    synopsis.control("hy", []);
    out.extend(synopsis.render().into_bytes());
    man.render_description_section(&mut out).expect("in memory");
    // Each subcommand with its own page (clap_mangen's list would also name a help page).
    let mut list = Roff::new();
    list.control("SH", ["SUBCOMMANDS"]);
    for sub in subcommands(&command) {
        list.control("TP", []);
        list.text([bold(format!("{}(1)", page_name(sub)))]);
        list.text([roman(
            sub.get_about().map(|a| a.to_string()).unwrap_or_default(),
        )]);
    }
    out.extend(list.render().into_bytes());
    for sub in subcommands(&command) {
        let mut section = Roff::new();
        section.control("SH", [full_name(sub).as_str()]);
        about(&mut section, sub);
        section.control("PP", []);
        section.control("nh", []);
        section.text(synopsis_line(sub));
        section.control("hy", []);
        out.extend(section.render().into_bytes());
        Man::new(sub.clone())
            .render_options_section(&mut out)
            .expect("in memory");
        out.extend(after_help(sub).render().into_bytes());
    }
    out.extend(exit_status_and_environment().render().into_bytes());
    let mut see_also = Roff::new();
    see_also.control("SH", ["SEE ALSO"]);
    let pages: Vec<String> = subcommands(&command)
        .map(|s| format!("{}(1)", page_name(s)))
        .collect();
    see_also.text([roman(pages.join(", "))]);
    out.extend(see_also.render().into_bytes());
    man.render_version_section(&mut out).expect("in memory");
    out
}

/// Every page: `rootcert.1`, then `rootcert-SUBCOMMAND.1` for each subcommand.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let command = built();
    let mut pages = vec![("rootcert.1".to_string(), page())];
    for sub in subcommands(&command) {
        pages.push((format!("{}.1", page_name(sub)), sub_page(&command, sub)));
    }
    pages
}

/// One subcommand's page: rootcert-fetch(1) and the like.
fn sub_page(command: &clap::Command, sub: &clap::Command) -> Vec<u8> {
    let name = page_name(sub);
    let version = command.get_version().unwrap_or_default();
    let mut roff = title(&name, command);
    roff.control("SH", ["NAME"]);
    let summary = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
    roff.text([roman(format!("{name} - {summary}"))]);
    roff.control("SH", ["SYNOPSIS"]);
    roff.control("nh", []);
    roff.text(synopsis_line(sub));
    roff.control("hy", []);
    roff.control("SH", ["DESCRIPTION"]);
    about(&mut roff, sub);
    let mut out = roff.render().into_bytes();
    Man::new(sub.clone())
        .render_options_section(&mut out)
        .expect("in memory");
    out.extend(after_help(sub).render().into_bytes());
    let mut tail = Roff::new();
    tail.control("SH", ["ENVIRONMENT"]);
    tail.text([roman(exit_codes::ENVIRONMENT)]);
    tail.control("SH", ["SEE ALSO"]);
    let others: Vec<String> = std::iter::once("rootcert(1)".to_string())
        .chain(
            subcommands(command)
                .filter(|s| s.get_name() != sub.get_name())
                .map(|s| format!("{}(1)", page_name(s))),
        )
        .collect();
    tail.text([roman(others.join(", "))]);
    tail.control("SH", ["VERSION"]);
    tail.text([roman(format!("v{version}"))]);
    out.extend(tail.render().into_bytes());
    out
}

/// Writes every page into `dir` (created if missing) and returns the paths written. Each
/// file is written under a temporary name and renamed into place: a reader never sees half
/// a page, and a symlink at a page's name is replaced, never followed.
pub fn write_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, roff) in pages() {
        let path = dir.join(&name);
        let temp = dir.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        let result = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| file.write_all(&roff).and_then(|()| file.sync_data()))
            .and_then(|()| std::fs::rename(&temp, &path));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&temp);
            return Err(std::io::Error::new(
                e.kind(),
                format!("cannot write {}: {e}", path.display()),
            ));
        }
        written.push(path);
    }
    Ok(written)
}

/// `.TH NAME 1 "" "rootcert VERSION"`: no date (the pages are reproducible), and the empty
/// argument written as `""` so that the source stays the fourth.
fn title(name: &str, command: &clap::Command) -> Roff {
    let source = format!("rootcert {}", command.get_version().unwrap_or_default());
    let mut roff = Roff::new();
    roff.control("TH", [name, "1", "\"\"", source.as_str()]);
    roff
}

/// The command line with every default filled in (how many values each option takes).
fn built() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command
}

fn subcommands(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
}

fn full_name(sub: &clap::Command) -> String {
    format!("rootcert {}", sub.get_name())
}

fn page_name(sub: &clap::Command) -> String {
    format!("rootcert-{}", sub.get_name())
}

/// The long description, a paragraph per blank-line-separated block.
fn about(roff: &mut Roff, sub: &clap::Command) {
    let text = sub
        .get_long_about()
        .or(sub.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            roff.control("PP", []);
        }
        roff.text([roman(paragraph.to_string())]);
    }
}

/// The examples and exit codes of `--help`, kept as laid out there.
fn after_help(sub: &clap::Command) -> Roff {
    let mut roff = Roff::new();
    if let Some(after) = sub.get_after_help() {
        let text = after.to_string();
        for (i, block) in text.split("\n\n").enumerate() {
            let (heading, body) = match block.split_once(":\n") {
                Some((heading, body)) if !heading.contains('\n') => (heading, body),
                _ => ("", block),
            };
            match (heading, i) {
                ("", 0) => {
                    roff.control("SH", ["NOTES"]);
                }
                ("", _) => {}
                (heading, _) => {
                    roff.control("SH", [heading.to_uppercase().as_str()]);
                }
            }
            roff.control("nf", []);
            roff.text([roman(body.to_string())]);
            roff.control("fi", []);
        }
    }
    roff
}

/// One synopsis line: `rootcert fetch [-o|--out PATH] [--url URL]... [PROFILE]...`, every
/// option with its value's name, then the arguments.
fn synopsis_line(sub: &clap::Command) -> Vec<Inline> {
    let mut line = vec![bold(full_name(sub))];
    for arg in sub.get_arguments().filter(|a| {
        !a.is_positional()
            && !a.is_hide_set()
            && !matches!(a.get_action(), ArgAction::Help | ArgAction::HelpLong)
    }) {
        let required = arg.is_required_set();
        line.push(roman(if required { " " } else { " [" }));
        let mut names = Vec::new();
        if let Some(short) = arg.get_short() {
            names.push(format!("-{short}"));
        }
        if let Some(long) = arg.get_long() {
            names.push(format!("--{long}"));
        }
        line.push(bold(names.join("|")));
        if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            line.push(roman(" "));
            line.push(italic(value_name(arg)));
        }
        if !required {
            line.push(roman("]"));
        }
        if matches!(arg.get_action(), ArgAction::Append) {
            line.push(roman("..."));
        }
    }
    // A usage written by hand says what the positional arguments mean better than their
    // one name can (verify: `[PROFILE]... PATH`).
    let overridden = sub
        .get_overridden_usage()
        .map(|u| u.to_string())
        .and_then(|u| u.split_once("[OPTIONS] ").map(|(_, rest)| rest.to_string()));
    if let Some(positionals) = overridden {
        line.push(roman(" "));
        line.push(italic(positionals));
        return line;
    }
    for arg in sub.get_positionals().filter(|a| !a.is_hide_set()) {
        let name = value_name(arg);
        let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        let dots = if many { "..." } else { "" };
        if arg.is_required_set() {
            line.push(roman(" "));
            line.push(italic(name));
            line.push(roman(dots));
        } else {
            line.push(roman(" ["));
            line.push(italic(name));
            line.push(roman(format!("]{dots}")));
        }
    }
    line
}

fn value_name(arg: &clap::Arg) -> String {
    arg.get_value_names()
        .map(|names| {
            names
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
}

fn exit_status_and_environment() -> Roff {
    let mut tail = Roff::new();
    tail.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit_codes::man_rows() {
        tail.control("TP", []);
        tail.text([bold(code)]);
        tail.text([roman(meaning)]);
    }
    tail.control("SH", ["ENVIRONMENT"]);
    tail.text([roman(exit_codes::ENVIRONMENT)]);
    tail
}
