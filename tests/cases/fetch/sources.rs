//! Pins, profiles and the order of sources (URL, OS store, built-in copy); messages and JSON.

use super::*;

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
fn unknown_profile_is_a_usage_error_listing_the_known_ones() {
    let run = Env::new().run(&["fetch", "no-such-profile"]);
    run.expect(2);
    run.stderr_has("unknown profile 'no-such-profile'");
    run.stderr_has("digicert-global-root-g2");
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
