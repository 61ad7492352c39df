//! rootcert's metrics read by the real Prometheus tools: `promtool check metrics` on every
//! output, node_exporter's textfile collector serving `--textfile`, a Prometheus server
//! scraping `rootcert exporter` in the multi-target pattern (PostgreSQL, MariaDB and plain
//! TLS: a pass, a fail, an unreachable target) and answering queries, a soak of the
//! exporter, and the recipes in `recipes/prometheus/` run as written.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::pg::{PgServer, binaries, free_port};
use crate::support::prom::{self, Chain, Sample, Silent, TlsServer, http_get, samples};
use crate::support::*;

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

#[test]
fn check_metrics_pass_promtool_and_say_what_each_server_got() {
    let Some(tools) = prom::tools() else { return };
    let env = Env::new();
    let good = Chain::new("rootcert metrics root", (2031, 5, 17));
    let other = Chain::new("some other root", (2032, 1, 1));
    let odd = Chain::new("Odd \"root\" \\ CA \u{1b}[2J", (2033, 1, 1));
    let pass = TlsServer::start(&good.server);
    let fail = TlsServer::start(&other.server);
    let quoted = TlsServer::start(&odd.server);
    let silent = Silent::start();
    let closed = free_port();
    let trust = write(
        env.dir.path(),
        "trust.pem",
        &format!("{}{}", good.root_pem, odd.root_pem),
    );
    let targets = [
        format!("tls://127.0.0.1:{}", pass.port),
        format!("tls://localhost:{}", fail.port),
        format!("tls://127.0.0.1:{}", quoted.port),
        format!("tls://127.0.0.1:{}", silent.port),
        format!("postgresql://app:S3CRET@127.0.0.1:{closed}/db?sslmode=verify-full"),
    ];
    let mut args = vec!["check", "--timeout", "1", "--format", "openmetrics", "--ca"];
    args.push(trust.to_str().unwrap());
    args.extend(targets.iter().map(String::as_str));
    let run = env.run(&args);
    run.expect(4);
    tools.check_metrics(&run.stdout).unwrap();
    assert!(!run.stdout.contains("S3CRET"), "{}", run.stdout);
    assert!(run.stdout.ends_with("# EOF\n"));
    for family in [
        "rootcert_check_success",
        "rootcert_check_verdict",
        "rootcert_chain_earliest_expiry_timestamp_seconds",
        "rootcert_root_info",
        "rootcert_probe_duration_seconds",
    ] {
        assert_eq!(
            run.stdout.matches(&format!("# HELP {family} ")).count(),
            1,
            "{family}"
        );
    }
    let all = samples(&run.stdout);
    let masked = format!("postgresql://app:****@127.0.0.1:{closed}/db?sslmode=verify-full");
    let expect = [
        (&targets[0], 1.0, "pass"),
        (&targets[1], 0.0, "fail"),
        (&targets[2], 1.0, "pass"),
        (&targets[3], 0.0, "error"),
        (&masked, 0.0, "error"),
    ];
    for (target, success, verdict) in expect {
        assert_eq!(
            one(&all, "rootcert_check_success", target).value,
            success,
            "{target}"
        );
        let verdicts = find(&all, "rootcert_check_verdict", "target", target);
        assert_eq!(verdicts.len(), 4, "{target}: one series per verdict");
        for v in verdicts {
            let holds = v.label("verdict") == Some(verdict);
            assert_eq!(v.value, f64::from(u8::from(holds)), "{target}: {v:?}");
        }
        let duration = one(&all, "rootcert_probe_duration_seconds", target).value;
        assert!((0.0..5.0).contains(&duration), "{target}: {duration}");
    }
    let postgres = one(&all, "rootcert_check_success", &masked);
    assert_eq!(postgres.label("protocol"), Some("postgres"));
    assert_eq!(postgres.label("client"), Some("psql"));
    assert_eq!(
        postgres.label("host"),
        Some(&*format!("127.0.0.1:{closed}"))
    );
    assert_eq!(
        one(
            &all,
            "rootcert_chain_earliest_expiry_timestamp_seconds",
            &targets[0]
        )
        .value,
        good.leaf_not_after as f64
    );
    let root = one(&all, "rootcert_root_info", &targets[0]);
    assert_eq!(root.label("sha256"), Some(&*good.root_sha256));
    assert_eq!(root.label("subject"), Some("CN=rootcert metrics root"));
    // A subject with quotes, a backslash and an escape sequence: escaped, never raw.
    let odd_root = one(&all, "rootcert_root_info", &targets[2]);
    assert_eq!(odd_root.label("sha256"), Some(&*odd.root_sha256));
    let subject = odd_root.label("subject").unwrap();
    assert!(
        subject.contains("Odd") && subject.contains('"'),
        "{subject}"
    );
    assert!(!subject.contains('\u{1b}'), "{subject:?}");
    assert!(!run.stdout.contains('\u{1b}'));
    let servers = find(&all, "rootcert_root_servers", "sha256", &good.root_sha256);
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].value, 1.0);
    // No chain for the servers that could not be judged.
    assert!(find(&all, "rootcert_root_info", "target", &targets[1]).is_empty());
    assert!(find(&all, "rootcert_root_info", "target", &targets[3]).is_empty());
}

#[test]
fn with_every_driver_each_gets_its_own_success_series_as_in_the_json() {
    let Some(tools) = prom::tools() else { return };
    let Some(bins) = binaries() else { return };
    let env = Env::new();
    let chain = Chain::new("rootcert drivers root", (2031, 5, 17));
    let trust = write(env.dir.path(), "root.pem", &chain.root_pem);
    let pg = PgServer::start(bins, Some(&chain.server));
    // By address: the drivers' name rules differ on an IP SAN (libpq, pgx, ...).
    let target = format!("127.0.0.1:{}", pg.port);
    let args = [
        "check",
        &target,
        "--ca",
        trust.to_str().unwrap(),
        "--client",
        "all",
    ];
    let json = env.run(&[&args[..], &["--json"]].concat());
    let report: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().unwrap()).unwrap();
    let clients = report["clients"].as_array().unwrap();
    assert!(clients.len() >= 4, "{report}");
    let run = env.run(&[&args[..], &["--format", "openmetrics"]].concat());
    assert_eq!(run.code, json.code);
    tools.check_metrics(&run.stdout).unwrap();
    let all = samples(&run.stdout);
    for client in clients {
        let name = client["client"].as_str().unwrap();
        let success = find(&all, "rootcert_check_success", "client", name);
        assert_eq!(success.len(), 1, "{name}");
        let pass = client["verdict"] == "pass";
        assert_eq!(
            success[0].value,
            f64::from(u8::from(pass)),
            "{name}: {client}"
        );
    }
    let series = all
        .iter()
        .filter(|s| s.name == "rootcert_check_success")
        .count();
    assert_eq!(series, clients.len());
}

#[test]
fn verify_metrics_say_whether_the_pins_are_still_there() {
    let Some(tools) = prom::tools() else { return };
    let env = Env::new();
    let g2 = write(env.dir.path(), "g2.pem", &g2_pem());
    let isrg = write(env.dir.path(), "isrg.pem", &isrg_pem());
    let run = env.run(&["verify", "--format", "openmetrics", g2.to_str().unwrap()]);
    run.expect(0);
    tools.check_metrics(&run.stdout).unwrap();
    let all = samples(&run.stdout);
    let path = g2.to_str().unwrap();
    let value = |name: &str| find(&all, name, "path", path)[0].value;
    assert_eq!(value("rootcert_trust_file_success"), 1.0);
    assert_eq!(value("rootcert_trust_file_pins_present"), 1.0);
    let expiry = find(
        &all,
        "rootcert_trust_file_expiry_timestamp_seconds",
        "path",
        path,
    );
    assert_eq!(expiry.len(), 1);
    // DigiCert Global Root G2: notAfter 2038-01-15 12:00:00 UTC.
    assert_eq!(expiry[0].value, 2_147_169_600.0);
    assert_eq!(expiry[0].label("pinned"), Some("true"));
    assert_eq!(expiry[0].label("sha256"), Some(G2_SHA256));

    // The pinned G2 is not in a file holding ISRG Root X1.
    let run = env.run(&["verify", "--format", "openmetrics", isrg.to_str().unwrap()]);
    run.expect(4);
    tools.check_metrics(&run.stdout).unwrap();
    let all = samples(&run.stdout);
    let path = isrg.to_str().unwrap();
    let value = |name: &str| find(&all, name, "path", path)[0].value;
    assert_eq!(value("rootcert_trust_file_success"), 0.0);
    assert_eq!(value("rootcert_trust_file_pins_present"), 0.0);
    let held = find(
        &all,
        "rootcert_trust_file_expiry_timestamp_seconds",
        "path",
        path,
    );
    assert_eq!(held[0].label("pinned"), Some("false"));

    // A file that is gone is still a sample: success 0.
    let gone = env.path("gone.pem");
    let run = env.run(&["verify", "--format", "openmetrics", gone.to_str().unwrap()]);
    run.expect(5);
    tools.check_metrics(&run.stdout).unwrap();
    let all = samples(&run.stdout);
    assert_eq!(all.len(), 2, "{}", run.stdout);
    assert!(all.iter().all(|s| s.value == 0.0));
}

#[test]
fn the_fleet_summary_names_the_server_on_another_root() {
    let Some(tools) = prom::tools() else { return };
    let env = Env::new();
    let usual = Chain::new("rootcert usual root", (2031, 1, 1));
    let old = Chain::new("rootcert old root", (2031, 1, 1));
    let a = TlsServer::start(&usual.server);
    let b = TlsServer::start(&usual.server);
    let c = TlsServer::start(&old.server);
    let trust = write(
        env.dir.path(),
        "trust.pem",
        &format!("{}{}", usual.root_pem, old.root_pem),
    );
    let targets: Vec<String> = [a.port, b.port, c.port]
        .iter()
        .map(|p| format!("tls://127.0.0.1:{p}"))
        .collect();
    let mut args = vec![
        "check",
        "--sni",
        "localhost",
        "--ca",
        trust.to_str().unwrap(),
    ];
    args.extend(targets.iter().map(String::as_str));
    let run = env.run(&args);
    run.expect(0);
    run.stdout_has("Roots served:");
    run.stdout_has("2 servers  rootcert usual root (sha256 ");
    run.stdout_has("1 server  rootcert old root (sha256 ");
    run.stdout_has(&format!(
        "{}: differs from the others named localhost: ends at rootcert old root, where 2 \
         others end at rootcert usual root",
        targets[2]
    ));
    assert_eq!(
        run.stdout.matches("differs from").count(),
        1,
        "{}",
        run.stdout
    );

    args.extend(["--format", "openmetrics"]);
    let run = env.run(&args);
    run.expect(0);
    tools.check_metrics(&run.stdout).unwrap();
    let all = samples(&run.stdout);
    for (target, differs) in targets.iter().zip([0.0, 0.0, 1.0]) {
        assert_eq!(
            one(&all, "rootcert_check_root_differs", target).value,
            differs
        );
    }
    let usual_servers = find(&all, "rootcert_root_servers", "sha256", &usual.root_sha256);
    assert_eq!(usual_servers[0].value, 2.0);
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

#[test]
fn node_exporter_serves_the_textfiles_the_cron_recipe_writes() {
    let Some(tools) = prom::tools() else { return };
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/rootcert");
    let textfiles = root.path().join("var/lib/prometheus/node-exporter");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::create_dir_all(&textfiles).unwrap();
    let chain = Chain::new("rootcert textfile root", (2031, 5, 17));
    let server = TlsServer::start(&chain.server);
    let closed = free_port();
    write(&etc, "root.pem", &format!("{}{}", chain.root_pem, g2_pem()));
    write(
        &etc,
        "fleet.txt",
        &format!(
            "tls://127.0.0.1:{}\ntls://127.0.0.1:{closed}\n",
            server.port
        ),
    );
    let commands = cron_commands(root.path());
    assert_eq!(commands.len(), 2, "{commands:?}");
    for command in &commands {
        let out = Command::new("sh").args(["-c", command]).output().unwrap();
        // check: one target is unreachable (3); verify: the file holds the pinned G2 (0).
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "cron mails any output");
    }
    let mut names: Vec<String> = std::fs::read_dir(&textfiles)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["rootcert-verify.prom", "rootcert.prom"],
        "no temporary left"
    );
    for name in &names {
        let text = std::fs::read_to_string(textfiles.join(name)).unwrap();
        tools.check_metrics(&text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(textfiles.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "node_exporter's user must read {name}");
    }

    let node = prom::start_node_exporter(&tools, &textfiles);
    let (status, body) = http_get(&node.addr, "/metrics", &[]);
    assert_eq!(status, 200);
    let all = samples(&body);
    let scrape_error: Vec<_> = all
        .iter()
        .filter(|s| s.name == "node_textfile_scrape_error")
        .collect();
    assert_eq!(scrape_error.len(), 1);
    assert_eq!(
        scrape_error[0].value, 0.0,
        "node_exporter rejected a file:\n{body}"
    );
    let pass = format!("tls://127.0.0.1:{}", server.port);
    assert_eq!(one(&all, "rootcert_check_success", &pass).value, 1.0);
    assert_eq!(
        one(
            &all,
            "rootcert_check_success",
            &format!("tls://127.0.0.1:{closed}")
        )
        .value,
        0.0
    );
    assert_eq!(
        one(
            &all,
            "rootcert_chain_earliest_expiry_timestamp_seconds",
            &pass
        )
        .value,
        chain.leaf_not_after as f64
    );
    let trust = etc.join("root.pem");
    let verified = find(
        &all,
        "rootcert_trust_file_success",
        "path",
        trust.to_str().unwrap(),
    );
    assert_eq!(verified.len(), 1, "{body}");
    assert_eq!(verified[0].value, 1.0);
    let mtimes = all
        .iter()
        .filter(|s| s.name == "node_textfile_mtime_seconds")
        .count();
    assert_eq!(mtimes, 2, "both files served");

    // Rewritten while read: a reader sees the old file or the new one, whole.
    let path = textfiles.join("rootcert.prom");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.ends_with("# EOF\n"), "a partial file was seen");
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..10 {
        let out = Command::new("sh")
            .args(["-c", &commands[0]])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
}

/// The exporter configuration of `recipes/prometheus/exporter.toml` with its trust file at
/// `trust` (the recipe's own keys and modules otherwise).
fn exporter_config(dir: &Path, trust: &Path) -> PathBuf {
    let text = recipe("exporter.toml").replace("/etc/rootcert/root.pem", trust.to_str().unwrap());
    write(dir, "exporter.toml", &text)
}

#[test]
fn prometheus_scrapes_the_exporter_and_reads_back_each_verdict() {
    let Some(tools) = prom::tools() else { return };
    let Some(bins) = binaries() else { return };
    if !mariadb::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = Chain::new("rootcert exporter root", (2031, 5, 17));
    let stranger = Chain::new("a root nobody trusts", (2032, 2, 2));
    let trust = write(dir.path(), "root.pem", &good.root_pem);
    let pg = PgServer::start(bins, Some(&good.server));
    let maria = mariadb::MariaDb::start(Some(&stranger.server), 100);
    let tls = TlsServer::start(&good.server);
    let closed = free_port();
    let exporter = prom::start_exporter(&exporter_config(dir.path(), &trust), &[]);

    let prometheus_dir = tempfile::tempdir().unwrap();
    let p = prometheus_dir.path();
    let (pg_target, maria_target) = (
        format!("localhost:{}", pg.port),
        format!("localhost:{}", maria.port),
    );
    let (tls_target, closed_target) = (
        format!("127.0.0.1:{}", tls.port),
        format!("127.0.0.1:{closed}"),
    );
    let targets = |list: &[&str]| format!("- targets: {list:?}\n");
    write(p, "rootcert-postgres-targets.yml", &targets(&[&pg_target]));
    write(p, "rootcert-mysql-targets.yml", &targets(&[&maria_target]));
    write(
        p,
        "rootcert-tls-targets.yml",
        &targets(&[&tls_target, &closed_target]),
    );
    write(p, "rootcert-alerts.yml", &recipe("rootcert-alerts.yml"));
    let config = recipe("prometheus.yml")
        .replace("scrape_interval: 1m", "scrape_interval: 2s")
        .replace("scrape_timeout: 15s", "scrape_timeout: 2s")
        .replace("evaluation_interval: 1m", "evaluation_interval: 2s")
        .replace("127.0.0.1:9819", &exporter.addr);
    let (ok, out) = {
        write(p, "prometheus.yml", &config);
        tools.promtool(p, &["check", "config", "prometheus.yml"])
    };
    assert!(ok, "{out}");
    let prometheus = prom::start_prometheus(&tools, prometheus_dir, &config);

    let success = prometheus.wait_for("rootcert_check_success", Duration::from_secs(60), |r| {
        r.len() == 4
    });
    let value_of = |result: &[(serde_json::Value, f64)], instance: &str| {
        result
            .iter()
            .find(|(m, _)| m["instance"] == instance)
            .unwrap_or_else(|| panic!("no series for {instance}: {result:?}"))
            .1
    };
    assert_eq!(
        value_of(&success, &pg_target),
        1.0,
        "PostgreSQL with the trusted root"
    );
    assert_eq!(
        value_of(&success, &maria_target),
        0.0,
        "MariaDB with another root"
    );
    assert_eq!(
        value_of(&success, &tls_target),
        1.0,
        "tls:// with the trusted root"
    );
    assert_eq!(value_of(&success, &closed_target), 0.0, "nothing listening");
    let job_of = |instance: &str| {
        success
            .iter()
            .find(|(m, _)| m["instance"] == instance)
            .unwrap()
            .0["job"]
            .clone()
    };
    assert_eq!(job_of(&pg_target), "rootcert-postgres");
    assert_eq!(job_of(&maria_target), "rootcert-mysql");

    let verdicts = prometheus.query("rootcert_check_verdict == 1");
    let verdict_of = |instance: &str| {
        verdicts
            .iter()
            .find(|(m, _)| m["instance"] == instance)
            .unwrap()
            .0["verdict"]
            .clone()
    };
    assert_eq!(verdict_of(&maria_target), "fail");
    assert_eq!(verdict_of(&closed_target), "error");
    assert_eq!(verdict_of(&pg_target), "pass");

    let expiry = prometheus.query("rootcert_chain_earliest_expiry_timestamp_seconds");
    assert_eq!(value_of(&expiry, &pg_target), good.leaf_not_after as f64);
    assert_eq!(value_of(&expiry, &tls_target), good.leaf_not_after as f64);
    let roots = prometheus.query("rootcert_root_info");
    let pg_root = roots
        .iter()
        .find(|(m, _)| m["instance"] == pg_target.as_str())
        .unwrap();
    assert_eq!(pg_root.0["sha256"], good.root_sha256);

    // The exporter's own health, and the alert rule of the recipe matching the failures.
    // The exporter's own job runs on its own schedule: wait for its first scrape.
    let up = prometheus.wait_for(
        "up{job=\"rootcert-exporter\"}",
        Duration::from_secs(30),
        |r| !r.is_empty(),
    );
    assert_eq!(up[0].1, 1.0);
    // Its own job scrapes /metrics on its own schedule: wait for a scrape after the probes.
    prometheus.wait_for(
        "sum(rootcert_exporter_probes_total)",
        Duration::from_secs(30),
        |r| r.first().is_some_and(|(_, v)| *v >= 4.0),
    );
    let pending = prometheus.wait_for(
        "ALERTS{alertname=\"RootcertVerdictNotPass\"}",
        Duration::from_secs(30),
        |r| r.len() == 2,
    );
    let mut instances: Vec<String> = pending
        .iter()
        .map(|(m, _)| m["instance"].as_str().unwrap().to_string())
        .collect();
    instances.sort();
    let mut expected = vec![closed_target.clone(), maria_target.clone()];
    expected.sort();
    assert_eq!(instances, expected);
    drop(exporter);
}

#[test]
fn a_probe_names_only_a_target_and_a_module_and_keeps_to_the_scrape_timeout() {
    let Some(tools) = prom::tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new("rootcert probe root", (2031, 5, 17));
    let trust = write(dir.path(), "root.pem", &chain.root_pem);
    let config = write(
        dir.path(),
        "exporter.toml",
        &format!(
            "[modules.tls]\nprotocol = \"tls\"\nca = \"{}\"\ntimeout = 4\n\n\
             [modules.postgres]\nca = \"{}\"\n",
            trust.display(),
            trust.display()
        ),
    );
    let exporter = prom::start_exporter(&config, &["--jobs", "2"]);
    let server = TlsServer::start(&chain.server);
    let addr = &exporter.addr;

    let (status, body) = http_get(
        addr,
        &format!("/probe?module=tls&target=tls://127.0.0.1:{}", server.port),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    tools.check_metrics(&body).unwrap();
    let all = samples(&body);
    let success: Vec<_> = all
        .iter()
        .filter(|s| s.name == "rootcert_check_success")
        .collect();
    assert_eq!(success.len(), 1);
    assert_eq!(success[0].value, 1.0);
    assert_eq!(
        success[0].label("target"),
        None,
        "Prometheus's instance label names it"
    );

    // Anything a connection string could carry is refused, and nothing is read.
    let secret_file = write(dir.path(), "secret.pem", "not for probes");
    let refused = [
        format!(
            "/probe?module=postgres&target=127.0.0.1:{}&ca=/etc/passwd",
            server.port
        ),
        "/probe?module=postgres&target=host%3D127.0.0.1%20sslrootcert%3D/etc/passwd".into(),
        format!(
            "/probe?module=postgres&target=postgresql://u:pw@127.0.0.1/db?sslrootcert={}",
            secret_file.display()
        ),
        "/probe?module=postgres&target=u@127.0.0.1".into(),
        "/probe?module=postgres&target=127.0.0.1%2C127.0.0.2".into(),
        "/probe?module=nosuch&target=127.0.0.1".into(),
        "/probe?target=127.0.0.1".into(),
        "/probe?module=postgres".into(),
        "/probe?module=postgres&module=tls&target=127.0.0.1".into(),
        "/probe?module=postgres&target=127.0.0.1:99999".into(),
        "/probe?module=postgres&target=tls://127.0.0.1:5432".into(),
    ];
    for path in &refused {
        let (status, body) = http_get(addr, path, &[]);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(!body.contains("passwd") && !body.contains("pw@"), "{body}");
    }

    // A server that never answers: the scrape's timeout (less half a second) wins over
    // the module's 4 s.
    let silent = Silent::start();
    let probe = format!("/probe?module=tls&target=127.0.0.1:{}", silent.port);
    let started = Instant::now();
    let (status, body) = http_get(
        addr,
        &probe,
        &[("X-Prometheus-Scrape-Timeout-Seconds", "1.5")],
    );
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(body.contains("verdict=\"error\"} 1"), "{body}");
    assert!(body.contains("did not answer within 1 s"), "{body}");
    assert!(took < Duration::from_millis(1400), "{took:?}");
    let started = Instant::now();
    let (status, _) = http_get(addr, &probe, &[]);
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "the module's timeout"
    );

    // --jobs 2: while two probes hold both slots, a third waits until its deadline, then
    // gets 503.
    let silent: Vec<Silent> = (0..3).map(|_| Silent::start()).collect();
    let probe = |s: &Silent, timeout: &str| {
        let path = format!("/probe?module=tls&target=127.0.0.1:{}", s.port);
        http_get(
            addr,
            &path,
            &[("X-Prometheus-Scrape-Timeout-Seconds", timeout)],
        )
        .0
    };
    let (long, short) = std::thread::scope(|scope| {
        let long: Vec<_> = silent[..2]
            .iter()
            .map(|s| scope.spawn(move || probe(s, "3")))
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let short = probe(&silent[2], "1.5");
        assert!(started.elapsed() < Duration::from_millis(1400));
        let long: Vec<u16> = long.into_iter().map(|p| p.join().unwrap()).collect();
        (long, short)
    });
    assert_eq!(long, [200, 200]);
    assert_eq!(short, 503);
    let (_, own) = http_get(addr, "/metrics", &[]);
    tools.check_metrics(&own).unwrap();
    let own = samples(&own);
    let rejected = |reason: &str| {
        find(
            &own,
            "rootcert_exporter_probes_rejected_total",
            "reason",
            reason,
        )[0]
        .value
    };
    assert_eq!(rejected("busy"), 1.0);
    assert_eq!(rejected("bad_request"), refused.len() as f64);
}

#[test]
fn one_server_gets_at_most_its_share_of_checks_at_once() {
    let env = Env::new();
    let chain = Chain::new("rootcert share root", (2031, 5, 17));
    let trust = write(env.dir.path(), "root.pem", &chain.root_pem);
    // Each connection is held 100 ms before the handshake: checks overlap.
    let server = TlsServer::start_with(&chain.server, Duration::from_millis(100));
    let targets: Vec<String> = (0..40)
        .map(|_| format!("tls://127.0.0.1:{}", server.port))
        .collect();
    let file = write(env.dir.path(), "targets.txt", &targets.join("\n"));
    let run = env.run(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--ca",
        trust.to_str().unwrap(),
        "--json",
    ]);
    run.expect(0);
    assert_eq!(run.stdout.lines().count(), 40);
    assert_eq!(
        server.peak(),
        rootcert::DEFAULT_PER_SERVER,
        "the default per-server limit"
    );

    let other = TlsServer::start_with(&chain.server, Duration::from_millis(100));
    let file = write(
        env.dir.path(),
        "targets.txt",
        &targets
            .join("\n")
            .replace(&server.port.to_string(), &other.port.to_string()),
    );
    env.run(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--ca",
        trust.to_str().unwrap(),
        "--per-server",
        "10",
    ])
    .expect(0);
    assert_eq!(other.peak(), 10);
}

#[test]
fn servers_that_never_answer_wait_out_their_timeouts_side_by_side() {
    let env = Env::new();
    let chain = Chain::new("rootcert side root", (2031, 5, 17));
    let trust = write(env.dir.path(), "root.pem", &chain.root_pem);
    let silent: Vec<Silent> = (0..200).map(|_| Silent::start()).collect();
    let good = TlsServer::start(&chain.server);
    let mut targets: Vec<String> = silent
        .iter()
        .map(|s| format!("tls://127.0.0.1:{}", s.port))
        .collect();
    targets.push(format!("tls://127.0.0.1:{}", good.port));
    let file = write(env.dir.path(), "targets.txt", &targets.join("\n"));
    let started = Instant::now();
    let run = env.run(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--ca",
        trust.to_str().unwrap(),
        "--timeout",
        "1",
        "--json",
    ]);
    let took = started.elapsed();
    run.expect(3);
    assert_eq!(run.stdout.lines().count(), 201);
    // With 16 at once (the old default) this took 13 s; the floor is the timeout.
    assert!(took < Duration::from_millis(2500), "{took:?}");
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

#[test]
fn the_recipes_pass_their_checkers_and_run_as_written() {
    let Some(tools) = prom::tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let recipes = Path::new(env!("CARGO_MANIFEST_DIR")).join("recipes/prometheus");
    // Prometheus's own checkers, on the files as they are in the repository.
    for args in [
        &["check", "config", "prometheus.yml"][..],
        &["check", "rules", "rootcert-alerts.yml"],
        &["test", "rules", "rootcert-alerts.test.yml"],
    ] {
        let (ok, out) = tools.promtool(&recipes, args);
        assert!(ok, "promtool {args:?}: {out}");
    }
    // The same checker fails on a broken rule, so the check above means something.
    write(
        dir.path(),
        "broken.yml",
        "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: rootcert_check_success ==\n",
    );
    assert!(
        !tools
            .promtool(dir.path(), &["check", "rules", "broken.yml"])
            .0
    );

    // The systemd unit: systemd's verifier, then its commands as it would run them.
    let chain = Chain::new("rootcert unit root", (2031, 5, 17));
    let trust = write(dir.path(), "root.pem", &chain.root_pem);
    let config = exporter_config(dir.path(), &trust);
    let unit = recipe("rootcert-exporter.service");
    let listen = format!("127.0.0.1:{}", free_port());
    let verifiable = write(
        dir.path(),
        "rootcert-exporter.service",
        &unit.replace("/usr/bin/rootcert", env!("CARGO_BIN_EXE_rootcert")),
    );
    match Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&verifiable)
        .output()
    {
        Ok(out) => assert!(
            out.status.success() && out.stderr.is_empty(),
            "systemd-analyze verify: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if std::env::var_os("ROOTCERT_REQUIRE_PROMETHEUS").is_some() => {
            panic!("systemd-analyze: {e}")
        }
        Err(e) => crate::support::suites::skipped("systemd-analyze", &e.to_string()),
    }
    let commands = unit_commands(&unit, &config, &listen);
    assert_eq!(commands.len(), 2, "ExecStartPre and ExecStart");
    let pre = Command::new(&commands[0][0])
        .args(&commands[0][1..])
        .output()
        .unwrap();
    assert!(
        pre.status.success(),
        "{}",
        String::from_utf8_lossy(&pre.stderr)
    );
    let mut exporter = Command::new(&commands[1][0])
        .args(&commands[1][1..])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if std::net::TcpStream::connect(&listen).is_ok() {
            break http_get(&listen, "/metrics", &[]).0;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the unit's exporter never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = exporter.kill();
    let _ = exporter.wait();
    assert_eq!(status, 200);
    // ExecStartPre refuses a configuration that cannot work, so the unit does not start.
    let bad = write(dir.path(), "bad.toml", "[modules.x]\nprotocol = \"tls\"\n");
    let bad_commands = unit_commands(&unit, &bad, &listen);
    let pre = Command::new(&bad_commands[0][0])
        .args(&bad_commands[0][1..])
        .output()
        .unwrap();
    assert_eq!(pre.status.code(), Some(2));
}

#[test]
fn the_exporter_stays_flat_over_thousands_of_probes() {
    let Some(_tools) = prom::tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::new("rootcert soak root", (2031, 5, 17));
    let trust = write(dir.path(), "root.pem", &chain.root_pem);
    let config = write(
        dir.path(),
        "exporter.toml",
        &format!(
            "[modules.tls]\nprotocol = \"tls\"\nca = \"{}\"\n",
            trust.display()
        ),
    );
    let exporter = prom::start_exporter(&config, &[]);
    let server = TlsServer::start(&chain.server);
    let closed = free_port();
    let paths = [
        format!("/probe?module=tls&target=127.0.0.1:{}", server.port),
        format!("/probe?module=tls&target=localhost:{}", server.port),
        format!("/probe?module=tls&target=127.0.0.1:{closed}"),
        "/probe?module=tls&target=a@b".to_string(),
        "/metrics".to_string(),
    ];
    let round = |probes: usize| {
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (paths, addr) = (&paths, &exporter.addr);
                scope.spawn(move || {
                    for i in 0..probes / 4 {
                        let path = &paths[(i + t) % paths.len()];
                        let (status, _) = http_get(addr, path, &[]);
                        assert!(status == 200 || status == 400, "{path}: {status}");
                    }
                });
            }
        });
    };
    round(1000);
    let (rss_warm, fds_warm) = prom::rss_and_fds(exporter.pid());
    let started = Instant::now();
    round(4000);
    let took = started.elapsed();
    let (rss_end, fds_end) = prom::rss_and_fds(exporter.pid());
    eprintln!(
        "soak: 4000 probes in {took:?}; RSS {rss_warm} KiB after 1000 probes, {rss_end} KiB \
         after 5000; open files {fds_warm} then {fds_end}"
    );
    assert!(
        rss_end <= rss_warm + 1024,
        "RSS grew from {rss_warm} to {rss_end} KiB"
    );
    assert!(
        fds_end <= fds_warm + 2,
        "open files grew from {fds_warm} to {fds_end}"
    );
    let started = Instant::now();
    while server.open_now() > 0 && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.open_now(), 0, "every probe closed its connection");
}
