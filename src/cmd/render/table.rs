//! Several servers' check outcomes as one table, then why each that did not pass did not.

use rootcert::CheckOutcome;

use super::{Sink, short_name, shorten};
use crate::cmd::output::Piece;

/// The widest a TARGET cell gets in the table; JSON has the full text.
const TARGET_COLUMN: usize = 60;

/// The summary table: target, protocol, verdict, chain root, earliest expiry; then why
/// each target that did not pass did not.
pub fn check_table(outcomes: &[CheckOutcome], out: &mut dyn Sink) {
    let hosts_of = |target_index: usize| {
        outcomes
            .iter()
            .filter(|o| o.target_index == target_index)
            .count()
    };
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            let given = crate::cmd::flags::target(o);
            let target = shorten(&given, TARGET_COLUMN);
            let shown = if o.host.is_empty()
                || (hosts_of(o.target_index) == 1 && given.contains(&o.host))
            {
                target.into_owned()
            } else {
                format!(
                    "{target} ({})",
                    shorten(&format!("{}:{}", o.host, o.port), 40)
                )
            };
            let protocol = o.protocol.map_or("-", |p| p.as_str()).to_string();
            match &o.result {
                Ok(r) => [
                    shown,
                    protocol,
                    r.verdict.as_str().to_string(),
                    r.root.as_ref().map_or_else(
                        || "-".to_string(),
                        |root| shorten(&short_name(&root.subject), 40).into_owned(),
                    ),
                    r.earliest_expiry.map_or_else(
                        || "-".to_string(),
                        |d| d.to_string().chars().take(10).collect(),
                    ),
                ],
                Err(_) => [
                    shown,
                    protocol,
                    "error".to_string(),
                    "-".to_string(),
                    "-".to_string(),
                ],
            }
        })
        .collect();
    let headers = ["TARGET", "PROTOCOL", "VERDICT", "ROOT", "EXPIRES"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Padded by hand: a format width is limited to u16, and a cell is the user's text.
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            text.push_str(cell);
            if i < 4 {
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        text
    };
    say!(out, "{}", line(headers));
    for row in &rows {
        say!(
            out,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4]])
        );
    }
    let passed = outcomes
        .iter()
        .filter(|o| o.result.as_ref().is_ok_and(|r| r.ok))
        .count();
    say!(out, "\n{passed} of {} passed", outcomes.len());
    fleet(outcomes, &rows, out);
    for (o, row) in outcomes.iter().zip(&rows) {
        match &o.result {
            Ok(r) if r.ok => {}
            Ok(r) => {
                say!(out, "\n{}: {}", row[0], r.verdict.as_str());
                for problem in &r.problems {
                    say!(out, "  - {problem}");
                }
                for fix in &r.fixes {
                    say!(out, "  fix: {fix}");
                }
            }
            Err(e) => say!(
                out,
                "\n{}: error\n  - {}",
                row[0],
                crate::cmd::flags::error_text(e)
            ),
        }
    }
}

/// Which roots the servers end at, how many each, and the servers that end at another
/// root than most others checked under the same name.
fn fleet(outcomes: &[CheckOutcome], rows: &[[String; 5]], out: &mut dyn Sink) {
    let summary = rootcert::fleet_summary(outcomes);
    let plural = |n: usize| if n == 1 { "server" } else { "servers" };
    say!(out, "\nRoots served:");
    for root in &summary.roots {
        say!(
            out,
            "  {:>5} {}  {} (sha256 {})",
            root.servers,
            plural(root.servers),
            short_name(&root.subject),
            root.sha256
        );
    }
    if summary.no_root > 0 {
        say!(
            out,
            "  {:>5} {}  no trusted root",
            summary.no_root,
            plural(summary.no_root)
        );
    }
    if summary.unreached > 0 {
        say!(
            out,
            "  {:>5} {}  not reached",
            summary.unreached,
            plural(summary.unreached)
        );
    }
    let name_of = |root: &Option<String>| {
        root.as_deref()
            .map_or_else(|| "no trusted root".to_string(), short_name)
    };
    for d in &summary.differing {
        say!(
            out,
            "\n{}: differs from the others named {}: ends at {}, where {} other{} end{} at {}",
            rows[d.outcome][0],
            shorten(&d.name, 80),
            name_of(&d.root),
            d.others,
            if d.others == 1 { "" } else { "s" },
            if d.others == 1 { "s" } else { "" },
            name_of(&d.others_root)
        );
    }
}
