//! Reports as people read them. (With `--json` a report is printed as it serialises.)

use rootcert::{
    CheckOutcome, CheckReport, FetchReport, FetchStatus, InspectReport, Verdict, VerifyReport,
};

use super::output::{GREEN, Log, Piece, RED, Stream, write_line, write_stdout};
use crate::outln;

/// Where rendered lines go: the terminal (escaped, coloured where it may be), or a buffer.
pub trait Sink {
    fn line(&mut self, pieces: &[Piece<'_>]);
}

/// Standard output.
pub struct Terminal;

impl Sink for Terminal {
    fn line(&mut self, pieces: &[Piece<'_>]) {
        write_line(Stream::Stdout, pieces);
    }
}

/// The text of every line, for tests.
impl Sink for String {
    fn line(&mut self, pieces: &[Piece<'_>]) {
        for piece in pieces {
            match piece {
                Piece::Text(text) | Piece::Painted(_, text) => self.push_str(text),
            }
        }
        self.push('\n');
    }
}

/// `outln!` into a [`Sink`].
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        $out.line(&[Piece::Text(&format!($($arg)*))])
    };
}

/// The path (or the PEM) on stdout; what happened and how to use it on stderr. Quiet prints
/// no path (a provisioning hook's output stays clean) but still the PEM that `-o -` asks for.
pub fn fetch(report: &FetchReport, log: Log) {
    let names: Vec<&str> = report
        .certificates
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let names = names.join(" and ");
    match (&report.path, report.status) {
        (Some(path), FetchStatus::Unchanged) => {
            log.note(&format!("{path} already holds {names}; nothing to do"))
        }
        (Some(path), _) if report.format == rootcert::TrustFormat::Pem => {
            log.note(&format!("saved {names} to {path}"))
        }
        (Some(path), _) => log.note(&format!(
            "saved {names} to {path} as a {}",
            report.format.as_str()
        )),
        (None, _) => log.note(&format!("wrote {names} to stdout")),
    }
    for cert in &report.certificates {
        log.detail(&format!("  subject  {}", cert.subject));
        log.detail(&format!("  sha256   {}", cert.sha256));
        log.detail(&format!(
            "  valid    {} to {}",
            cert.not_before, cert.not_after
        ));
        log.detail(&format!("  source   {}", cert.source));
    }
    for warning in &report.warnings {
        log.warn(warning);
    }
    if let Some(lines) = &report.connect {
        log.detail(&format!(
            "\nConnect with:\n  {}\nor, for every libpq client:\n  {}",
            lines.psql, lines.env
        ));
    }
    if let Some(lines) = &report.java {
        log.detail(&format!(
            "\nUse it in a JVM (for every TLS connection it makes) with:\n  {}\nand pgjdbc with:\n  {}",
            lines.java, lines.pgjdbc
        ));
    }
    match (&report.path, &report.pem) {
        (Some(_), _) if log.quiet => {}
        (Some(path), _) => outln!("{path}"),
        (None, Some(pem)) => write_stdout(pem.as_bytes()),
        (None, None) => {}
    }
}

pub fn verify(report: &VerifyReport) {
    let verdict = if report.error.is_none() {
        Piece::Painted(GREEN, "OK, holds every pinned certificate")
    } else {
        Piece::Painted(RED, "FAILED")
    };
    write_line(
        Stream::Stdout,
        &[
            Piece::Text(&report.path),
            Piece::Text(match report.format {
                "pkcs12" => " (PKCS#12 truststore): ",
                _ => ": ",
            }),
            verdict,
        ],
    );
    for cert in &report.certificates {
        let role = if cert.pinned { "pinned" } else { "other " };
        outln!("  {role}  {}", cert.subject);
        outln!("          sha256 {}", cert.sha256);
        outln!(
            "          expires {} ({} days left)",
            cert.not_after,
            cert.days_left
        );
    }
    for missing in &report.missing {
        outln!("  MISSING {} (sha256 {})", missing.name, missing.sha256);
    }
    for warning in &report.warnings {
        super::output::warn(warning);
    }
}

/// Each source with how many certificates it holds and whether libpq loads it, then each
/// certificate's fields.
pub fn inspect(report: &InspectReport) {
    let certs = &report.certificates;
    let mut i = 0;
    while i < certs.len() {
        let source = &certs[i].source;
        let count = certs[i..]
            .iter()
            .take_while(|c| &c.source == source)
            .count();
        let first = &certs[i];
        let libpq = match &first.libpq_problem {
            None => "libpq can load it as sslrootcert".to_string(),
            Some(why) => format!("libpq cannot load it as sslrootcert: {why}"),
        };
        let plural = if count == 1 { "" } else { "s" };
        outln!(
            "{source}: {count} certificate{plural}, {}; {libpq}",
            first.format.as_str()
        );
        for (j, cert) in certs[i..i + count].iter().enumerate() {
            if j > 0 {
                outln!();
            }
            let yes_no = |b: bool| if b { "yes" } else { "no" };
            let self_signed = match cert.self_signed {
                Some(true) => "yes (signature verifies)",
                Some(false) if cert.subject == cert.issuer => {
                    "NO: the self-signature does not verify"
                }
                Some(false) => "no",
                None => "yes (signature algorithm not checked)",
            };
            outln!("  subject      {}", cert.subject);
            outln!("  issuer       {}", cert.issuer);
            outln!("  serial       {}", cert.serial);
            outln!("  not before   {}", cert.not_before);
            outln!("  not after    {}", cert.not_after);
            outln!("  sha256       {}", cert.sha256);
            outln!("  sha1         {}", cert.sha1);
            outln!("  key          {}", cert.key);
            outln!("  CA           {}", yes_no(cert.is_ca));
            outln!("  self-signed  {self_signed}");
            outln!(
                "  profile      {}",
                cert.profile.unwrap_or("(not in the catalog)")
            );
        }
        i += count;
    }
}

pub fn check(report: &CheckReport, out: &mut dyn Sink) {
    let bare = [
        report.host.clone(),
        format!("{}:{}", report.host, report.port),
    ];
    if !bare.iter().any(|b| **b == *report.target) {
        say!(
            out,
            "{} ({} settings, {})",
            report.target,
            report.client,
            report.mode
        );
    }
    say!(
        out,
        "{}:{} ({}), trusting {}",
        report.host,
        report.port,
        report.tls_version,
        report.trusting
    );
    say!(out, "Chain sent by the server:");
    for (i, cert) in report.chain.iter().enumerate() {
        say!(out, "  {i} {}", cert.subject);
        say!(out, "      issuer  {}", cert.issuer);
        say!(
            out,
            "      valid   {} to {}",
            cert.not_before,
            cert.not_after
        );
        say!(out, "      sha256  {}", cert.sha256);
    }
    match &report.root {
        Some(root) => say!(
            out,
            "Ends at the trusted root {} (sha256 {})",
            root.subject,
            root.sha256
        ),
        None => say!(out, "Ends at no trusted root"),
    }
    if !report.clients.is_empty() {
        return clients(report, out);
    }
    let word = !report.mode.contains(' ') && !report.mode.contains('=');
    let mut what = match report.protocol {
        "postgres" if word => format!("sslmode={}", report.mode),
        "mysql" if word => format!("ssl-mode={}", report.mode),
        "tls" => "TLS with verification".to_string(),
        _ => report.mode.clone(),
    };
    if !matches!(report.client, "psql" | "openssl") {
        what.push_str(&format!(" ({})", report.client));
    }
    match report.verdict {
        Verdict::Pass => {
            out.line(&[]);
            // A chain-only pass whose full verification would fail has no setting to offer.
            let lines = !report.settings.is_empty() || report.fetch_first.is_some();
            out.line(&[
                Piece::Painted(GREEN, "OK"),
                Piece::Text(&format!(
                    ": {what} will succeed for {}{}",
                    report.server_name,
                    if lines { ". Connect with:" } else { "." }
                )),
            ]);
            if let Some(command) = &report.fetch_first {
                say!(out, "  {command}");
            }
            for setting in &report.settings {
                say!(out, "  {}", setting.text);
            }
            if let Some(lines) = &report.connect {
                say!(out, "  {}", lines.env);
            }
            for problem in &report.problems {
                say!(out, "  {problem}");
            }
        }
        verdict => {
            let (label, how) = match verdict {
                Verdict::Fail => ("FAIL", "would fail"),
                _ => ("UNVERIFIED", "would not verify the server"),
            };
            out.line(&[]);
            out.line(&[
                Piece::Painted(RED, label),
                Piece::Text(&format!(": {what} {how}:")),
            ]);
            for problem in &report.problems {
                say!(out, "  - {problem}");
            }
            if !report.fixes.is_empty() {
                say!(out, "Fix:");
            }
            for fix in &report.fixes {
                say!(out, "  {fix}");
            }
            if !report.settings.is_empty() {
                say!(out, "Verified settings that would work:");
                for setting in &report.settings {
                    say!(out, "  {}", setting.text);
                }
            }
        }
    }
}

/// Several drivers' verdicts on one server: a table with the rule behind each difference,
/// then what each driver that does not pass would need, and the settings that work.
fn clients(report: &CheckReport, out: &mut dyn Sink) {
    let rows: Vec<[String; 4]> = report
        .clients
        .iter()
        .map(|c| {
            [
                c.client.to_string(),
                shorten(&c.mode, 30).into_owned(),
                c.verdict.as_str().to_string(),
                c.differs.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let headers = ["CLIENT", "SETTING", "VERDICT", "WHY IT DIFFERS"];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    out.line(&[]);
    let line = |cells: [&str; 4]| {
        let mut text = String::from("  ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            text.push_str(cell);
            if i < 3 {
                text.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        text.trim_end().to_string()
    };
    say!(out, "{}", line(headers));
    for row in &rows {
        say!(out, "{}", line([&row[0], &row[1], &row[2], &row[3]]));
    }
    for client in &report.clients {
        if client.verdict == Verdict::Pass
            && client.problems.iter().all(|p| p.starts_with("note: "))
        {
            continue;
        }
        out.line(&[]);
        let label = match client.verdict {
            Verdict::Pass => Piece::Painted(GREEN, "OK"),
            Verdict::Fail => Piece::Painted(RED, "FAIL"),
            Verdict::Unverified => Piece::Painted(RED, "UNVERIFIED"),
        };
        out.line(&[
            Piece::Text(client.client),
            Piece::Text(": "),
            label,
            Piece::Text(&format!(" ({})", client.mode)),
        ]);
        for problem in &client.problems {
            say!(out, "  - {problem}");
        }
        for fix in &client.fixes {
            say!(out, "  fix: {fix}");
        }
    }
    let working: Vec<&rootcert::ClientVerdict> = report
        .clients
        .iter()
        .filter(|c| c.setting.is_some())
        .collect();
    if !working.is_empty() {
        out.line(&[]);
        say!(out, "Verified settings that work:");
        if let Some(command) = &report.fetch_first {
            say!(out, "  {command}");
        }
        for client in working {
            say!(
                out,
                "  {}: {}",
                client.client,
                client.setting.as_deref().unwrap_or_default()
            );
        }
    }
}

/// One server's result as one JSON line: the report, or the error, with `target_index`
/// and `host_index`. A target with several hosts carries its full text on its first host's
/// line only, so that output grows with the input, not with hosts × text.
pub fn check_line(outcome: &CheckOutcome) -> serde_json::Value {
    let mut line = match &outcome.result {
        Ok(report) => serde_json::to_value(report).unwrap_or_default(),
        Err(e) => serde_json::json!({
            "target": &*outcome.target,
            "protocol": outcome.protocol.map(|p| p.as_str()),
            "host": outcome.host,
            "port": outcome.port,
            "verdict": "error",
            "ok": false,
            "error": e.to_string(),
        }),
    };
    if let Some(map) = line.as_object_mut() {
        if outcome.host_index > 0 {
            map.remove("target");
        }
        map.insert("target_index".into(), outcome.target_index.into());
        map.insert("host_index".into(), outcome.host_index.into());
        map.insert("exit_code".into(), outcome.exit_code().into());
    }
    line
}

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
            let target = shorten(&o.target, TARGET_COLUMN);
            let shown = if o.host.is_empty()
                || (hosts_of(o.target_index) == 1 && o.target.contains(&o.host))
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
                    r.earliest_expiry
                        .as_deref()
                        .map_or_else(|| "-".to_string(), |d| d.chars().take(10).collect()),
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
            Err(e) => say!(out, "\n{}: error\n  - {e}", row[0]),
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

/// At most `limit` characters of `text`, with `…` when it was cut.
fn shorten(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(limit) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// `CN=DigiCert Global Root G2,OU=…` → `DigiCert Global Root G2`.
fn short_name(subject: &str) -> String {
    subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(subject)
        .to_string()
}
