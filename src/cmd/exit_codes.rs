//! The exit codes: one table, from which `--help`, the man page's EXIT STATUS and (checked
//! by a test) README.md's table are made.

use rootcert::exit;

/// One exit code: its number, a short name, and what it means for every subcommand.
/// Flags are in backticks for README.md; help and man pages drop them.
pub struct ExitStatus {
    pub code: u8,
    pub name: &'static str,
    pub meaning: &'static str,
}

/// A closed output pipe, as for a Unix tool killed by SIGPIPE (128 + 13).
pub const PIPE: u8 = 141;

pub const TABLE: &[ExitStatus] = &[
    ExitStatus {
        code: exit::OK,
        name: "ok",
        meaning: "success: fetch saved, or found the file up to date; verify found every pin \
                  in a file libpq loads; inspect found a certificate in every source; check: \
                  every target passes",
    },
    ExitStatus {
        code: exit::INTERNAL,
        name: "internal",
        meaning: "a bug, or output that cannot be written (a full disk, a closed standard output)",
    },
    ExitStatus {
        code: exit::USAGE,
        name: "usage",
        meaning: "bad arguments or settings: a flag, an unknown profile, a SHA-1 pin, a proxy \
                  variable, a target or connection string that does not parse, an exporter \
                  configuration or `--listen` that cannot be used",
    },
    ExitStatus {
        code: exit::NETWORK,
        name: "network",
        meaning: "every source failed on the network (DNS, TLS, HTTP status, timeout, body too \
                  large); for check, no TLS session could be set up",
    },
    ExitStatus {
        code: exit::CONTENT,
        name: "content",
        meaning: "wrong content: not a certificate, truncated, HTML, not the pinned \
                  certificate (this wins over 3 when any source sent it), a pin missing or \
                  expiring within `--min-days`, a file libpq cannot load; for check, a target \
                  that would fail, or whose settings do not verify the server, as its client \
                  decides",
    },
    ExitStatus {
        code: exit::FILE,
        name: "file",
        meaning: "a file cannot be read or written, or may not be replaced: it holds a \
                  different certificate and `--force` was not given, it is not a regular \
                  file, it goes through another user's symlink, it changed during the \
                  download; or the `--textfile` cannot be written",
    },
    ExitStatus {
        code: exit::HOOK,
        name: "hook",
        meaning: "the file was saved, but the `--on-change` command failed",
    },
    ExitStatus {
        code: PIPE,
        name: "pipe",
        meaning: "the output pipe was closed (a reader such as `head -1` stopped early): the \
                  run ends quietly, as a Unix tool killed by SIGPIPE",
    },
];

/// The environment variables rootcert reads, for the top-level help and the man page.
pub const ENVIRONMENT: &str = "ROOTCERT_DIR (default directory), HTTPS_PROXY, HTTP_PROXY, \
ALL_PROXY, NO_PROXY, SSL_CERT_FILE and SSL_CERT_DIR (the OS trust store), NO_COLOR, HOME; for \
check --env, DATABASE_URL and libpq's PGHOST, PGHOSTADDR, PGPORT, PGSSLMODE, PGSSLROOTCERT, \
PGSSLNEGOTIATION, PGSERVICE (with PGSERVICEFILE, PGSYSCONFDIR), PGUSER, PGDATABASE.";

/// Help text is wrapped here, not by the terminal, so snapshots do not depend on it.
const WIDTH: usize = 90;

fn plain(meaning: &str) -> String {
    meaning.replace('`', "")
}

/// `Exit codes:` and the rows for `codes` (every code when empty), as help text.
pub fn help(codes: &[u8]) -> String {
    let mut text = String::from("Exit codes:");
    for row in TABLE
        .iter()
        .filter(|row| codes.is_empty() || codes.contains(&row.code))
    {
        let head = format!("  {:<3} {:<9}", row.code, row.name);
        text.push('\n');
        text.push_str(&wrap(&head, &plain(row.meaning)));
    }
    text
}

/// The top-level help's tail: every exit code, then the environment.
pub fn help_with_environment() -> String {
    format!(
        "{}\n\n{}",
        help(&[]),
        wrap("", &format!("Environment: {ENVIRONMENT}"))
    )
}

/// `head` followed by `text`, wrapped at [`WIDTH`] with the continuation lines indented
/// to the end of `head`.
fn wrap(head: &str, text: &str) -> String {
    let indent = " ".repeat(head.len());
    let mut out = head.to_string();
    let mut line_len = head.len();
    let mut first = true;
    for word in text.split_whitespace() {
        if !first && line_len + 1 + word.len() > WIDTH {
            out.push('\n');
            out.push_str(&indent);
            line_len = indent.len();
            first = true;
        }
        if !first {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
        first = false;
    }
    out
}

/// The rows as `(code and name, meaning)`, for the man page's EXIT STATUS.
pub fn man_rows() -> impl Iterator<Item = (String, String)> {
    TABLE
        .iter()
        .map(|row| (format!("{} {}", row.code, row.name), plain(row.meaning)))
}

/// The table as README.md holds it, between its exit-codes markers.
#[cfg(test)]
fn markdown() -> String {
    let mut text = String::from("| code | name | meaning |\n|---|---|---|\n");
    for row in TABLE {
        text.push_str(&format!(
            "| {} | {} | {} |\n",
            row.code, row.name, row.meaning
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_holds_the_exit_code_table() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let (_, rest) = readme
            .split_once("<!-- exit-codes:begin -->\n")
            .expect("README.md has <!-- exit-codes:begin -->");
        let (table, _) = rest
            .split_once("<!-- exit-codes:end -->")
            .expect("README.md has <!-- exit-codes:end -->");
        assert_eq!(
            table,
            markdown(),
            "README.md's exit-code table differs from src/cmd/exit_codes.rs; paste:\n{}",
            markdown()
        );
    }

    #[test]
    fn codes_are_unique_and_every_library_code_is_listed() {
        let codes: Vec<u8> = TABLE.iter().map(|row| row.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for code in [
            exit::OK,
            exit::INTERNAL,
            exit::USAGE,
            exit::NETWORK,
            exit::CONTENT,
            exit::FILE,
            exit::HOOK,
        ] {
            assert!(codes.contains(&code), "{code}");
        }
    }

    #[test]
    fn help_lines_fit() {
        for line in help_with_environment().lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
    }
}
