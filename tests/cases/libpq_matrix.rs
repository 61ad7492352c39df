//! The psql-oracle matrix: one PostgreSQL server, one certificate case after another
//! (`pg_ctl reload` swaps them), and for every case `rootcert check` must reach the verdict
//! that `psql "sslmode=verify-full ..."` reaches. A case where rootcert is deliberately
//! different says so in its `differs` column, and is then required to differ.
//!
//! The server runs at OpenSSL security level 0 so that it can serve weak certificates at
//! all; psql, as a client, runs at the machine's default level (2 on Debian), which is
//! what decides those cases.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::Env;
use crate::support::matrix::{base, cases, dump};
use crate::support::pg::{PgServer, ServerTls, binaries};
use crate::support::pki::{Issued, Pki};

/// The SHA-256 of the certificate the server sends now (lower-case hex), read with
/// `openssl s_client` so that waiting for a reload does not depend on rootcert.
fn served_leaf(port: u16) -> Option<String> {
    let script = format!(
        "openssl s_client -cipher DEFAULT:@SECLEVEL=0 -starttls postgres -connect 127.0.0.1:{port} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"
    );
    let out = Command::new("sh").args(["-c", &script]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let hex = text.trim().split('=').nth(1)?;
    Some(hex.replace(':', "").to_lowercase())
}

fn wait_until_serving(server: &PgServer, leaf: &Issued) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while served_leaf(server.port).as_deref() != Some(leaf.sha256.as_str()) {
        assert!(
            Instant::now() < deadline,
            "the server did not pick up the new certificate:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// rootcert's verdict: `Some(Ok)`, or `Some(Err)` with its first problem; `None` for any
/// exit but 0 or 4, which is never a verdict.
fn rootcert_verdict(env: &Env, port: u16, host: &str, trust: &Path) -> Option<Result<(), String>> {
    let target = format!("127.0.0.1:{port}");
    let run = env.run(&[
        "check",
        &target,
        "--sni",
        host,
        "--ca",
        trust.to_str().unwrap(),
        "--json",
    ]);
    match run.code {
        0 => Some(Ok(())),
        4 if run.stdout.is_empty() => Some(Err(run.stderr.trim().to_string())),
        4 => Some(Err(run.json()["problems"][0]
            .as_str()
            .unwrap_or("?")
            .to_string())),
        _ => {
            eprintln!("rootcert exit {}: {}", run.code, run.stderr.trim());
            None
        }
    }
}

#[test]
fn rootcert_check_agrees_with_psql_verify_full() {
    let Some(bins) = binaries() else { return };
    let mut pki = Pki::new();
    let base = base(&mut pki);
    if let Some(dir) = std::env::var_os("ROOTCERT_MATRIX_DUMP") {
        dump(Path::new(&dir), &mut pki, &base);
        return;
    }
    let tls = |chain: &[Issued]| ServerTls {
        chain_pem: chain.iter().map(|c| c.pem.clone()).collect(),
        key_pem: std::fs::read_to_string(&chain[0].key).unwrap(),
    };
    let server = PgServer::start_with(
        bins,
        Some(&tls(&[base.leaf.clone(), base.int.clone()])),
        true,
    );
    let env = Env::new();
    let cases = cases();
    assert!(cases.len() >= 30);
    let mut table = Vec::new();
    let mut failures = 0;
    for (i, case) in cases.iter().enumerate() {
        let setup = (case.build)(&mut pki, &base);
        server.serve(&tls(&setup.chain));
        wait_until_serving(&server, &setup.chain[0]);
        let trust = env.path(&format!("trust-{i}.crt"));
        std::fs::write(&trust, &setup.trust).unwrap();
        let psql = server.psql_verify_full(setup.host, Some("127.0.0.1"), &trust);
        let ours = rootcert_verdict(&env, server.port, setup.host, &trust);
        let agree = ours.as_ref().is_some_and(|o| o.is_ok() == psql.is_ok());
        let ours =
            ours.unwrap_or_else(|| Err("not a verdict (exit code other than 0 and 4)".into()));
        let fine = agree == case.differs.is_none();
        if !fine {
            failures += 1;
        }
        let verdict = |r: &Result<(), String>| match r {
            Ok(()) => "OK".to_string(),
            Err(e) => format!("FAIL ({})", e.lines().last().unwrap_or("").trim()),
        };
        table.push(format!(
            "{} {:<55} psql {:<6} rootcert {}{}",
            if fine { "  " } else { "!!" },
            case.name,
            if psql.is_ok() { "OK" } else { "FAIL" },
            verdict(&ours),
            case.differs
                .map(|why| format!("  [deliberate: {why}]"))
                .unwrap_or_default()
        ));
        if let Err(said) = &psql
            && !fine
        {
            table.push(format!("     psql said: {}", said.trim()));
        }
    }
    eprintln!("{}", table.join("\n"));
    assert_eq!(
        failures,
        0,
        "{failures} case(s) where rootcert and psql disagree:\n{}",
        table.join("\n")
    );
}
