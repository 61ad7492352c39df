//! `rootcert check` against a real PostgreSQL, with psql as the oracle: for every case,
//! rootcert's verdict must agree with what `psql "sslmode=verify-full ..."` actually does.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::support::pg::{PgServer, binaries};
use crate::support::*;

/// A server with a valid chain. Each test has its own (stopped when dropped): a shared
/// static one would outlive the test process, since pg_ctl daemonizes it.
fn valid_server() -> Option<(PgServer, TestChain)> {
    let bins = binaries()?;
    let chain = TestChain::new("rootcert test root", false);
    Some((PgServer::start(bins, Some(&chain.server)), chain))
}

fn write_root(env: &Env, name: &str, pem_text: &str) -> std::path::PathBuf {
    let path = env.path(name);
    std::fs::write(&path, pem_text).unwrap();
    path
}

/// `rootcert check TARGET --ca ROOT EXTRA...`
fn check(env: &Env, target: &str, root: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", target, "--ca", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args)
}

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
fn a_server_without_tls_answers_n_and_is_exit_3() {
    let Some(bins) = binaries() else { return };
    let server = PgServer::start(bins, None);
    let env = Env::new();
    let chain = TestChain::new("unused root", false);
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &server.target("localhost"), &root, &[]);
    run.expect(3);
    run.stderr_has("does not accept TLS (ssl = off?)");
    let psql = server
        .psql_verify_full("localhost", None, &root)
        .unwrap_err();
    assert!(psql.contains("server does not support SSL"), "psql: {psql}");
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

// Cases that need no PostgreSQL.

#[test]
fn nothing_listening_is_exit_3() {
    let env = Env::new();
    let chain = TestChain::new("unused root", false);
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = check(&env, &format!("127.0.0.1:{port}"), &root, &["--json"]);
    run.expect(3);
    assert_eq!(run.json()["exit_code"], 3);
    run.stderr_has("cannot connect");
}

#[test]
fn a_fake_server_answering_n_is_exit_3() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let answering = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = [0u8; 8];
        conn.read_exact(&mut request).unwrap();
        conn.write_all(b"N").unwrap();
        request
    });
    let env = Env::new();
    let chain = TestChain::new("unused root", false);
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &format!("127.0.0.1:{port}"), &root, &[]);
    run.expect(3);
    run.stderr_has("does not accept TLS (ssl = off?)");
    assert_eq!(
        answering.join().unwrap(),
        [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f],
        "an SSLRequest"
    );
}

#[test]
fn a_missing_default_root_file_is_a_usage_error_that_says_what_to_run() {
    let run = Env::new().run(&["check", "127.0.0.1:1"]);
    run.expect(2);
    run.stderr_has("run `rootcert fetch` first");
}

#[test]
fn direct_tls_agrees_with_psql_on_libpq_18_against_postgresql_18() {
    let Some(bins) = crate::support::pg::binaries18() else {
        return;
    };
    let chain = TestChain::new("rootcert direct root", false);
    let other = TestChain::new("rootcert direct other", false);
    let server = PgServer::start(bins, Some(&chain.server));
    let env = Env::new();
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let wrong = write_root(&env, "wrong.pem", &other.root_pem);
    let direct = "sslnegotiation=direct";
    for (host, trust, name) in [
        ("localhost", &root, "right root"),
        ("localhost", &wrong, "other root"),
        ("wrong.name", &root, "wrong name"),
    ] {
        let psql = server.psql_verify_full_with(host, Some("127.0.0.1"), trust, direct);
        let run = check(
            &env,
            &format!("127.0.0.1:{}", server.port),
            trust,
            &["--direct", "--sni", host, "--json"],
        );
        let report = run.json();
        assert_eq!(
            report["ok"],
            psql.is_ok(),
            "{name}: psql {psql:?}\n{}",
            run.stdout
        );
        run.expect(if psql.is_ok() { 0 } else { 4 });
    }
    // sslnegotiation=direct in the string itself, and the settings keep it.
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslnegotiation=direct sslrootcert={}",
        server.port,
        root.display()
    );
    let run = env.run(&["check", &conninfo]);
    run.expect(0).stdout_has("sslnegotiation=direct");
    // The same server also takes the SSLRequest.
    check(&env, &format!("localhost:{}", server.port), &root, &[]).expect(0);

    // libpq 18's own rules, psql on libpq 18 deciding: sslrootcert=system (OpenSSL's
    // default store, here SSL_CERT_FILE), and the weak sslmodes it refuses with system
    // and with direct TLS.
    let base = format!(
        "host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres",
        server.port
    );
    let (r, w) = (root.to_str().unwrap(), wrong.to_str().unwrap());
    let cases = [
        (format!("{base} sslrootcert=system"), r, true),
        (format!("{base} sslrootcert=system"), w, false),
        (
            format!("{base} sslrootcert=system sslmode=require"),
            r,
            false,
        ),
        (
            format!("{base} sslnegotiation=direct sslmode=prefer sslrootcert={r}"),
            r,
            false,
        ),
        (
            format!("{base} sslnegotiation=direct sslmode=verify-full sslrootcert={r}"),
            r,
            true,
        ),
    ];
    let home = tempfile::tempdir().unwrap();
    for (conninfo, store, passes) in cases {
        let psql = server.psql(&conninfo, home.path(), &[("SSL_CERT_FILE", store)]);
        assert_eq!(psql.is_ok(), passes, "psql 18: {conninfo}: {psql:?}");
        let run = Run::from(
            env.cmd()
                .env("SSL_CERT_FILE", store)
                .args(["check", &conninfo])
                .output()
                .unwrap(),
        );
        run.expect(if passes { 0 } else { 4 });
    }
}

#[test]
fn tls_targets_start_tls_at_once_with_the_alpn_asked_for() {
    let ca = TestChain::direct("rootcert tls-target CA");
    let mut config = (*ca.server_config()).clone();
    config.alpn_protocols = vec![b"redis".to_vec()];
    let config = std::sync::Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // rootcert by name, then the openssl line it prints, by name and by address.
    let server = std::thread::spawn(move || {
        let mut first_seen = None;
        for _ in 0..5 {
            let (mut tcp, _) = listener.accept().unwrap();
            let mut first = [0u8; 1];
            tcp.peek(&mut first).unwrap();
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
            conn.send_close_notify();
            let _ = conn.complete_io(&mut tcp);
            first_seen.get_or_insert((first[0], conn.alpn_protocol().map(|p| p.to_vec())));
        }
        first_seen.unwrap()
    });
    let env = Env::new();
    let root = write_root(&env, "ca.pem", &ca.root_pem);
    let run = check(
        &env,
        &format!("tls://localhost:{port}"),
        &root,
        &["--alpn", "redis", "--json"],
    );
    run.expect(0);
    let report = run.json();
    assert_eq!(report["protocol"], "tls");
    let by_address = check(
        &env,
        &format!("tls://127.0.0.1:{port}"),
        &root,
        &["--alpn", "redis", "--json"],
    );
    by_address.expect(0);
    // openssl agrees: each printed line verifies (exit 0 with -verify_return_error).
    for report in [report, by_address.json()] {
        let line = setting(&report, "openssl");
        assert!(line.starts_with("openssl s_client"), "{line}");
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("{line} </dev/null")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The -verify_hostname form would refuse the address: the certificate's dNSName
    // keeps OpenSSL from reading the CN, and the address is in an iPAddress entry.
    let out = std::process::Command::new("sh")
        .args(["-c", &format!(
            "openssl s_client -connect 127.0.0.1:{port} -verify_hostname 127.0.0.1 -verify_return_error -CAfile {} -alpn redis </dev/null",
            root.display()
        )])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (first_byte, alpn) = server.join().unwrap();
    assert_eq!(first_byte, 0x16, "a TLS handshake record first");
    assert_eq!(alpn.as_deref(), Some(&b"redis"[..]));
    // tls:// needs a port.
    check(&env, "tls://localhost", &root, &[]).expect(2);
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

#[test]
fn direct_tls_against_a_server_before_17_says_so() {
    let Some((server, chain)) = valid_server() else {
        return;
    };
    let env = Env::new();
    let root = write_root(&env, "root.pem", &chain.root_pem);
    let run = check(&env, &server.target("localhost"), &root, &["--direct"]);
    run.expect(3);
    run.stderr_has("may predate PostgreSQL 17");
}

#[test]
fn a_server_that_drips_bytes_is_cut_off_at_the_targets_deadline() {
    // Answers S, then one byte of a TLS record every 200 ms: each read is quick, but the
    // target as a whole must end at --timeout.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 8];
                if tcp.read_exact(&mut request).is_err() || tcp.write_all(b"S").is_err() {
                    return;
                }
                for byte in [0x16u8, 0x03, 0x03, 0x40, 0x00].iter().cycle().take(100) {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    if tcp.write_all(&[*byte]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let env = Env::new();
    let root = write_root(&env, "root.pem", &TestChain::direct("drip").root_pem);
    let start = std::time::Instant::now();
    let run = check(
        &env,
        &format!("127.0.0.1:{port}"),
        &root,
        &["--timeout", "1"],
    );
    let took = start.elapsed();
    run.expect(3).stderr_has("did not answer within 1 s");
    assert!(took < std::time::Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_mysql_target_on_a_server_that_waits_for_the_client_says_so() {
    // PostgreSQL (and any TLS service) waits for the client; MySQL speaks first.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || listener.accept().map(|(tcp, _)| tcp));
    let env = Env::new();
    let root = write_root(&env, "root.pem", &TestChain::direct("silent").root_pem);
    let run = check(
        &env,
        &format!("mysql://127.0.0.1:{port}?ssl-mode=VERIFY_IDENTITY"),
        &root,
        &["--timeout", "1"],
    );
    run.expect(3).stderr_has("sent no MySQL greeting");
    drop(held.join());
}
