//! `rootcert fetch` end to end: the real binary against local servers on 127.0.0.1.

use std::time::Duration;

use crate::support::*;

/// Asserts a failed run with `code` whose message contains `needle`, and that the output
/// directory is exactly as it was.
#[track_caller]
fn assert_fails_cleanly(env: &Env, body: impl Into<Vec<u8>>, code: i32, needle: &str) -> Run {
    let server = Server::serving(body);
    let before = snapshot(&env.path("out"));
    let run = fetch_url(env, &server.url("/cert"), &[]);
    run.expect(code);
    assert!(
        run.stderr.contains(needle),
        "stderr lacks {needle:?}:\n{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&env.path("out")),
        before,
        "the destination directory changed"
    );
    run
}

/// What the run saved at the default destination.
fn saved(env: &Env) -> String {
    std::fs::read_to_string(env.default_out()).unwrap()
}

/// After a failed run with nothing in place: no file, not even a temporary one.
#[track_caller]
fn assert_out_empty(env: &Env) {
    assert_eq!(
        snapshot(&env.path("out")),
        Default::default(),
        "the output directory must stay empty"
    );
}

#[test]
fn saves_pem_that_openssl_reads_with_the_pinned_fingerprint() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let run = fetch_url(&env, &server.url("/DigiCertGlobalRootG2.crt.pem"), &[]);
    run.expect(0);
    let out = env.default_out();
    assert_eq!(run.stdout.trim(), shown_path(&out));
    assert_eq!(openssl_fingerprint(&out), G2_SHA256);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), g2_pem());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }
    for expected in [
        "CN=DigiCert Global Root G2",
        G2_SHA256,
        "2038-01-15T12:00:00Z",
        &server.url("/DigiCertGlobalRootG2.crt.pem"),
        &format!(
            "psql \"sslmode=verify-full sslrootcert={} host=",
            out.display()
        ),
        &format!("export PGSSLROOTCERT={}", out.display()),
    ]
    .into_iter()
    // The connect lines are POSIX shell lines; on Windows they name Z:\ paths.
    .filter(|e| !(under_wine() && (e.starts_with("psql") || e.starts_with("export"))))
    {
        assert!(
            run.stderr.contains(expected),
            "stderr lacks {expected:?}:\n{}",
            run.stderr
        );
    }
    let request = &server.requests()[0];
    assert_eq!(
        request.header("user-agent"),
        Some(concat!("rootcert/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        request.header("accept-encoding"),
        None,
        "must not ask for compressed bodies"
    );
}

#[test]
fn every_encoding_openssl_accepts_is_saved_as_canonical_pem() {
    let pem_text = g2_pem();
    let b64: String = pem_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let wrapped76: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("DER", der_of(&pem_text)),
        ("CRLF", pem_text.replace('\n', "\r\n").into_bytes()),
        ("BOM", format!("\u{feff}{pem_text}").into_bytes()),
        (
            "76 columns",
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                wrapped76.join("\n")
            )
            .into_bytes(),
        ),
        (
            "text before, blank lines after",
            format!("DigiCert Global Root G2\n\n{pem_text}  \n\n\n").into_bytes(),
        ),
    ];
    for (name, body) in variants {
        let env = Env::new();
        let server = Server::serving(body);
        fetch_url(&env, &server.url("/cert"), &[]).expect(0);
        assert_eq!(saved(&env), pem_text, "{name}");
        assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256, "{name}");
    }
}

#[test]
fn only_the_pinned_certificate_of_a_bundle_is_saved() {
    let env = Env::new();
    let server = Server::serving(format!("{}{}", isrg_pem(), g2_pem()));
    fetch_url(&env, &server.url("/bundle.pem"), &[]).expect(0);
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn content_that_is_not_a_certificate_is_exit_4_and_names_what_arrived() {
    let env = Env::new();
    let pem_text = g2_pem();
    let der = der_of(&pem_text);
    assert_fails_cleanly(
        &env,
        "<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head></html>",
        4,
        "HTML page titled \"Hotel Wi-Fi\"",
    );
    assert_fails_cleanly(&env, "", 4, "empty body");
    assert_fails_cleanly(
        &env,
        &pem_text.as_bytes()[..pem_text.len() - 200],
        4,
        "truncated PEM",
    );
    assert_fails_cleanly(&env, &der[..der.len() - 100], 4, "truncated");
    assert_fails_cleanly(
        &env,
        "\x01\x02 this is not a certificate",
        4,
        "neither PEM nor DER",
    );
}

#[test]
fn the_wrong_certificate_shows_expected_actual_and_subject() {
    let env = Env::new();
    let run = assert_fails_cleanly(&env, isrg_pem(), 4, "not the pinned certificate");
    for expected in [G2_SHA256, ISRG_SHA256, "CN=ISRG Root X1"] {
        assert!(
            run.stderr.contains(expected),
            "stderr lacks {expected}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_404_is_not_retried() {
    let env = Env::new();
    let server = Server::http(|_, w| respond(w, "404 Not Found", &[], b"no"));
    let run = env.fetch(&server.url("/x")).retries(3).run();
    run.expect(3);
    run.stderr_has("HTTP 404 Not Found");
    assert_eq!(server.hits(), 1);
    assert_out_empty(&env);
}

#[test]
fn a_503_with_retry_after_is_retried_then_succeeds() {
    let env = Env::new();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let body = g2_pem();
    let server = Server::http(move |_, w| {
        if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            respond(
                w,
                "503 Service Unavailable",
                &[("Retry-After", "1")],
                b"busy",
            );
        } else {
            respond(w, "200 OK", &[], body.as_bytes());
        }
    });
    let started = std::time::Instant::now();
    let run = env.fetch(&server.url("/x")).retries(2).run();
    run.expect(0);
    assert_eq!(server.hits(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was not honoured"
    );
    run.stderr_has("HTTP 503 Service Unavailable; retrying in 1.0 s (retry 1 of 2)");
}

#[test]
fn redirects_are_followed_but_bounded() {
    let env = Env::new();
    let target = Server::serving(g2_pem());
    let location = target.url("/real.pem");
    let redirect =
        Server::http(move |_, w| respond(w, "302 Found", &[("Location", &location)], b""));
    fetch_url(&env, &redirect.url("/short"), &[]).expect(0);
    assert_eq!(target.hits(), 1);

    let env = Env::new();
    let looping = Server::http(|req, w| {
        let next = format!("{}x", req.target);
        respond(w, "302 Found", &[("Location", &next)], b"");
    });
    let run = fetch_url(&env, &looping.url("/loop"), &[]);
    run.expect(3);
    run.stderr_has("more than 5 redirects");
    assert_eq!(looping.hits(), 6);
    assert_out_empty(&env);
}

#[test]
fn an_https_to_http_redirect_is_refused() {
    let env = Env::new();
    let ca = TestChain::direct("rootcert test CA");
    ca.write_to(&env.path("ca.pem"));
    let plain = Server::serving(g2_pem());
    let location = plain.url("/g2.pem");
    let secure = Server::https(&ca, move |_, w| {
        respond(w, "301 Moved", &[("Location", &location)], b"")
    });
    let run = fetch_url(
        &env,
        &secure.url("/g2.pem"),
        &["--ca-file", env.path("ca.pem").to_str().unwrap()],
    );
    run.expect(3);
    run.stderr_has("refused a redirect from https to plain http");
    assert_eq!(plain.may_be_unused().hits(), 0);
}

#[test]
fn an_endless_body_is_capped() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        let _ = w.write_all(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n-----BEGIN CERTIFICATE-----\n",
        );
        let line = [b'A'; 1024];
        for _ in 0..4096 {
            if w.write_all(&line).is_err() {
                return;
            }
        }
    });
    let before = snapshot(&env.path("out"));
    let run = fetch_url(&env, &server.url("/endless"), &[]);
    run.expect(3);
    run.stderr_has("body too large");
    assert_eq!(snapshot(&env.path("out")), before);

    let liar = Server::http(|_, w| {
        let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
    });
    let run = fetch_url(&env, &liar.url("/huge"), &[]);
    run.expect(3);
    run.stderr_has("body too large: 10000000 bytes");
}

#[test]
fn a_server_that_trickles_bytes_hits_the_deadline() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
        for _ in 0..100 {
            if w.write_all(b"A").and_then(|_| w.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = std::time::Instant::now();
    let run = fetch_url(&env, &server.url("/slow"), &["--timeout", "1"]);
    run.expect(3);
    run.stderr_has("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the deadline must bound the whole download"
    );
    assert_out_empty(&env);
}

#[test]
fn a_connection_cut_mid_body_is_a_download_failure_and_is_retried() {
    let env = Env::new();
    let pem_text = g2_pem();
    let server = Server::http(move |_, w| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            pem_text.len()
        );
        let _ = w.write_all(head.as_bytes());
        let _ = w.write_all(&pem_text.as_bytes()[..300]);
    });
    let run = env.fetch(&server.url("/cut")).retries(1).run();
    run.expect(3);
    assert_eq!(
        server.hits(),
        2,
        "a cut connection may pass on a second try"
    );
    run.stderr_has("retrying");
    assert_out_empty(&env);
}

#[test]
fn https_with_the_given_ca_works_and_an_untrusted_ca_fails() {
    let env = Env::new();
    let ca = TestChain::direct("rootcert test CA");
    ca.write_to(&env.path("ca.pem"));
    let other = TestChain::direct("some other CA");
    other.write_to(&env.path("other-ca.pem"));
    let body = g2_pem();
    let server = Server::https(&ca, move |_, w| respond(w, "200 OK", &[], body.as_bytes()));

    let other_ca = env.path("other-ca.pem");
    let run = env
        .fetch(&server.url("/g2.pem"))
        .retries(2)
        .args(&["--ca-file", other_ca.to_str().unwrap()])
        .run();
    run.expect(3);
    run.stderr_has("UnknownIssuer");
    run.stderr_has("pass its CA with --ca-file");
    assert!(
        !run.stderr.contains("retrying"),
        "a TLS rejection must not be retried:\n{}",
        run.stderr
    );
    assert_out_empty(&env);

    fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["--ca-file", env.path("ca.pem").to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256);
}

#[test]
fn the_right_file_in_place_needs_no_network() {
    let env = Env::new();
    std::fs::write(env.default_out(), g2_pem().replace('\n', "\r\n")).unwrap();
    let before = snapshot(&env.path("out"));
    let run = env.run(&["fetch", "--json", "--url", &closed_port_url("/g2.pem")]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["status"], "unchanged");
    assert_eq!(json["path"], shown_path(&env.default_out()));
    assert_eq!(json["certificates"][0]["sha256"], G2_SHA256);
    assert_eq!(
        snapshot(&env.path("out")),
        before,
        "an unchanged run must not rewrite the file"
    );

    // --refresh downloads anyway.
    let server = Server::serving(g2_pem());
    env.run(&["fetch", "--refresh", "--url", &server.url("/g2.pem")])
        .expect(0);
    assert_eq!(server.hits(), 1);
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn a_different_file_in_place_is_kept_unless_forced() {
    let env = Env::new();
    std::fs::write(env.default_out(), isrg_pem()).unwrap();
    let server = Server::serving(g2_pem());
    let before = snapshot(&env.path("out"));
    let run = fetch_url(&env, &server.url("/g2.pem"), &[]);
    run.expect(5);
    run.stderr_has("already holds a different certificate: CN=ISRG Root X1");
    run.stderr_has("--force");
    assert_eq!(snapshot(&env.path("out")), before);
    assert_eq!(
        server.hits(),
        0,
        "no download when the destination would be refused anyway"
    );

    fetch_url(&env, &server.url("/g2.pem"), &["--force"]).expect(0);
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn a_parent_that_is_a_file_is_exit_5() {
    let env = Env::new();
    std::fs::write(env.path("out/not-a-dir"), "x").unwrap();
    let server = Server::serving(g2_pem());
    let before = snapshot(&env.path("out"));
    let target = env.path("out/not-a-dir/root.crt");
    let run = fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", target.to_str().unwrap()],
    );
    run.expect(5);
    run.stderr_has("is not a directory");
    assert_eq!(snapshot(&env.path("out")), before);
    server.may_be_unused(); // refused before any download
}

#[test]
fn out_may_be_a_directory_a_new_path_or_stdout() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    std::fs::create_dir(env.path("certs")).unwrap();
    let run = fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", env.path("certs").to_str().unwrap()],
    );
    run.expect(0);
    assert_eq!(
        run.stdout.trim(),
        shown_path(&env.path("certs/DigiCertGlobalRootG2.crt.pem"))
    );

    let nested = env.path("a/b/c/root.crt");
    fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", nested.to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(openssl_fingerprint(&nested), G2_SHA256);

    let run = fetch_url(&env, &server.url("/g2.pem"), &["-o", "-", "-q"]);
    run.expect(0);
    assert_eq!(run.stdout, g2_pem());
    assert_eq!(run.stderr, "");
}

#[test]
fn every_pin_format_is_accepted() {
    let plain = G2_SHA256.replace(':', "");
    let forms = [
        G2_SHA256.to_string(),
        plain.to_lowercase(),
        format!("sha256:{plain}"),
        format!("sha256 Fingerprint={G2_SHA256}"),
        G2_SHA256.replace(':', " "),
    ];
    let server = Server::serving(g2_pem());
    for form in forms {
        let env = Env::new();
        fetch_url(&env, &server.url("/g2.pem"), &["--sha256", &form]).expect(0);
        assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256, "{form}");
    }
    // A custom pin replaces the profile's: ISRG Root X1 from the same kind of server.
    let env = Env::new();
    let isrg = Server::serving(isrg_pem());
    fetch_url(
        &env,
        &isrg.url("/x1.pem"),
        &["--sha256", ISRG_SHA256, "-o", "x1.pem"],
    )
    .expect(0);
    assert_eq!(openssl_fingerprint(&env.path("x1.pem")), ISRG_SHA256);
}

#[test]
fn a_sha1_pin_is_a_usage_error_that_shows_the_openssl_command() {
    let env = Env::new();
    let run = env.run(&[
        "fetch",
        "--sha256",
        "DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4",
    ]);
    run.expect(2);
    run.stderr_has("SHA-1");
    run.stderr_has("openssl x509 -in CERT.pem -noout -sha256 -fingerprint");

    let run = env.run(&[
        "fetch",
        "--json",
        "--sha256",
        "DF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4",
    ]);
    run.expect(2);
    assert_eq!(run.json()["exit_code"], 2);
}

#[test]
fn the_os_store_is_the_last_source() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, format!("{}{}", isrg_pem(), g2_pem())).unwrap();
    let server = Server::http(|_, w| respond(w, "404 Not Found", &[], b""));
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--json",
            "--retries",
            "0",
            "--url",
            &server.url("/g2.pem"),
        ],
    );
    run.expect(0);
    assert_eq!(server.hits(), 1);
    let json = run.json();
    assert_eq!(json["status"], "saved");
    assert_eq!(
        json["certificates"][0]["source"],
        format!("system:{}", store.display())
    );
    assert_eq!(saved(&env), g2_pem());

    // --no-system: the store is never consulted.
    let env = Env::new();
    let run = env
        .fetch(&server.url("/g2.pem"))
        .retries(0)
        .store(&store)
        .run();
    run.expect(3);
    assert!(!run.stderr.contains("system:"), "{}", run.stderr);
}

#[test]
fn offline_uses_only_the_os_store() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--json"]);
    run.expect(0);
    assert_eq!(
        run.json()["certificates"][0]["source"],
        format!("system:{}", store.display())
    );

    // A store without the certificate and no built-in copy: exit 3, and the attempt names
    // the store.
    let env = Env::new();
    let run = env.run(&["fetch", "--offline", "--no-builtin", "--json"]);
    run.expect(3);
    let json = run.json();
    assert_eq!(json["status"], "error");
    assert_eq!(json["exit_code"], 3);
    let attempts = json["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(
        attempts[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("system:")
    );
    assert_out_empty(&env);
}

#[test]
fn json_error_lists_every_attempt_and_wrong_content_wins_over_network_errors() {
    let env = Env::new();
    let html = Server::serving("<html><title>Sign in</title></html>");
    let dead = closed_port_url("/g2.pem");
    let run = env.run(&[
        "fetch",
        "--json",
        "--no-builtin",
        "--retries",
        "0",
        "--url",
        &dead,
        "--url",
        &html.url("/g2.pem"),
    ]);
    run.expect(4);
    let json = run.json();
    assert_eq!(json["status"], "error");
    assert_eq!(json["exit_code"], 4);
    let attempts = json["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert_eq!(attempts[0]["source"], dead);
    assert!(
        attempts[0]["error"]
            .as_str()
            .unwrap()
            .contains("could not connect")
    );
    assert!(attempts[1]["error"].as_str().unwrap().contains("HTML page"));
    assert!(
        attempts[2]["source"]
            .as_str()
            .unwrap()
            .starts_with("system:")
    );
}

#[test]
fn json_success_has_the_documented_shape() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let run = fetch_url(&env, &server.url("/g2.pem"), &["--json"]);
    run.expect(0);
    assert_eq!(run.stderr, "", "--json keeps stderr for failures");
    let json = run.json();
    assert_eq!(json["status"], "saved");
    assert_eq!(json["path"], shown_path(&env.default_out()));
    let cert = &json["certificates"][0];
    assert_eq!(
        cert["subject"],
        "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US"
    );
    assert_eq!(cert["sha256"], G2_SHA256);
    assert_eq!(cert["not_before"], "2013-08-01T12:00:00Z");
    assert_eq!(cert["not_after"], "2038-01-15T12:00:00Z");
    assert_eq!(cert["source"], server.url("/g2.pem"));
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn quiet_prints_nothing_on_success_and_the_error_on_failure() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    // Saved, then unchanged: neither prints anything (a package's postinst runs it during
    // `dpkg --configure`, where any output is noise).
    for status in ["saved", "unchanged"] {
        let run = fetch_url(&env, &server.url("/g2.pem"), &["-q"]);
        run.expect(0);
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            ("", ""),
            "{status}"
        );
    }
    assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256);
    // Without -q the path is the one line on stdout; with --json, the JSON still is.
    let run = fetch_url(&env, &server.url("/g2.pem"), &[]);
    assert_eq!(run.stdout.trim(), shown_path(&env.default_out()));
    let run = fetch_url(&env, &server.url("/g2.pem"), &["-q", "--json"]);
    assert_eq!(run.json()["status"], "unchanged");

    let run = fetch_url(&Env::new(), &closed_port_url("/x"), &["-q"]);
    run.expect(3);
    run.stderr_has("could not connect");
}

#[test]
fn sanity_warnings_do_not_block_a_pinned_certificate() {
    // A leaf certificate (not a CA, not self-signed) that the user pinned on purpose.
    let env = Env::new();
    let ca = TestChain::direct("rootcert test CA");
    let leaf_pem = ca.server_pem();
    let pin = ca.server_sha256();
    let server = Server::serving(leaf_pem);
    let run = fetch_url(
        &env,
        &server.url("/leaf.pem"),
        &["--sha256", &pin, "--json"],
    );
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(warnings.contains("not a CA certificate"), "{warnings}");
    assert!(warnings.contains("not self-signed"), "{warnings}");
}

#[test]
fn unknown_profile_is_a_usage_error_listing_the_known_ones() {
    let run = Env::new().run(&["fetch", "no-such-profile"]);
    run.expect(2);
    run.stderr_has("unknown profile 'no-such-profile'");
    run.stderr_has("digicert-global-root-g2");
}

#[test]
fn concurrent_runs_all_end_with_a_valid_file() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let url = server.url("/g2.pem");
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.fetch(&url)
                .args(&["--refresh", "-q"])
                .command()
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(saved(&env), g2_pem());
    let entries: Vec<_> = std::fs::read_dir(env.path("out")).unwrap().collect();
    assert_eq!(entries.len(), 1, "no temporary file may be left behind");
}

#[test]
fn http_proxy_from_the_environment_is_honoured() {
    let env = Env::new();
    let body = g2_pem();
    let proxy = Server::http(move |_, w| respond(w, "200 OK", &[], body.as_bytes()));
    let run = Run::from(
        env.fetch("http://certs.example.invalid/G2.pem")
            .retries(0)
            .command()
            .env("HTTP_PROXY", proxy.url(""))
            .output()
            .unwrap(),
    );
    run.expect(0);
    assert_eq!(
        proxy.requests()[0].target,
        "http://certs.example.invalid/G2.pem"
    );
}

#[test]
fn no_proxy_bypasses_the_proxy_for_listed_hosts() {
    let env = Env::new();
    let direct = Server::serving(g2_pem());
    let run = Run::from(
        env.fetch(&direct.url("/g2.pem"))
            .retries(0)
            .command()
            .env("HTTP_PROXY", closed_port_url(""))
            .env("NO_PROXY", "127.0.0.1")
            .output()
            .unwrap(),
    );
    run.expect(0);
    assert_eq!(direct.hits(), 1);
}

#[test]
fn a_custom_pin_without_a_profile_is_saved_under_its_own_name() {
    // A catalog certificate pinned by hand: the catalog's file name, not the default one.
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, format!("{}{}", isrg_pem(), g2_pem())).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--sha256", ISRG_SHA256]);
    run.expect(0);
    let isrg = env.path("out/isrgrootx1.pem");
    assert_eq!(run.stdout.trim(), shown_path(&isrg));
    assert!(
        !env.default_out().exists(),
        "never under the default profile's name"
    );
    // ... so the default fetch still works afterwards.
    env.run_with_store(&store, &["fetch", "--offline"])
        .expect(0);
    assert_eq!(saved(&env), g2_pem());

    // A certificate outside the catalog: named after its common name, and found again
    // by a re-run without any download.
    let ca = TestChain::direct("rootcert custom root");
    let pin = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(der_of(&ca.root_pem)))
    };
    let server = Server::serving(ca.root_pem.clone());
    let args = ["--sha256", pin.as_str()];
    let run = fetch_url(&env, &server.url("/custom.pem"), &args);
    run.expect(0);
    let custom = env.path("out/rootcertcustomroot.crt.pem");
    assert_eq!(run.stdout.trim(), shown_path(&custom));
    let again = fetch_url(
        &env,
        &server.url("/custom.pem"),
        &["--json", "--sha256", &pin],
    );
    again.expect(0);
    assert_eq!(again.json()["status"], "unchanged");
    assert_eq!(again.json()["path"], shown_path(&custom));
    assert_eq!(server.hits(), 1, "the re-run must not download");
}

#[test]
fn a_der_file_with_the_pinned_root_is_rewritten_as_pem() {
    let env = Env::new();
    std::fs::write(env.default_out(), der_of(&g2_pem())).unwrap();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--json"]);
    run.expect(0);
    assert_eq!(run.json()["status"], "saved");
    assert_eq!(saved(&env), g2_pem(), "libpq reads only PEM");
}

#[test]
fn a_refused_connection_is_not_retried_and_is_one_line() {
    let env = Env::new();
    let url = closed_port_url("/g2.pem");
    let run = env.fetch(&url).retries(3).run();
    run.expect(3);
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("trying"),
        "no next source to try: {}",
        run.stderr
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&url))
        .expect("the URL is named");
    assert!(
        line.contains("could not connect: Connection refused"),
        "{line}"
    );
    assert!(!line.contains("client error"), "no hyper layers: {line}");
    assert_out_empty(&env);
}

#[test]
fn falling_back_to_the_os_store_says_so_once_and_names_the_file() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let url = closed_port_url("/g2.pem");
    let run = env.run_with_store(&store, &["fetch", "--retries", "0", "--url", &url]);
    run.expect(0);
    run.stderr_has("; trying the OS trust store next");
    run.stderr_has(&format!(
        "using DigiCert Global Root G2 from the OS trust store ({})",
        store.display()
    ));
}

#[test]
fn an_offline_failure_does_not_blame_the_network() {
    let env = Env::new();
    let run = env.run(&["fetch", "--offline", "--no-builtin"]);
    run.expect(3);
    run.stderr_has("Only local sources were tried (--offline");
    assert!(!run.stderr.contains("Check the network"), "{}", run.stderr);
}

#[test]
fn an_unknown_profile_suggests_the_closest_and_lists_aliases() {
    let env = Env::new();
    let run = env.run(&["fetch", "digicert-global-root-g3"]);
    run.expect(2);
    run.stderr_has("Did you mean 'digicert-global-root-g2'?");
    run.stderr_has("digicert-global-root-g2 (also azure-cosmos-postgres, digicert-g2)");
}

#[test]
fn saving_to_libpqs_default_file_warns_about_sslmode_require() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let default = env.path("home/.postgresql/root.crt");
    let run = env.run_with_store(
        &store,
        &["fetch", "--offline", "-o", default.to_str().unwrap()],
    );
    run.expect(0);
    run.stderr_has("is the file libpq reads when sslrootcert is not set");
    run.stderr_has("sslmode=require verifies the server certificate");
}

#[test]
fn the_built_in_copy_is_the_last_source_for_catalog_pins_only() {
    // No network, no CA store: a container from scratch.
    let env = Env::new();
    let run = env.run(&["fetch", "--offline"]);
    run.expect(0);
    run.stderr_has("using rootcert's built-in copy of DigiCert Global Root G2");
    run.stderr_has("source   builtin");
    assert_eq!(saved(&env), g2_pem());
    assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256);

    // After a failed download too, and the JSON says where it came from.
    let env = Env::new();
    let url = closed_port_url("/g2.pem");
    let run = env.run(&["fetch", "--json", "--retries", "0", "--url", &url]);
    run.expect(0);
    assert_eq!(run.json()["certificates"][0]["source"], "builtin");

    // Turned off, or for a pin the user chose: never.
    let env = Env::new();
    env.run(&["fetch", "--offline", "--no-builtin"]).expect(3);
    let run = env.run(&["fetch", "--offline", "--sha256", G2_SHA256]);
    run.expect(3);
    assert!(
        !run.stderr.contains("using rootcert's built-in copy"),
        "{}",
        run.stderr
    );
    assert_out_empty(&env);
}

#[test]
fn libpq_puts_the_root_where_libpq_looks_by_default() {
    let env = Env::new();
    // Windows' libpq asks for the roaming AppData folder (SHGetFolderPath(CSIDL_APPDATA)),
    // which Wine keeps in its prefix, not under HOME.
    let default = if under_wine() {
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        format!("C:\\users\\{user}\\AppData\\Roaming\\postgresql\\root.crt")
    } else {
        shown_path(&env.path("home/.postgresql/root.crt"))
    };
    let _ = std::fs::remove_file(host_path(&default));
    let run = env.run(&["fetch", "--offline", "--libpq"]);
    run.expect(0);
    assert_eq!(run.stdout.trim(), default);
    assert_eq!(
        std::fs::read_to_string(host_path(&default)).unwrap(),
        g2_pem()
    );
    run.stderr_has("sslmode=require verifies the server certificate");
    env.run(&["fetch", "--libpq", "-o", "x.pem"]).expect(2);
    if under_wine() {
        // Shared by every test in Wine's prefix: leave it as it was.
        std::fs::remove_file(host_path(&default)).unwrap();
    }
}

#[test]
fn mode_owner_and_group_are_set_before_the_file_appears_and_converge() {
    let env = Env::new();
    let path = env.path("out/app.pem");
    let p = path.to_str().unwrap();
    if under_wine() {
        // Windows files have ACLs: each flag is a usage error that says what to do.
        for flag in [["--mode", "0640"], ["--owner", "root"], ["--group", "root"]] {
            env.run(&["fetch", "--offline", flag[0], flag[1], "-o", p])
                .expect(2)
                .stderr_has("do not exist on Windows: a saved file gets the ACL");
        }
        assert!(!path.exists());
        return;
    }
    env.run(&["fetch", "--offline", "--mode", "0640", "-o", p])
        .expect(0);
    let mode = |path: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    };
    assert_eq!(mode(&path), 0o640);
    // Up to date and as asked: nothing to do. Asked otherwise: the file is fixed.
    let run = env.run(&["fetch", "--offline", "--json", "--mode", "640", "-o", p]);
    assert_eq!(run.json()["status"], "unchanged");
    let run = env.run(&["fetch", "--offline", "--json", "--mode", "600", "-o", p]);
    assert_eq!(run.json()["status"], "saved");
    assert_eq!(mode(&path), 0o600);
    env.run(&["fetch", "--offline", "--mode", "999", "-o", p])
        .expect(2);
    env.run(&[
        "fetch",
        "--offline",
        "--owner",
        "no-such-user-here",
        "-o",
        p,
    ])
    .expect(2);

    if std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0) {
        let run = env.run(&[
            "fetch",
            "--offline",
            "--json",
            "--owner",
            "nobody",
            "--group",
            "65534",
            "-o",
            p,
        ]);
        assert_eq!(run.json()["status"], "saved", "{}", run.stderr);
        let meta = std::fs::metadata(&path).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

#[test]
fn on_change_runs_only_when_the_file_changed_and_reports_its_failure() {
    let env = Env::new();
    let marker = env.path("changed");
    let hook = format!("echo \"$ROOTCERT_PATH\" >> {}", marker.display());
    env.run(&["fetch", "--offline", "--on-change", &hook])
        .expect(0);
    env.run(&["fetch", "--offline", "--on-change", &hook])
        .expect(0);
    let lines = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(
        lines.lines().collect::<Vec<_>>(),
        [env.default_out().display().to_string()]
    );

    std::fs::remove_file(env.default_out()).unwrap();
    let run = env.run(&["fetch", "--offline", "--on-change", "exit 7"]);
    run.expect(6);
    run.stderr_has("the file was saved, but the --on-change command failed with exit code 7");
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn retries_are_bounded() {
    let env = Env::new();
    let run = env.run(&["fetch", "--retries", "11", "--offline"]);
    run.expect(2);
    run.stderr_has("11");
    env.run(&["fetch", "--retries", "10", "--offline"])
        .expect(0);
}
