//! What is saved: the pinned certificate as PEM, whatever the encoding that arrived.

use super::*;

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
