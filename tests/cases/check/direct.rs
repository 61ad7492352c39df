//! Direct TLS: sslnegotiation=direct against PostgreSQL 18 and older, and plain tls:// targets.

use super::*;

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
