//! The exporter as Prometheus scrapes it: probes, timeouts, and checks per server.

use super::*;

#[test]
fn prometheus_scrapes_the_exporter_and_reads_back_each_verdict() {
    let Some(tools) = prom::tools() else { return };
    let Some(bins) = binaries() else { return };
    if !mariadb::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = chain("rootcert exporter root", (2031, 5, 17));
    let stranger = chain("a root nobody trusts", (2032, 2, 2));
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
    let value_of = |result: &[(serde_json::Value, f64)], instance: &str| series(result, instance).1;
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
    assert_eq!(label_of(&success, &pg_target, "job"), "rootcert-postgres");
    assert_eq!(label_of(&success, &maria_target, "job"), "rootcert-mysql");

    let verdicts = prometheus.query("rootcert_check_verdict == 1");
    assert_eq!(label_of(&verdicts, &maria_target, "verdict"), "fail");
    assert_eq!(label_of(&verdicts, &closed_target, "verdict"), "error");
    assert_eq!(label_of(&verdicts, &pg_target, "verdict"), "pass");

    let expiry = prometheus.query("rootcert_chain_earliest_expiry_timestamp_seconds");
    assert_eq!(value_of(&expiry, &pg_target), good.leaf_not_after as f64);
    assert_eq!(value_of(&expiry, &tls_target), good.leaf_not_after as f64);
    let roots = prometheus.query("rootcert_root_info");
    assert_eq!(
        label_of(&roots, &pg_target, "sha256"),
        good.root_fingerprint()
    );

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
    let chain = chain("rootcert probe root", (2031, 5, 17));
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
    // Well under the module's 4 s, with room for a loaded machine.
    assert!(took < Duration::from_millis(3000), "{took:?}");
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
        // Its deadline (1 s), not the slot freed at 2.2 s.
        let waited = started.elapsed();
        assert!(waited < Duration::from_millis(2000), "{waited:?}");
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
    let chain = chain("rootcert share root", (2031, 5, 17));
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
    let chain = chain("rootcert side root", (2031, 5, 17));
    let trust = write(env.dir.path(), "root.pem", &chain.root_pem);
    let silent = SilentFleet::start(200);
    let good = TlsServer::start(&chain.server);
    let mut targets: Vec<String> = silent
        .ports
        .iter()
        .map(|port| format!("tls://127.0.0.1:{port}"))
        .collect();
    targets.push(format!("tls://127.0.0.1:{}", good.port));
    let file = write(env.dir.path(), "targets.txt", &targets.join("\n"));
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
    run.expect(3);
    assert_eq!(run.stdout.lines().count(), 201);
    for line in run.stdout.lines().take(200) {
        assert!(line.contains("did not answer within 1 s"), "{line}");
    }
    // Side by side: every silent server held its connection while the others did (with
    // 16 at once, the old default, the peak was 16 and the run took 13 s). Counted, not
    // timed, so that a slow machine cannot fail it.
    assert_eq!(silent.peak(), 200);
    // rootcert has exited, so each connection is closed; the readers see it soon after.
    let deadline = Instant::now() + Duration::from_secs(10);
    while silent.open_now() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(silent.open_now(), 0);
}

/// One instance's series in a query result.
fn series<'a>(
    result: &'a [(serde_json::Value, f64)],
    instance: &str,
) -> &'a (serde_json::Value, f64) {
    result
        .iter()
        .find(|(m, _)| m["instance"] == instance)
        .unwrap_or_else(|| panic!("no series for {instance}: {result:?}"))
}

/// A label of one instance's series.
fn label_of(result: &[(serde_json::Value, f64)], instance: &str, label: &str) -> serde_json::Value {
    series(result, instance).0[label].clone()
}
