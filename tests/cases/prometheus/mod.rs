//! rootcert's metrics read by the real Prometheus tools: `promtool check metrics` on every
//! output, node_exporter's textfile collector serving `--textfile`, a Prometheus server
//! scraping `rootcert exporter` in the multi-target pattern (PostgreSQL, MariaDB and plain
//! TLS: a pass, a fail, an unreachable target) and answering queries, a soak of the
//! exporter, and the recipes in `recipes/prometheus/` run as written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::pg::{PgServer, binaries, free_port};
use crate::support::prom::{self, Sample, Silent, SilentFleet, TlsServer, http_get, samples};
use crate::support::*;

mod exporter;
mod operations;
mod textfiles;

/// A root and a server certificate it signs for `localhost` and `127.0.0.1`, expiring at
/// `leaf_not_after` (a date, before the root's).
fn chain(root_name: &str, (year, month, day): (i32, u8, u8)) -> TestChain {
    TestChain::builder(root_name)
        .names(&["localhost", "127.0.0.1"])
        .leaf_valid_until(year, month, day)
        .build()
}

fn recipe(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("recipes/prometheus")
            .join(name),
    )
    .unwrap()
}

/// The samples of `name` whose label `label` is `value`.
fn find<'a>(all: &'a [Sample], name: &str, label: &str, value: &str) -> Vec<&'a Sample> {
    all.iter()
        .filter(|s| s.name == name && s.label(label) == Some(value))
        .collect()
}

/// The one sample of `name` for `target`.
#[track_caller]
fn one<'a>(all: &'a [Sample], name: &str, target: &str) -> &'a Sample {
    let found = find(all, name, "target", target);
    assert_eq!(found.len(), 1, "{name} for {target}: {found:?}");
    found[0]
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The cron lines of `recipes/prometheus/crontab-textfile`, as a shell would run them with
/// /etc/ and /var/lib/ under `root` and the binary built by this test run.
fn cron_commands(root: &Path) -> Vec<String> {
    let bin = env!("CARGO_BIN_EXE_rootcert");
    recipe("crontab-textfile")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            // minute hour day month weekday user command
            let command = line.splitn(7, ' ').nth(6).expect("a cron.d line");
            command
                .replace("/usr/bin/rootcert", bin)
                .replace("/etc/", &format!("{}/etc/", root.display()))
                .replace("/var/lib/", &format!("{}/var/lib/", root.display()))
        })
        .collect()
}

/// The exporter configuration of `recipes/prometheus/exporter.toml` with its trust file at
/// `trust` (the recipe's own keys and modules otherwise).
fn exporter_config(dir: &Path, trust: &Path) -> PathBuf {
    let text = recipe("exporter.toml").replace("/etc/rootcert/root.pem", trust.to_str().unwrap());
    write(dir, "exporter.toml", &text)
}

/// `ExecStart=`-style lines of the unit, with the binary and config paths of this run.
fn unit_commands(unit: &str, config: &Path, listen: &str) -> Vec<Vec<String>> {
    unit.lines()
        .filter_map(|l| {
            l.strip_prefix("ExecStartPre=")
                .or_else(|| l.strip_prefix("ExecStart="))
        })
        .map(|command| {
            command
                .split_whitespace()
                .map(|word| match word {
                    "/usr/bin/rootcert" => env!("CARGO_BIN_EXE_rootcert").to_string(),
                    "/etc/rootcert/exporter.toml" => config.to_str().unwrap().to_string(),
                    "127.0.0.1:9819" => listen.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}
