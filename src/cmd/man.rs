//! `rootcert man`: one man page with every subcommand, the exit codes and the environment.

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::cli::{ALL_EXIT_CODES, Cli};

/// The page, in roff.
pub fn page() -> Vec<u8> {
    let command = Cli::command();
    let man = Man::new(command.clone());
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    man.render_title(&mut out).expect("in memory");
    man.render_name_section(&mut out).expect("in memory");
    man.render_synopsis_section(&mut out).expect("in memory");
    man.render_description_section(&mut out).expect("in memory");
    man.render_subcommands_section(&mut out).expect("in memory");
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut heading = Roff::new();
        heading.control("SH", [format!("rootcert {}", sub.get_name()).as_str()]);
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        heading.text([roman(about)]);
        out.extend(heading.render().into_bytes());
        let sub_man = Man::new(sub.clone().bin_name(format!("rootcert {}", sub.get_name())));
        sub_man
            .render_synopsis_section(&mut out)
            .expect("in memory");
        sub_man.render_options_section(&mut out).expect("in memory");
        if let Some(after) = sub.get_after_help() {
            let mut examples = Roff::new();
            examples.control("nf", []);
            examples.text([roman(after.to_string())]);
            examples.control("fi", []);
            out.extend(examples.render().into_bytes());
        }
    }
    let (codes, environment) = ALL_EXIT_CODES
        .split_once("\n\nEnvironment: ")
        .expect("both parts");
    let mut tail = Roff::new();
    tail.control("SH", ["EXIT STATUS"]);
    tail.control("nf", []);
    tail.text([roman(codes.to_string())]);
    tail.control("fi", []);
    tail.control("SH", ["ENVIRONMENT"]);
    tail.text([
        bold("ROOTCERT_DIR"),
        roman(", and: "),
        roman(environment.to_string()),
    ]);
    out.extend(tail.render().into_bytes());
    man.render_version_section(&mut out).expect("in memory");
    out
}
