//! MySQL/MariaDB targets against a real MariaDB, with the `mariadb` client
//! (`--ssl-verify-server-cert`) as the oracle: one server, one certificate case after
//! another (`FLUSH SSL` swaps them), and `rootcert check` must reach the client's verdict.
//! Then what happens around TLS: a server without it, an ERR packet instead of a
//! greeting, and `max_connect_errors`, which rootcert's probes must never trip.

use std::path::Path;

use crate::support::mariadb::{self, MariaDb};
use crate::support::pg::ServerTls;
use crate::support::pki::{CA_EXT, Issued, Pki, Spec, leaf_ext};
use crate::support::{Env, Run, rootcert_program, run_snippet};

mod agreement;
mod probes;

/// `rootcert ARGS` in the server's hosts namespace (so test names resolve to 127.0.0.1).
fn rootcert(env: &Env, server: &MariaDb, args: &[&str]) -> Run {
    rootcert_with_store(env, server, args, None)
}

/// `rootcert` as above, with `store` as OpenSSL's default store (SSL_CERT_FILE).
fn rootcert_with_store(env: &Env, server: &MariaDb, args: &[&str], store: Option<&Path>) -> Run {
    let template = env.cmd();
    let (program, prefix) = rootcert_program();
    let all: Vec<&str> = prefix
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .collect();
    let mut cmd = mariadb::with_hosts(&server.hosts, &program, &all);
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(store) = store {
        cmd.env("SSL_CERT_FILE", store);
    }
    cmd.current_dir(env.dir.path());
    Run::from(cmd.output().unwrap())
}

fn tls(chain: &[&Issued]) -> ServerTls {
    ServerTls {
        chain_pem: chain.iter().map(|c| c.pem.clone()).collect(),
        key_pem: std::fs::read_to_string(&chain[0].key).unwrap(),
    }
}

struct Case {
    name: &'static str,
    chain: Vec<Issued>,
    trust: Issued,
    host: &'static str,
    /// Where the mariadb client's rule differs from libpq's, said for the reader.
    note: &'static str,
}

/// The settings a pass prints, run as printed: the mariadb command line, PyMySQL and
/// mysql2 (Node) each connect with verification to the server of `case`, which passes.
fn drivers_connect_with_the_settings_check_prints(env: &Env, server: &MariaDb, case: &Case) {
    if crate::support::under_wine() {
        // The lines name Windows paths (Z:\...), for Windows clients, not these.
        return;
    }
    server.serve(&tls(&case.chain.iter().collect::<Vec<_>>()));
    let ca = env.path("mysql-drivers-ca.pem");
    std::fs::write(&ca, &case.trust.pem).unwrap();
    // Each driver configured for full verification with the CA, as check prints it.
    let target = format!("{}:{}", case.host, server.port);
    let ca_text = ca.display().to_string();
    let run = rootcert(
        env,
        server,
        &[
            "check",
            &target,
            "--protocol",
            "mysql",
            "--ca",
            &ca_text,
            "--client",
            "mariadb",
            "--client",
            "pymysql",
            "--client",
            "mysql2",
            "--json",
        ],
    );
    run.expect(0);
    let report = run.json();
    // The user is a placeholder in what check prints for a bare target.
    let setting =
        |client: &str| crate::support::setting(&report, client).replace("<user>", "probe");
    let mariadb_line = format!("{} -N -B -e 'select 1'", setting("mariadb"));
    let out = std::process::Command::new("sh")
        .args(["-c", &mariadb_line])
        .output()
        .unwrap();
    assert!(out.status.success(), "{mariadb_line}: {out:?}");
    run_snippet(
        "python3",
        &format!(
            "import pymysql\nc = {}\nc.cursor().execute('select 1')",
            setting("pymysql")
        ),
    );
    run_snippet(
        "node",
        &format!(
            "const mysql = require('mysql2'); const fs = require('fs');\n\
             const c = {};\n\
             c.query('select 1', (e) => {{ if (e) {{ console.error(e.message); process.exit(1); }} c.end(); }});",
            setting("mysql2")
        ),
    );
}

/// Without ssl-ca, the mariadb client verifies against OpenSSL's default store
/// (SSL_CERT_FILE), and so does rootcert; the mysql client has no default, which rootcert
/// reports. `case` must pass with its own root.
fn roots_without_ssl_ca_are_the_clients_defaults(
    env: &Env,
    server: &MariaDb,
    case: &Case,
    other: &Issued,
) {
    server.serve(&tls(&case.chain.iter().collect::<Vec<_>>()));
    let port = server.port.to_string();
    for (name, store_pem, passes) in [("right", &case.trust, true), ("other", other, false)] {
        let store = env.path(&format!("default-store-{name}.pem"));
        std::fs::write(&store, &store_pem.pem).unwrap();
        let mut client = mariadb::with_hosts(
            &server.hosts,
            Path::new("/usr/bin/mariadb"),
            &[
                "--no-defaults",
                "--protocol=tcp",
                "-h",
                case.host,
                "-P",
                &port,
                "-u",
                "probe",
                "--ssl",
                "--ssl-verify-server-cert",
                "-N",
                "-e",
                "select 1",
            ],
        );
        let client = client
            .env("SSL_CERT_FILE", &store)
            .env("SSL_CERT_DIR", env.path("no-such-dir"))
            .output()
            .unwrap();
        assert_eq!(
            client.status.success(),
            passes,
            "mariadb with the {name} store: {client:?}"
        );
        let target = format!(
            "mariadb://probe@{}:{port}?ssl-verify-server-cert=1",
            case.host
        );
        let run = rootcert_with_store(env, server, &["check", &target], Some(&store));
        run.expect(if passes { 0 } else { 4 });
        // "system" is libpq's word: to the mariadb client it would be a file name.
        if !passes {
            run.stdout_has("which the system store does not hold");
        }
        let unverified = format!("mariadb://probe@{}:{port}?ssl=1", case.host);
        let run = rootcert_with_store(env, server, &["check", &unverified], Some(&store));
        run.expect(4).stdout_has("UNVERIFIED");
        assert!(!run.stdout.contains("ssl-ca=system"), "{}", run.stdout);
    }
    let mysql = format!(
        "mysql://probe@{}:{port}?ssl-mode=VERIFY_IDENTITY",
        case.host
    );
    // The mariadb client (the default) trusts the default store without ssl-ca; Oracle's
    // mysql client refuses VERIFY_IDENTITY without one.
    rootcert(env, server, &["check", &mysql, "--client", "mysql"])
        .expect(4)
        .stdout_has("needs ssl-ca");
}
