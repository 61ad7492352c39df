//! Target lists and resources: bad lines, memory, open files, timeouts, long names.

use super::*;

#[test]
fn a_bad_line_does_not_stop_the_others_and_trailing_comments_are_comments() {
    let env = Env::new();
    let port = closed_port();
    let file = env.path("targets.txt");
    std::fs::write(
        &file,
        format!(
            "# fleet\n127.0.0.1:{port}   # the first\nhost=127.0.0.1 port={port} sslmode=verify-full #second\n\
             host=x bogus=1\npassword='a #b' host=127.0.0.1 port={port}\n"
        ),
    )
    .unwrap();
    let run = env.run(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--json",
        "--ca",
        &ca(&env),
    ]);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert_eq!(lines[2]["verdict"], "error");
    let origin = lines[2]["target"].as_str().unwrap();
    assert!(
        origin.starts_with("line 4 of ") && origin.ends_with("targets.txt"),
        "{origin}"
    );
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("invalid connection option")
    );
    for i in [0, 1, 3] {
        assert!(
            lines[i]["error"].as_str().unwrap().contains("connect"),
            "{}",
            lines[i]
        );
    }
    // The quoted '#' is the password's, and stays masked.
    assert_eq!(
        lines[3]["target"],
        format!("password=**** host=127.0.0.1 port={port}")
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[test]
fn memory_and_output_grow_with_the_input_not_with_hosts_times_text() {
    let env = Env::new();
    let port = closed_port();
    let hosts = vec!["127.0.0.1"; 10_000].join(",");
    let target = format!(
        "host={hosts} port={port} sslmode=verify-full sslrootcert={}",
        ca(&env)
    );
    let file = env.path("targets.txt");
    std::fs::write(&file, &target).unwrap();
    for json in [false, true] {
        let mut cmd = env.cmd();
        cmd.args(["check", "--targets", file.to_str().unwrap(), "--jobs", "64"]);
        if json {
            cmd.arg("--json");
        }
        let (run, rss_kib, out_bytes) = run_measured(&mut cmd);
        assert_eq!(run.code, 3, "{}", run.stderr);
        // 10,000 rows of about 150 bytes; the old binary wrote the 100 KB target on each.
        assert!(
            out_bytes < 4_000_000,
            "{out_bytes} bytes of output (json {json})"
        );
        assert!(rss_kib < 64 * 1024, "{rss_kib} KiB peak RSS (json {json})");
        eprintln!("10,000-host target, json {json}: {out_bytes} bytes out, {rss_kib} KiB peak RSS");
    }
    // The full text is in JSON once, on the target's first host.
    let run = env.run(&["check", "--targets", file.to_str().unwrap(), "--json"]);
    let with_text = run.stdout.lines().filter(|l| l.contains(&hosts)).count();
    assert_eq!(with_text, 1);
}

#[test]
fn a_long_target_beside_another_is_shortened_in_the_table_not_a_panic() {
    let env = Env::new();
    let port = closed_port();
    let long = format!(
        "host=127.0.0.1 port={port} options='{}'",
        "-c search_path=x ".repeat(4000)
    );
    let short = format!("127.0.0.1:{port}");
    let ca = ca(&env);
    let run = env.run(&["check", &long, &short, "--ca", &ca]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stdout.contains("TARGET"), "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| l.len() < 400),
        "a line longer than the table allows"
    );
    let run = env.run(&["check", &long, &short, "--json", "--ca", &ca]);
    assert!(run.stdout.contains(&"-c search_path=x ".repeat(4000)));
}

#[test]
fn a_mysql_server_announcing_a_huge_packet_is_not_believed() {
    let env = Env::new();
    // A 16 MiB packet announced, 4 MiB sent: a client that believed the length would hold
    // what it read (256 MiB for 64 targets); the bound is 16 KiB each.
    let mut reply = vec![0xff, 0xff, 0xff, 0x00, 10];
    reply.extend(std::iter::repeat_n(b'A', 4 << 20));
    let port = replying_server(reply);
    let targets: Vec<String> = (0..64).map(|_| format!("127.0.0.1:{port}")).collect();
    let mut cmd = env.cmd();
    cmd.args([
        "check",
        "--protocol",
        "mysql",
        "--timeout",
        "2",
        "--jobs",
        "64",
    ])
    .args(["--ca", &ca(&env)])
    .args(&targets);
    let (run, rss_kib, _) = run_measured(&mut cmd);
    assert!(rss_kib < 48 * 1024, "{rss_kib} KiB for 64 targets");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stdout.contains("16777215-byte packet"),
        "{}",
        run.stdout
    );
}

#[test]
fn jobs_fit_the_open_file_limit_and_say_so() {
    let env = Env::new();
    let port = closed_port();
    let file = env.path("targets.txt");
    let lines: Vec<String> = (0..400).map(|_| format!("127.0.0.1:{port}")).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = Command::new("prlimit")
        .args(["--nofile=64:64", "--"])
        .arg(env!("CARGO_BIN_EXE_rootcert"))
        .args([
            "check",
            "--jobs",
            "256",
            "--per-server",
            "256",
            "--targets",
            file.to_str().unwrap(),
            "--json",
        ])
        .args(["--ca", &ca(&env)])
        .env_clear()
        .env("HOME", env.path("home"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 3);
    assert!(
        !run.stdout.contains("Too many open files"),
        "{}",
        run.stdout
    );
    run.stderr_has("the open-file limit is 64");
}

#[test]
fn retry_after_never_outlasts_the_timeout() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        respond(
            w,
            "503 Service Unavailable",
            &[("Retry-After", "99999")],
            b"later",
        )
    });
    let started = Instant::now();
    let run = env
        .fetch(&server.url("/r.pem"))
        .args(&["--timeout", "2"])
        .run();
    run.expect(3)
        .stderr_has("Retry-After")
        .stderr_has("not retried");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn alpn_names_are_one_to_255_bytes() {
    let env = Env::new();
    let long = "x".repeat(256);
    for bad in ["", long.as_str()] {
        env.run(&[
            "check",
            "tls://127.0.0.1:1",
            "--alpn",
            bad,
            "--ca",
            &ca(&env),
        ])
        .expect(2)
        .stderr_has("ALPN");
    }
}

#[test]
fn targets_on_stdin_wait_for_the_timeout_only() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .args([
            "check",
            "--targets",
            "-",
            "--timeout",
            "1",
            "--ca",
            &ca(&env),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 s"));
}
