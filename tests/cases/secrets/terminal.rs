//! Bytes from servers and files reach the terminal escaped; unreadable or wrong files are named, not read out.

use super::*;

#[test]
fn server_controlled_bytes_reach_the_terminal_escaped() {
    let env = Env::new();
    // A MySQL ERR packet instead of a greeting.
    let mut err = vec![0xff, 0x69, 0x04];
    err.extend_from_slice(format!("#HY000{HOSTILE}").as_bytes());
    let port = replying_server(mysql_packet(err));
    let ca = ca(&env);
    let run = env.run(&[
        "check",
        "--protocol",
        "mysql",
        &format!("127.0.0.1:{port}"),
        "--ca",
        &ca,
    ]);
    run.expect(3).stderr_has("\\x1B[2J");
    assert_inert(&run, "MySQL ERR");
    // A MySQL greeting whose version string is hostile, from a server without TLS.
    let mut hello = vec![10];
    hello.extend_from_slice(HOSTILE.as_bytes());
    hello.push(0);
    hello.extend_from_slice(&[1, 0, 0, 0]);
    hello.extend_from_slice(b"12345678\0");
    hello.extend_from_slice(&0x0200u16.to_le_bytes()); // 4.1 protocol, no SSL
    hello.extend_from_slice(&[45, 2, 0, 0, 0]);
    let port = replying_server(mysql_packet(hello));
    let run = env.run(&[
        "check",
        "--protocol",
        "mysql",
        &format!("127.0.0.1:{port}"),
        "--ca",
        &ca,
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_inert(&run, "MySQL version");
    // An HTML page whose title is hostile, in fetch and inspect errors.
    let page = format!("<html><head><title>{HOSTILE}</title></head></html>");
    let server = Server::serving(page);
    let run = fetch_url(&env, &server.url("/x.pem"), &[]);
    run.expect(4);
    assert_inert(&run, "HTML title (fetch)");
    let run = env.run(&["inspect", &server.url("/x.pem")]);
    assert_inert(&run, "HTML title (inspect)");
    // A certificate whose CN and DNS name are hostile: the name mismatch and the fix.
    let (ca_pem, config) = hostile_tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let mut tcp = tcp;
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
        }
    });
    let hostile_ca = env.path("hostile-ca.pem");
    std::fs::write(&hostile_ca, ca_pem).unwrap();
    for json in [false, true] {
        let mut args = vec![
            "check".to_string(),
            format!("tls://127.0.0.1:{port}"),
            "--ca".into(),
            hostile_ca.to_str().unwrap().into(),
        ];
        if json {
            args.push("--json".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        run.expect(4);
        assert_inert(&run, "certificate names");
        if json {
            // JSON carries the same bytes, escaped as JSON escapes them.
            assert!(run.stdout.contains("\\u001b[2J"), "{}", run.stdout);
        }
    }
}

#[test]
fn a_services_file_that_cannot_be_read_says_so() {
    let env = Env::new();
    let fifo = env.path("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dir = env.path("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let huge = env.path("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    for (file, why) in [
        (fifo.as_path(), "not a regular file"),
        (dir.as_path(), "not a regular file"),
        (huge.as_path(), "KiB"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
    ] {
        let started = Instant::now();
        let run = Run::from(
            env.cmd()
                .env("PGSERVICEFILE", file)
                .args(["check", "service=s", "--ca", &ca(&env)])
                .output()
                .unwrap(),
        );
        run.expect(2)
            .stderr_has(why)
            .stderr_has("the services file");
        assert!(!run.stderr.contains("not found"), "{}", run.stderr);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn a_private_key_given_as_roots_is_never_offered_to_be_overwritten() {
    let env = Env::new();
    let key = env.path("ca.key");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIC9oQ0G1Wp1fD6jlqaQ+LgHK5J1vnvyDlrgFOmIqvq3Q\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let key_text = key.to_str().unwrap();
    let run = env.run(&["verify", key_text]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        !run.stderr.contains(&format!("-o {key_text}")),
        "{}",
        run.stderr
    );
    run.stderr_has("private key");
    let run = env.run(&["check", "127.0.0.1:1", "--ca", key_text]);
    assert!(
        !run.stdout.contains(&format!("-o {key_text}")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(&format!("-o {key_text}")),
        "{}",
        run.stderr
    );
    let run = env.run(&["inspect", key_text]);
    assert!(
        !run.stdout.contains(&format!("-o {key_text}")),
        "{}",
        run.stdout
    );
}

/// A MySQL packet: 3-byte little-endian length, sequence number 0, payload.
fn mysql_packet(payload: Vec<u8>) -> Vec<u8> {
    let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend(payload);
    packet
}
