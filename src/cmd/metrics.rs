//! Reports as Prometheus metrics: the text exposition format (version 0.0.4), which is
//! also valid OpenMetrics text with the final `# EOF` that `--format openmetrics` adds.
//!
//! Naming follows Prometheus's rules: one `rootcert_` prefix, base units (seconds),
//! `_timestamp_seconds` for times, `_info` gauges for metadata, HELP and TYPE once per
//! family with its samples together, and no sample timestamps (node_exporter's textfile
//! collector rejects a file that has any). Labels are few and bounded: the target as
//! parsed (passwords masked, never the text as given), host, protocol and client; a label
//! value longer than [`LABEL_CHARS`] keeps its start and a digest of the whole, so two
//! long targets never share a series. Every label value is made terminal-safe
//! ([`terminal_safe`]) and then escaped as the format requires.

use std::collections::HashSet;
use std::fmt::Write as _;

use rootcert::{CheckOutcome, VerifyReport};

use super::output::terminal_safe;

/// The longest label value, in characters.
pub const LABEL_CHARS: usize = 120;

/// The content type of what [`Exposition::text`] makes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

struct Family {
    name: &'static str,
    help: &'static str,
    kind: Kind,
    samples: String,
}

/// Metric families in the order they were first used, each with its samples.
#[derive(Default)]
pub struct Exposition {
    families: Vec<Family>,
}

impl Exposition {
    /// Adds a sample of the gauge `name`.
    pub fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        value: f64,
    ) {
        self.sample(name, help, Kind::Gauge, labels, value);
    }

    /// Adds a sample of the family `name`, creating it (HELP and TYPE) on first use.
    pub fn sample(
        &mut self,
        name: &'static str,
        help: &'static str,
        kind: Kind,
        labels: &[(&str, &str)],
        value: f64,
    ) {
        let at = match self.families.iter().position(|f| f.name == name) {
            Some(at) => at,
            None => {
                self.families.push(Family {
                    name,
                    help,
                    kind,
                    samples: String::new(),
                });
                self.families.len() - 1
            }
        };
        let family = &mut self.families[at];
        debug_assert!(family.help == help && family.kind == kind, "{name}");
        let out = &mut family.samples;
        out.push_str(name);
        if !labels.is_empty() {
            out.push('{');
            for (i, (label, value)) in labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{label}=\"{}\"", label_value(value));
            }
            out.push('}');
        }
        let _ = writeln!(out, " {}", number(value));
    }

    /// The exposition text: each family's HELP, TYPE and samples.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for family in &self.families {
            let kind = match family.kind {
                Kind::Gauge => "gauge",
                Kind::Counter => "counter",
            };
            let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(out, "# TYPE {} {kind}", family.name);
            out.push_str(&family.samples);
        }
        out
    }
}

/// A sample value as the format writes it: integers without a fraction.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// A label value: at most [`LABEL_CHARS`] characters (a longer one keeps its start and a
/// digest of the whole), terminal-safe, then escaped (`\\`, `\"`, `\n`).
pub fn label_value(text: &str) -> String {
    let bounded = match text.char_indices().nth(LABEL_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(text.as_bytes());
            let keep: String = text.chars().take(LABEL_CHARS - 10).collect();
            std::borrow::Cow::Owned(format!("{keep}…{}", hex::encode(&digest[..4])))
        }
    };
    let safe = terminal_safe(&bounded);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

const SUCCESS_HELP: &str =
    "1 when the client's verified TLS connection would succeed (verdict pass), else 0.";
const VERDICT_HELP: &str =
    "The verdict for the server: 1 for the one that holds (pass, fail, unverified or error).";
const EXPIRY_HELP: &str =
    "When the first of the certificates the server sent and their root expires.";
const ROOT_HELP: &str = "The trusted root the server's chain ends at.";
const DURATION_HELP: &str = "How long the check of the server took.";
const DIFFERS_HELP: &str =
    "1 when the server ends at another root than most servers checked under the same name.";
const ROOT_SERVERS_HELP: &str = "How many servers of the run end at this root.";

const VERDICTS: [&str; 4] = ["pass", "fail", "unverified", "error"];

/// Who the labels of an outcome's samples name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// A run of many targets: each sample names its target and host.
    Fleet,
    /// One exporter probe: the scraper's `instance` label names the target.
    Probe,
}

/// The metrics of a `check` run: per server, its success, verdict, chain expiry, root and
/// duration; for a fleet, also which roots it serves and which servers differ from the
/// others of their name.
pub fn check(outcomes: &[CheckOutcome], labels: Labels) -> Exposition {
    let mut metrics = Exposition::default();
    let summary = (labels == Labels::Fleet).then(|| rootcert::fleet_summary(outcomes));
    let differing: HashSet<usize> = summary
        .iter()
        .flat_map(|s| s.differing.iter().map(|d| d.outcome))
        .collect();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        let host = match outcome.host.as_str() {
            "" => String::new(),
            h if h.contains(':') => format!("[{h}]:{}", outcome.port),
            h => format!("{h}:{}", outcome.port),
        };
        // The same target twice in a list would make two series with one label set.
        let given = crate::cmd::flags::target(outcome);
        let mut target = given.to_string();
        let mut n = 1;
        while labels == Labels::Fleet && !seen.insert((target.clone(), host.clone())) {
            n += 1;
            target = format!("{given} ({n})");
        }
        let mut common: Vec<(&str, &str)> = Vec::new();
        if labels == Labels::Fleet {
            common.push(("target", &target));
            if !host.is_empty() {
                common.push(("host", &host));
            }
        }
        if let Some(protocol) = outcome.protocol {
            common.push(("protocol", protocol.as_str()));
        }
        let report = outcome.result.as_ref().ok();
        if let Some(client) = report.map(|r| r.client).or(outcome.client) {
            common.push(("client", client));
        }
        // One success and verdict per client judged: the report's, or with several
        // --client (the exporter: one) each driver's own.
        let verdicts: Vec<(&str, &str)> = match report {
            Some(r) if !r.clients.is_empty() => r
                .clients
                .iter()
                .map(|c| (c.client, c.verdict.as_str()))
                .collect(),
            Some(r) => vec![(r.client, r.verdict.as_str())],
            None => vec![("", "error")],
        };
        for (client, verdict) in verdicts {
            let mut by_client = common.clone();
            if !client.is_empty() {
                by_client.retain(|(name, _)| *name != "client");
                by_client.push(("client", client));
            }
            metrics.gauge(
                "rootcert_check_success",
                SUCCESS_HELP,
                &by_client,
                f64::from(u8::from(verdict == "pass")),
            );
            for v in VERDICTS {
                let mut with = by_client.clone();
                with.push(("verdict", v));
                metrics.gauge(
                    "rootcert_check_verdict",
                    VERDICT_HELP,
                    &with,
                    f64::from(u8::from(v == verdict)),
                );
            }
        }
        if let Some(seconds) = report
            .and_then(|r| r.earliest_expiry)
            .map(|d| d.unix_seconds())
        {
            metrics.gauge(
                "rootcert_chain_earliest_expiry_timestamp_seconds",
                EXPIRY_HELP,
                &common,
                seconds as f64,
            );
        }
        if let Some(root) = report.and_then(|r| r.root.as_ref()) {
            let sha256 = root.sha256.to_string();
            let mut with = common.clone();
            with.push(("subject", &root.subject));
            with.push(("sha256", &sha256));
            metrics.gauge("rootcert_root_info", ROOT_HELP, &with, 1.0);
        }
        metrics.gauge(
            "rootcert_probe_duration_seconds",
            DURATION_HELP,
            &common,
            outcome.elapsed.as_secs_f64(),
        );
        if summary.is_some() && report.is_some() {
            metrics.gauge(
                "rootcert_check_root_differs",
                DIFFERS_HELP,
                &common,
                f64::from(u8::from(differing.contains(&i))),
            );
        }
    }
    for root in summary.iter().flat_map(|s| &s.roots) {
        metrics.gauge(
            "rootcert_root_servers",
            ROOT_SERVERS_HELP,
            &[
                ("subject", &root.subject),
                ("sha256", &root.sha256.to_string()),
            ],
            root.servers as f64,
        );
    }
    metrics
}

/// The metrics of a `verify` run: whether it passed, whether every pinned certificate is
/// in the file, and when each certificate in it expires. `None`: the file could not be
/// checked at all.
pub fn verify(path: &str, report: Option<&VerifyReport>) -> Exposition {
    let mut metrics = Exposition::default();
    let file = [("path", path)];
    metrics.gauge(
        "rootcert_trust_file_success",
        "1 when the trust file holds every pinned certificate, valid long enough, in a form \
         the client loads; else 0.",
        &file,
        f64::from(u8::from(report.is_some_and(|r| r.error.is_none()))),
    );
    metrics.gauge(
        "rootcert_trust_file_pins_present",
        "1 when the trust file still holds every pinned certificate, else 0.",
        &file,
        f64::from(u8::from(report.is_some_and(|r| {
            r.missing.is_empty() && !r.certificates.is_empty()
        }))),
    );
    for cert in report.iter().flat_map(|r| &r.certificates) {
        let seconds = cert.not_after.unix_seconds();
        metrics.gauge(
            "rootcert_trust_file_expiry_timestamp_seconds",
            "When a certificate in the trust file expires (pinned: one the file must hold).",
            &[
                ("path", path),
                ("subject", &cert.subject),
                ("sha256", &cert.sha256.to_string()),
                ("pinned", if cert.pinned { "true" } else { "false" }),
            ],
            seconds as f64,
        );
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_bounded_and_terminal_safe() {
        assert_eq!(label_value(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(label_value("a\nb"), "a\\nb");
        // ESC becomes the text \x1B, whose backslash the format then escapes.
        assert_eq!(label_value("a\x1b[2Jb"), "a\\\\x1B[2Jb");
        let long = "x".repeat(500);
        let other = format!("{}y", "x".repeat(499));
        let (a, b) = (label_value(&long), label_value(&other));
        assert_eq!(a.chars().count(), LABEL_CHARS - 10 + 1 + 8);
        assert_ne!(a, b, "two long values keep distinct series");
    }

    #[test]
    fn families_are_grouped_with_help_and_type_once() {
        let mut m = Exposition::default();
        m.gauge("rootcert_a", "A.", &[("x", "1")], 1.0);
        m.gauge("rootcert_b", "B.", &[], 0.5);
        m.gauge("rootcert_a", "A.", &[("x", "2")], 0.0);
        assert_eq!(
            m.text(),
            "# HELP rootcert_a A.\n# TYPE rootcert_a gauge\nrootcert_a{x=\"1\"} 1\n\
             rootcert_a{x=\"2\"} 0\n# HELP rootcert_b B.\n# TYPE rootcert_b gauge\n\
             rootcert_b 0.5\n"
        );
    }
}
