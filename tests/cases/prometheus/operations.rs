//! Running the exporter: its recipes as written, and memory over thousands of probes.

use super::*;

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
    let chain = chain("rootcert unit root", (2031, 5, 17));
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
    let chain = chain("rootcert soak root", (2031, 5, 17));
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
