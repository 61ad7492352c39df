//! The metrics `check` and `verify` write for node_exporter's textfile collector, read back by promtool and node_exporter.

use super::*;

#[test]
fn check_metrics_pass_promtool_and_say_what_each_server_got() {
    let Some(tools) = prom::tools() else { return };
    let env = Env::new();
    let good = chain("rootcert metrics root", (2031, 5, 17));
    let other = chain("some other root", (2032, 1, 1));
    let odd = chain("Odd \"root\" \\ CA \u{1b}[2J", (2033, 1, 1));
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
    assert_eq!(root.label("sha256"), Some(&*good.root_fingerprint()));
    assert_eq!(root.label("subject"), Some("CN=rootcert metrics root"));
    // A subject with quotes, a backslash and an escape sequence: escaped, never raw.
    let odd_root = one(&all, "rootcert_root_info", &targets[2]);
    assert_eq!(odd_root.label("sha256"), Some(&*odd.root_fingerprint()));
    let subject = odd_root.label("subject").unwrap();
    assert!(
        subject.contains("Odd") && subject.contains('"'),
        "{subject}"
    );
    assert!(!subject.contains('\u{1b}'), "{subject:?}");
    assert!(!run.stdout.contains('\u{1b}'));
    let servers = find(
        &all,
        "rootcert_root_servers",
        "sha256",
        &good.root_fingerprint(),
    );
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
    let chain = chain("rootcert drivers root", (2031, 5, 17));
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
    let usual = chain("rootcert usual root", (2031, 1, 1));
    let old = chain("rootcert old root", (2031, 1, 1));
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
    let usual_servers = find(
        &all,
        "rootcert_root_servers",
        "sha256",
        &usual.root_fingerprint(),
    );
    assert_eq!(usual_servers[0].value, 2.0);
}

#[test]
fn node_exporter_serves_the_textfiles_the_cron_recipe_writes() {
    let Some(tools) = prom::tools() else { return };
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/rootcert");
    let textfiles = root.path().join("var/lib/prometheus/node-exporter");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::create_dir_all(&textfiles).unwrap();
    let chain = chain("rootcert textfile root", (2031, 5, 17));
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
