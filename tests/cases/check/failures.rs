//! Servers that do not speak TLS, are not there, or are too slow.

use super::*;

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
    // The drip alone lasts 20 s; the whole check keeps to its 1 s.
    assert!(took < std::time::Duration::from_secs(8), "took {took:?}");
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
