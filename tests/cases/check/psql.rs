//! Verdicts psql agrees with: the right root, another root, names, expiry, fetched roots, trust files.

use super::*;

#[test]
fn the_right_root_passes_and_psql_connects() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &server.target("localhost"), &root, &[]);
    run.expect(0);
    run.stdout_has("OK: sslmode=verify-full will succeed");
    let expected_line = format!(
        "psql \"sslmode=verify-full sslrootcert={} host=localhost port={} dbname=<db> user=<user>\"",
        root.display(),
        server.port
    );
    run.stdout_has(&expected_line);
    assert!(
        run.stdout
            .contains(&format!("export PGSSLROOTCERT={}", root.display())),
        "{}",
        run.stdout
    );
    assert_eq!(server.psql_verify_full("localhost", None, &root), Ok(()));

    let json = check(&env, &server.target("localhost"), &root, &["--json"]);
    json.expect(0);
    let report = json.json();
    let dir = env.dir.path().to_str().unwrap().to_string();
    crate::support::snapshots::assert_generated_json_snapshot(
        "check-postgresql",
        &json,
        &[
            (&format!(":{}", server.port), ":<port>"),
            (&format!("port={}", server.port), "port=<port>"),
            (&dir, "<dir>"),
        ],
        &["sha256", "serial", "port"],
    );
    assert_eq!(report["ok"], true);
    assert_eq!(report["problems"], serde_json::json!([]));
    let sent = report["chain"].as_array().unwrap();
    assert_eq!(sent.len(), 2, "leaf and intermediate");
    assert_eq!(sent[0]["subject"], "CN=localhost");
    assert_eq!(sent[1]["subject"], "CN=rootcert test root intermediate");
    assert!(sent[0]["not_after"].as_str().unwrap().ends_with('Z'));
    assert_eq!(report["root"]["subject"], "CN=rootcert test root");
    assert_eq!(
        report["root"]["sha256"]
            .as_str()
            .unwrap()
            .replace(':', "")
            .to_lowercase(),
        chain.root_sha256
    );
    assert!(
        report["suggestion"]
            .as_str()
            .unwrap()
            .contains("sslmode=verify-full")
    );
}

#[test]
fn another_root_fails_like_psql_and_names_the_root_needed() {
    let Some((server, _)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let other = TestChain::new("some other root", false);
    let root = write_root(&env, "other.pem", &other.root_pem);
    let run = check(&env, &server.target("localhost"), &root, &["--json"]);
    run.expect(4);
    let report = run.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["root"], serde_json::Value::Null);
    assert_eq!(report["causes"], serde_json::json!(["untrusted_root"]));
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("issued by CN=rootcert test root, which"),
        "{problems}"
    );
    let fix = report["suggestion"].as_str().unwrap();
    assert!(fix.contains("use that file as sslrootcert"), "{fix}");
    assert!(
        !fix.contains("--ca"),
        "the fix is psql's, not a rootcert flag: {fix}"
    );
    assert_eq!(
        report["chain"].as_array().unwrap().len(),
        2,
        "the chain is reported even when untrusted"
    );
    let psql = server
        .psql_verify_full("localhost", None, &root)
        .unwrap_err();
    assert!(psql.contains("certificate verify failed"), "psql: {psql}");
}

#[test]
fn connecting_by_address_explains_the_names_and_sni_fixes_it() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &server.target("127.0.0.1"), &root, &[]);
    run.expect(4);
    run.stdout_has("the server certificate is for DNS:localhost, CN=localhost, not 127.0.0.1");
    run.stdout_has("host=localhost hostaddr=127.0.0.1");
    let psql = server
        .psql_verify_full("127.0.0.1", None, &root)
        .unwrap_err();
    assert!(psql.contains("does not match host name"), "psql: {psql}");
    // Every driver refuses it for the same kind of reason, whatever its own words.
    let run = check(
        &env,
        &server.target("127.0.0.1"),
        &root,
        &["--client", "all", "--json"],
    );
    run.expect(4);
    let report = run.json();
    assert_eq!(report["causes"], serde_json::json!(["host_name"]));
    let clients = report["clients"].as_array().unwrap();
    assert!(clients.len() >= 4, "{report}");
    for client in clients {
        assert_eq!(
            client["causes"],
            serde_json::json!(["host_name"]),
            "{client}"
        );
    }

    let run = check(
        &env,
        &server.target("127.0.0.1"),
        &root,
        &["--sni", "localhost"],
    );
    run.expect(0);
    run.stdout_has("host=localhost hostaddr=127.0.0.1");
    assert_eq!(
        server.psql_verify_full("localhost", Some("127.0.0.1"), &root),
        Ok(())
    );
}

#[test]
fn an_expired_server_certificate_is_named() {
    let Some(bins) = binaries() else { return };
    let chain = TestChain::new("rootcert expired-test root", true);
    let server = PgServer::start(bins, Some(&chain.server));
    let env = Env::new();
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &server.target("localhost"), &root, &["--json"]);
    run.expect(4);
    let report = run.json();
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0],
        "the server certificate CN=localhost expired on 2021-01-01T00:00:00Z"
    );
    assert_eq!(report["causes"], serde_json::json!(["expired"]));
    assert_eq!(
        report["root"]["subject"], "CN=rootcert expired-test root",
        "the chain itself is trusted"
    );
    // libpq only says "certificate verify failed"; rootcert says which and when.
    let psql = server
        .psql_verify_full("localhost", None, &root)
        .unwrap_err();
    assert!(psql.contains("certificate verify failed"), "psql: {psql}");
}

#[test]
fn a_fetched_root_lets_psql_connect_end_to_end() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let web = Server::serving(chain.root_pem.clone());
    let run = env
        .fetch(&web.url("/root.pem"))
        .args(&["--sha256", &chain.root_sha256, "-o", "root.crt"])
        .run();
    run.expect(0);
    let saved = std::path::PathBuf::from(run.stdout.trim());
    assert_eq!(server.psql_verify_full("localhost", None, &saved), Ok(()));
    check(&env, &server.target("localhost"), &saved, &[]).expect(0);
}

#[test]
fn a_relative_trust_file_is_named_absolutely_in_the_psql_line() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    write_root(&env, "root.pem", &chain.root_pem);
    let run = env.run(&["check", &server.target("localhost"), "--ca", "root.pem"]);
    run.expect(0);
    let absolute = env.path("root.pem");
    run.stdout_has(&format!("sslrootcert={} ", absolute.display()));
    assert_eq!(
        server.psql_verify_full("localhost", None, &absolute),
        Ok(())
    );
}

#[test]
fn a_der_trust_file_fails_like_psql_with_the_fix() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let der = env.path("root.der");
    std::fs::write(&der, der_of(&chain.root_pem)).unwrap();
    let run = check(&env, &server.target("localhost"), &der, &[]);
    run.expect(4);
    run.stdout_has("libpq cannot load the trust file");
    run.stdout_has("openssl x509 -inform DER");
    let psql = server
        .psql_verify_full("localhost", None, &der)
        .unwrap_err();
    assert!(
        psql.contains("could not read root certificate file"),
        "psql: {psql}"
    );
}
