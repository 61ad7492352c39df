//! Judging the harness's measurements: per driver and case, rootcert's verdict beside the driver's own.

use super::*;

/// One driver's numbers and the lines that explain them.
#[derive(Default)]
pub(super) struct Tally {
    matrix: usize,
    /// The distinct settings rootcert judged (each over its setups).
    settings: BTreeSet<String>,
    differs_from_psql: usize,
    /// rootcert's verdict is not the driver's: `(case, line)`.
    disagreements: Vec<String>,
    /// Where rootcert differs on purpose (the matrix's `differs`) or as KNOWN lists.
    excused: Vec<String>,
    /// Settings rootcert cannot express, with the reason.
    unexpressed: BTreeSet<String>,
    /// The driver's verify-full verdict is not the one in expected.tsv.
    stale: Vec<String>,
    /// The runner gave no verdict (a harness problem).
    broken: Vec<String>,
}

pub(super) struct Judged {
    tallies: BTreeMap<String, Tally>,
    versions: BTreeMap<String, String>,
    /// KNOWN entries whose driver ran and that no longer differ.
    unneeded_known: Vec<String>,
}

pub(super) fn connected(result: &Value) -> Option<bool> {
    result["connected"].as_bool()
}

pub(super) fn word(connects: bool) -> &'static str {
    if connects { "connects" } else { "refuses" }
}

/// rootcert's verdict for `client` in a harness result, with its first problem.
pub(super) fn rootcert_said(rootcert: &Value, client: &str) -> (Option<String>, String) {
    let verdict = &rootcert["clients"][client];
    match verdict["verdict"].as_str() {
        Some(v) => (
            Some(v.to_string()),
            verdict["problems"][0].as_str().unwrap_or("").to_string(),
        ),
        None => (
            None,
            format!(
                "no verdict (exit {}): {}",
                rootcert["exit"],
                rootcert["error"]
                    .as_str()
                    .or(rootcert["stderr"].as_str())
                    .unwrap_or("")
                    .lines()
                    .last()
                    .unwrap_or("")
            ),
        ),
    }
}

pub(super) fn judge(result: &Value) -> Judged {
    let (_, table) = expected();
    let differs: BTreeMap<&str, &str> = cases()
        .iter()
        .filter_map(|c| c.differs.map(|why| (c.name, why)))
        .collect();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut known_seen = Known::default();
    let rows = result["matrix"].as_array().unwrap();
    // psql's measured verdicts, for "differs from psql" on both servers.
    let psql: BTreeMap<&str, bool> = rows
        .iter()
        .filter_map(|r| Some((r["case"].as_str()?, connected(&r["drivers"]["psql"])?)))
        .collect();
    for row in rows {
        let case = row["case"].as_str().unwrap();
        for (client, measured) in row["drivers"].as_object().unwrap() {
            let tally = tallies.entry(client.clone()).or_default();
            tally.matrix += 1;
            known_seen.ran(client, case);
            let Some(connects) = connected(measured) else {
                tally.broken.push(format!("{case}: {}", measured["error"]));
                continue;
            };
            let psql_connects = psql
                .get(case)
                .copied()
                .or_else(|| table.get(case).map(|t| t["psql"]));
            if psql_connects.is_some_and(|p| p != connects) {
                tally.differs_from_psql += 1;
            }
            match table.get(case).and_then(|t| t.get(client)) {
                Some(&recorded) if recorded != connects => tally.stale.push(format!(
                    "{case}: {client} {} now, expected.tsv says it {} ({})",
                    word(connects),
                    word(recorded),
                    measured["error"].as_str().unwrap_or("no error")
                )),
                Some(_) => {}
                None => tally
                    .stale
                    .push(format!("{case}: no {client} column in expected.tsv")),
            }
            let want = if connects { "pass" } else { "fail" };
            let (said, why) = rootcert_said(&row["rootcert"], client);
            if said.as_deref() != Some(want) {
                let line = format!(
                    "{case} [verify-full, host {}]: {client} {}{}, rootcert {} ({why})",
                    row["host"].as_str().unwrap_or(""),
                    word(connects),
                    measured["error"]
                        .as_str()
                        .map(|e| format!(" ({})", shorten(e)))
                        .unwrap_or_default(),
                    said.as_deref().unwrap_or("-"),
                );
                match differs.get(case).copied().or_else(|| known(client, case)) {
                    Some(reason) => {
                        known_seen.used(client, case);
                        tally.excused.push(format!("{line} [{reason}]"));
                    }
                    None => tally.disagreements.push(line),
                }
            }
        }
    }
    settings(result, &mut tallies, &mut known_seen);
    let versions = result["clients"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(name, c)| Some((name.clone(), c["version"].as_str()?.to_string())))
        .collect();
    Judged {
        tallies,
        versions,
        unneeded_known: known_seen.unneeded(),
    }
}

/// The settings rows: group each driver's setting over its setups; a setting under which
/// the driver connects while trusting only an unrelated root (or nothing) verifies nothing.
pub(super) fn settings(
    result: &Value,
    tallies: &mut BTreeMap<String, Tally>,
    known_seen: &mut Known,
) {
    let rows = result["settings"].as_array().unwrap();
    let mut loose: BTreeSet<(&str, &str)> = BTreeSet::new();
    for row in rows {
        if row["trusted"] == false && connected(&row["driver"]) == Some(true) {
            loose.insert((
                row["client"].as_str().unwrap(),
                row["setting"].as_str().unwrap(),
            ));
        }
    }
    for row in rows {
        let client = row["client"].as_str().unwrap();
        let setting = row["setting"].as_str().unwrap();
        let setup = row["setup"].as_str().unwrap();
        let tally = tallies.entry(client.to_string()).or_default();
        known_seen.ran(client, setting);
        let Some(connects) = connected(&row["driver"]) else {
            tally
                .broken
                .push(format!("{setting} [{setup}]: {}", row["driver"]["error"]));
            continue;
        };
        if row["rootcert"].is_null() {
            tally.unexpressed.insert(format!(
                "{setting}: {}",
                row["why_not"].as_str().unwrap_or("")
            ));
            continue;
        }
        let want = match (connects, loose.contains(&(client, setting))) {
            (false, _) => "fail",
            (true, true) => "unverified",
            (true, false) => "pass",
        };
        tally.settings.insert(setting.to_string());
        let (said, why) = rootcert_said(&row["rootcert"], client);
        let known = known(client, setting);
        if said.as_deref() != Some(want) {
            let mut line = format!(
                "{setting} [{setup}]: {client} {}{} so rootcert should say {want}; it says {} \
                 ({why})\n        {}",
                word(connects),
                row["driver"]["error"]
                    .as_str()
                    .map(|e| format!(" ({})", shorten(e)))
                    .unwrap_or_default(),
                said.as_deref().unwrap_or("-"),
                args_text(&row["rootcert_args"]),
            );
            match known {
                Some(reason) => {
                    line.push_str(&format!("\n        [known: {reason}]"));
                    tally.excused.push(line);
                    known_seen.used(client, setting);
                }
                None => tally.disagreements.push(line),
            }
        }
    }
}

pub(super) fn args_text(args: &Value) -> String {
    args.as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

pub(super) fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > 140 {
        format!("{}…", text.chars().take(140).collect::<String>())
    } else {
        text.to_string()
    }
}

impl Judged {
    pub(super) fn render(&self) -> String {
        let modelled = modelled();
        let mut out = vec![format!(
            "{:<14} {:<9} {:>6} {:>8} {:>11} {:>10} {:>7}  {}",
            "driver",
            "version",
            "cases",
            "settings",
            "differ/psql",
            "rootcert≠",
            "excused",
            "asserted"
        )];
        for (client, t) in &self.tallies {
            out.push(format!(
                "{client:<14} {:<9} {:>6} {:>8} {:>11} {:>10} {:>7}  {}",
                self.versions.get(client).map_or("?", String::as_str),
                t.matrix,
                t.settings.len(),
                t.differs_from_psql,
                t.disagreements.len(),
                t.excused.len(),
                if modelled.contains(&client.as_str()) {
                    "yes"
                } else {
                    "no (printed)"
                }
            ));
        }
        for (client, t) in &self.tallies {
            let sections: [(&str, &Vec<String>); 3] = [
                ("rootcert disagrees", &t.disagreements),
                ("deliberate (matrix `differs`) or KNOWN", &t.excused),
                ("expected.tsv is stale", &t.stale),
            ];
            for (title, lines) in sections {
                if !lines.is_empty() {
                    out.push(format!("{client}: {title} ({}):", lines.len()));
                    out.extend(lines.iter().map(|l| format!("    {l}")));
                }
            }
            if !t.unexpressed.is_empty() {
                out.push(format!("{client}: rootcert cannot express:"));
                out.extend(t.unexpressed.iter().map(|l| format!("    {l}")));
            }
        }
        out.join("\n")
    }

    pub(super) fn failures(&self) -> Vec<String> {
        let modelled = modelled();
        let mut failures = self.unneeded_known.clone();
        for (client, t) in &self.tallies {
            if !t.broken.is_empty() {
                failures.push(format!(
                    "{client}: the runner gave no verdict:\n    {}",
                    t.broken.join("\n    ")
                ));
            }
            if !t.stale.is_empty() {
                failures.push(format!(
                    "{client}: tests/drivers/expected.tsv no longer holds:\n    {}",
                    t.stale.join("\n    ")
                ));
            }
            if modelled.contains(&client.as_str()) && !t.disagreements.is_empty() {
                failures.push(format!(
                    "{client}: rootcert's verdict is not the driver's:\n    {}",
                    t.disagreements.join("\n    ")
                ));
            }
        }
        for (client, t) in &self.tallies {
            if t.matrix != cases().len() {
                failures.push(format!(
                    "{client}: {} certificate cases ran, not {}",
                    t.matrix,
                    cases().len()
                ));
            }
            if t.settings.len() < 10 {
                failures.push(format!(
                    "{client}: only {} settings were judged (10 at least)",
                    t.settings.len()
                ));
            }
        }
        failures
    }
}
