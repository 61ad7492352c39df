//! What `check` says when something is wrong, in the terms of the one who must fix it
//! (issue 21, items 5 to 8; item 4, MySQL's terms, is in `cases::mysql`). Servers are a
//! rustls server for `tls://` and a real PostgreSQL, on 127.0.0.1.

use std::net::TcpListener;
use std::sync::Arc;

use crate::support::*;

/// A TLS server on 127.0.0.1 whose chain is `ca`'s server certificate (signed directly by
/// its root); it answers every handshake until the test ends.
fn tls_server(ca: &TestChain) -> u16 {
    serve(ca.server_config())
}

fn serve(config: Arc<rustls::ServerConfig>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
        }
    });
    port
}

#[test]
fn a_handshake_signed_with_another_key_is_refused_for_every_client() {
    // The certificate is right; the key is not the certificate's. Every client ends the
    // handshake, so rootcert must not say pass (an RSA key too small for ring is the one
    // signature it records as unchecked instead).
    let server_ca = TestChain::direct("rootcert server CA");
    let port = serve(server_ca.server_config_with_another_key());
    let env = Env::new();
    let ca = env.path("ca.pem");
    server_ca.write_to(&ca);
    let run = env.run(&[
        "check",
        &format!("tls://localhost:{port}"),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    let run = run.expect(3);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("BadSignature"),
        "{} {}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn a_root_missing_from_the_trust_file_is_the_clients_problem() {
    let server_ca = TestChain::direct("rootcert server CA");
    let other = TestChain::direct("rootcert other CA");
    let port = tls_server(&server_ca);
    let env = Env::new();
    let ca = env.path("other.pem");
    other.write_to(&ca);
    let run = env.run(&[
        "check",
        &format!("tls://localhost:{port}"),
        "--ca",
        ca.to_str().unwrap(),
    ]);
    run.expect(4).stdout_has("is the wrong trust file");
    assert!(!run.stdout.contains("ask its operator"), "{}", run.stdout);
}

#[test]
fn fixes_name_no_placeholder_profile_and_force_only_over_a_file() {
    let server_ca = TestChain::direct("rootcert server CA");
    let port = tls_server(&server_ca);
    let env = Env::new();
    // A trust file that does not exist, named by a string: no --force to create it, and
    // no `rootcert fetch PROFILE` for what may be a private CA.
    let missing = env.path("nowhere/root.pem");
    let target = format!(
        "host=localhost hostaddr=127.0.0.1 port={port} sslmode=verify-full sslrootcert={}",
        missing.display()
    );
    let run = env.run(&["check", &target, "--json"]);
    assert_eq!(run.code, 4, "{run:?}");
    let said = run.stdout.clone();
    assert!(!said.contains("PROFILE"), "{said}");
    assert!(!said.contains("--force"), "{said}");
    assert!(said.contains("rootcert list"), "{said}");
}

#[test]
fn min_days_fails_without_offering_settings() {
    let server_ca = TestChain::direct("rootcert server CA");
    let port = tls_server(&server_ca);
    let env = Env::new();
    let ca = env.path("ca.pem");
    server_ca.write_to(&ca);
    let target = format!("tls://localhost:{port}");
    let run = env.run(&[
        "check",
        &target,
        "--ca",
        ca.to_str().unwrap(),
        "--min-days",
        "10000000",
    ]);
    run.expect(4)
        .stdout_has("within the 10000000 days asked for");
    assert!(
        !run.stdout.contains("settings that would work"),
        "{}",
        run.stdout
    );
}

#[test]
fn several_hosts_each_get_their_own_row_and_drivers_must_speak_the_protocol() {
    let env = Env::new();
    let ca = env.path("ca.pem");
    TestChain::direct("rootcert CA").write_to(&ca);
    let closed = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (a, b) = (closed(), closed());
    let target = format!("host=127.0.0.1,localhost port={a},{b} sslmode=verify-full");
    let run = env.run(&["check", &target, "--ca", ca.to_str().unwrap()]);
    run.expect(3);
    let rows: Vec<&str> = run.stdout.lines().skip(1).take(2).collect();
    assert_ne!(
        rows[0].split("  ").next(),
        rows[1].split("  ").next(),
        "{}",
        run.stdout
    );
    // A MySQL driver for a PostgreSQL target is refused, not ignored.
    env.run(&[
        "check",
        "127.0.0.1:5432",
        "--ca",
        ca.to_str().unwrap(),
        "--client",
        "mysql2",
    ])
    .expect(2)
    .stderr_has("speaks MySQL/MariaDB");
    // A mistyped profile after the target is not a host to resolve.
    env.run(&["check", "db.example.test", "azure-postgres-flexibel"])
        .expect(2)
        .stderr_has("Did you mean 'azure-postgres-flexible'?");
}

#[test]
fn one_unreachable_target_in_json_is_the_per_target_object_on_one_line() {
    let env = Env::new();
    let ca = env.path("ca.pem");
    TestChain::direct("rootcert CA").write_to(&ca);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = env.run(&[
        "check",
        &format!("127.0.0.1:{port}"),
        "--ca",
        ca.to_str().unwrap(),
        "--json",
    ]);
    run.expect(3);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let line = run.json();
    assert_eq!(line["verdict"], "error");
    assert_eq!(line["exit_code"], 3);
    assert_eq!(line["target"], format!("127.0.0.1:{port}"));
}

#[test]
fn require_with_ca_judges_the_file_it_names() {
    let Some((server, chain)) = pg::shared() else {
        return;
    };
    let other = TestChain::new("rootcert require other", false);
    let env = Env::new();
    // The wrong root in libpq's default file, the right one given with --ca: the string
    // names no root, so it is judged with the --ca file as its sslrootcert, and the header
    // says so.
    let home = env.path("home/.postgresql");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("root.crt"), &other.root_pem).unwrap();
    let ca = env.path("ca.pem");
    std::fs::write(&ca, &chain.root_pem).unwrap();
    let target = format!(
        "host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=require",
        server.port
    );
    let run = env.run(&["check", &target, "--ca", ca.to_str().unwrap(), "--json"]);
    run.expect(0);
    let report = run.json();
    assert!(
        report["trusting"].as_str().unwrap().contains("ca.pem"),
        "{report}"
    );
    assert_eq!(report["verdict"], "pass");
}
