//! One server's check report: the verdict, why, and each client's view.

use rootcert::{CheckOutcome, CheckReport, Verdict};

use super::{Sink, shorten};
use crate::cmd::output::{GREEN, Piece, RED};

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
            "target": crate::cmd::flags::target(outcome),
            "protocol": outcome.protocol.map(|p| p.as_str()),
            "host": outcome.host,
            "port": outcome.port,
            "verdict": "error",
            "ok": false,
            "error": crate::cmd::flags::error_text(e),
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
