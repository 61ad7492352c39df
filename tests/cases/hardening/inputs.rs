//! Hostile or odd inputs and runs: huge bodies, kills, concurrent writers, odd arguments, proxies.

use super::*;

#[test]
fn huge_and_endless_inputs_are_refused_without_reading_them() {
    // 7 and 8, under a 1 GiB address-space limit.
    let env = Env::new();
    let sparse = env.path("sparse.pem");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let fifo = env.path("fifo");
    make_fifo(&fifo);
    let bin = env!("CARGO_BIN_EXE_rootcert");
    let bounded = |args: &str, extra_env: &str| {
        let mut cmd = Command::new("sh");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path("home"))
            .env("ROOTCERT_DIR", env.path("out"))
            .current_dir(env.dir.path())
            .args([
                "-c",
                &format!("ulimit -v 1048576; {extra_env} exec {bin} {args}"),
            ]);
        run_within(cmd, Duration::from_secs(15))
    };
    for (args, extra_env, code, needle) in [
        ("verify /dev/zero", "", 5, "a device"),
        (
            &format!("verify {}", fifo.display()) as &str,
            "",
            5,
            "a FIFO",
        ),
        (
            &format!("inspect {}", sparse.display()),
            "",
            5,
            "more than the 1024 KiB",
        ),
        (&format!("inspect {}", fifo.display()), "", 5, "a FIFO"),
        (
            "fetch -o /dev/zero --offline",
            "SSL_CERT_FILE=/dev/null",
            5,
            "a device",
        ),
        (
            "fetch --ca-file /dev/zero --url http://127.0.0.1:9/x",
            "",
            2,
            "a device",
        ),
        (
            &format!(
                "fetch --ca-file {} --url http://127.0.0.1:9/x",
                fifo.display()
            ),
            "",
            2,
            "a FIFO",
        ),
        (
            "fetch --offline --no-builtin",
            "SSL_CERT_FILE=/dev/zero",
            3,
            "a device",
        ),
        (
            "fetch --offline --no-builtin",
            &format!("SSL_CERT_FILE={}", fifo.display()),
            3,
            "a FIFO",
        ),
    ] {
        let run = bounded(args, extra_env);
        assert_eq!(run.code, code, "{args}: {}", run.stderr);
        run.stderr_has(needle);
        assert!(!run.stderr.contains("panicked"), "{args}: {}", run.stderr);
    }
    // stdin that never ends honours --timeout.
    let mut cmd = env.cmd();
    cmd.args(["inspect", "--timeout", "1", "-"]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _keep_open = child.stdin.take();
    let start = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(start.elapsed() < Duration::from_secs(8));
    let run = Run::from(out);
    run.expect(5);
    run.stderr_has("within 1 s (--timeout)");
}

#[test]
fn killed_runs_leave_no_temporary_files() {
    // 9: SIGKILL and SIGTERM at random moments; then one more run; then only the file.
    let env = Env::new();
    let out = env.path("out");
    let server = slow_server(g2_pem(), Duration::from_millis(5));
    for i in 0..40 {
        let _ = std::fs::remove_file(env.default_out());
        let mut child = env
            .fetch(&server.url("/g2.pem"))
            .retries(0)
            .args(&["--refresh"])
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(fastrand_delay(i)));
        let signal = if i % 2 == 0 { "KILL" } else { "TERM" };
        let _ = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status();
        let _ = child.wait();
    }
    // A temporary name left by a kill in the tiny window before a rename, and one from an
    // older version: the next run removes both.
    std::fs::write(out.join(".rootcert-00000000deadbeef.tmp"), "x").unwrap();
    std::fs::write(out.join(".DigiCertGlobalRootG2.crt.pem.Ab12Cd.tmp"), "x").unwrap();
    let run = fetch_url(&env, &server.url("/g2.pem"), &[]);
    run.expect(0);
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["DigiCertGlobalRootG2.crt.pem"]);
}

#[test]
fn concurrent_writers_of_two_pins_let_exactly_one_win() {
    // 10: 16 runs, 8 per pin, all in flight at once; one pin wins, the other runs exit 5.
    let env = Env::new();
    let bundle = format!("{}{}", g2_pem(), isrg_pem());
    let server = slow_server(bundle, Duration::from_millis(400));
    let destination = env.path("out/shared.pem");
    let children: Vec<(bool, std::process::Child)> = (0..16)
        .map(|i| {
            let g2 = i % 2 == 0;
            let pin = if g2 { G2_SHA256 } else { ISRG_SHA256 };
            let child = env
                .fetch(&server.url("/bundle.pem"))
                .retries(0)
                .args(&["--json", "--sha256", pin])
                .command()
                .arg("-o")
                .arg(&destination)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (g2, child)
        })
        .collect();
    let results: Vec<(bool, Run)> = children
        .into_iter()
        .map(|(g2, c)| (g2, Run::from(c.wait_with_output().unwrap())))
        .collect();
    let saved = std::fs::read_to_string(&destination).unwrap();
    let winner_is_g2 = saved == g2_pem();
    assert!(
        winner_is_g2 || saved == isrg_pem(),
        "one whole certificate: {saved}"
    );
    for (g2, run) in &results {
        if *g2 == winner_is_g2 {
            assert_eq!(run.code, 0, "{}", run.stderr);
        } else {
            assert_eq!(run.code, 5, "{}", run.stderr);
        }
    }
    let written = results
        .iter()
        .filter(|(_, r)| r.code == 0 && r.json()["status"] == "saved")
        .count();
    assert_eq!(written, 1, "exactly one run wrote the file");
}

#[test]
fn no_panics_on_odd_arguments_and_outputs() {
    // 12.
    let env = Env::new();
    let store = store(&env);
    let run = Run::from(
        env.cmd()
            .arg("fetch")
            .arg(OsStr::from_bytes(b"--bogus\xff"))
            .output()
            .unwrap(),
    );
    run.expect(2);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let odd = env.path("odd");
    std::fs::create_dir(&odd).unwrap();
    let odd_file = odd.join(OsStr::from_bytes(b"r\xffot.pem"));
    std::fs::write(&odd_file, g2_pem()).unwrap();
    for command in ["inspect", "verify"] {
        let run = Run::from(env.cmd().arg(command).arg(&odd_file).output().unwrap());
        run.expect(0);
        run.stdout_has("r\\xFFot.pem");
    }

    let full = Command::new(env!("CARGO_BIN_EXE_rootcert"))
        .args(["inspect"])
        .arg(&odd_file)
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let run = Run::from(full);
    run.expect(1);
    run.stderr_has("cannot write to standard output");

    // A closed pipe ends the run quietly, as it does a Unix tool.
    let bin = env!("CARGO_BIN_EXE_rootcert");
    let piped = Command::new("bash")
        .args([
            "-c",
            &format!(
                "{bin} inspect {} | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}",
                g2_path(&env).display()
            ),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&piped.stdout).trim(), "141");

    // /dev/null opened read-write (as Python's subprocess.DEVNULL does) is a fine output.
    let devnull = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    let quiet = Command::new(bin)
        .arg("list")
        .stdout(devnull)
        .output()
        .unwrap();
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );

    // `-o -` with standard output closed is an error, not a silent success.
    let closed = Command::new("bash")
        .env("SSL_CERT_FILE", &store)
        .env("HOME", env.path("home"))
        .args(["-c", &format!("{bin} fetch --offline -o - >&-")])
        .output()
        .unwrap();
    let run = Run::from(closed);
    run.expect(1);
    run.stderr_has("cannot write to standard output");
}

#[test]
fn non_utf8_and_long_destinations_are_saved_and_named_faithfully() {
    // 13.
    let env = Env::new();
    let store = store(&env);
    let dir = env.path("dest");
    std::fs::create_dir(&dir).unwrap();
    let odd = dir.join(OsStr::from_bytes(b"root-\xff.pem"));
    let run = Run::from(
        env.cmd()
            .env("SSL_CERT_FILE", &store)
            .args(["fetch", "--offline", "--json", "-o"])
            .arg(&odd)
            .output()
            .unwrap(),
    );
    run.expect(0);
    let json = run.json();
    assert_eq!(json["path_escaped"], true);
    assert!(
        json["path"].as_str().unwrap().ends_with("root-\\xFF.pem"),
        "{json}"
    );
    assert_eq!(std::fs::read_to_string(&odd).unwrap(), g2_pem());

    let long = dir.join("r".repeat(250));
    env.run_with_store(
        &store,
        &["fetch", "--offline", "-o", long.to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(std::fs::read_to_string(&long).unwrap(), g2_pem());
}

#[test]
fn a_bad_proxy_is_refused_and_a_refusing_proxy_is_named() {
    // 14.
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let run = Run::from(
        env.fetch("https://127.0.0.1:9/g2.pem")
            .command()
            .env("HTTPS_PROXY", "http://[not a proxy")
            .output()
            .unwrap(),
    );
    run.expect(2);
    run.stderr_has("HTTPS_PROXY is not a proxy URL");

    let closed = closed_port_url("");
    let run = Run::from(
        env.fetch(&server.url("/g2.pem"))
            .retries(0)
            .command()
            .env("HTTP_PROXY", &closed)
            .output()
            .unwrap(),
    );
    run.expect(3);
    run.stderr_has(&format!(
        "could not connect through the proxy {closed}/ (from HTTP_PROXY)"
    ));
    assert_eq!(
        server.may_be_unused().hits(),
        0,
        "the download went through the proxy, not direct"
    );
}
