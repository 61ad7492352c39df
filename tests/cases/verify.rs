//! `rootcert verify`: the health check for a trust file. No network.

use crate::support::*;

#[test]
fn the_right_file_passes_and_other_certificates_are_reported() {
    let env = Env::new();
    std::fs::write(env.path("root.pem"), format!("{}{}", isrg_pem(), g2_pem())).unwrap();
    let run = env.run(&["verify", "--json", env.path("root.pem").to_str().unwrap()]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["status"], "ok");
    let certs = json["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["sha256"], ISRG_SHA256);
    assert_eq!(certs[0]["pinned"], false);
    assert_eq!(certs[0]["profile"], "isrg-root-x1");
    assert_eq!(certs[1]["pinned"], true);
    assert!(certs[1]["days_left"].as_i64().unwrap() > 365);
    assert_eq!(json["missing"], serde_json::json!([]));

    let human = env.run(&["verify", env.path("root.pem").to_str().unwrap()]);
    human.expect(0);
    human.stdout_has("OK, holds every pinned certificate");
    human.stdout_has("other   CN=ISRG Root X1");
}

#[test]
fn a_wrong_file_fails_and_names_the_missing_certificate() {
    let env = Env::new();
    std::fs::write(env.path("root.pem"), isrg_pem()).unwrap();
    let run = env.run(&["verify", env.path("root.pem").to_str().unwrap()]);
    run.expect(4);
    assert!(
        run.stderr.contains("DigiCert Global Root G2 (sha256 CB:3C"),
        "{}",
        run.stderr
    );
    run.stderr_has("is missing");
    run.stderr_has("rootcert fetch -o");

    // Not a certificate at all.
    std::fs::write(env.path("junk.pem"), "hello").unwrap();
    env.run(&["verify", env.path("junk.pem").to_str().unwrap()])
        .expect(4);
}

#[test]
fn a_missing_file_is_exit_5() {
    let env = Env::new();
    let run = env.run(&["verify", "--json", env.path("nope.pem").to_str().unwrap()]);
    run.expect(5);
    assert_eq!(run.json()["status"], "error");
    run.stderr_has("cannot read");
}

#[test]
fn a_bundle_missing_one_certificate_fails_naming_it() {
    let env = Env::new();
    let path = env.path("azure.pem");
    std::fs::write(&path, g2_pem()).unwrap();
    let run = env.run(&[
        "verify",
        "--json",
        "azure-postgres-flexible",
        path.to_str().unwrap(),
    ]);
    run.expect(4);
    let json = run.json();
    assert_eq!(json["status"], "error");
    assert_eq!(json["exit_code"], 4);
    assert_eq!(
        json["missing"][0]["name"],
        "Microsoft RSA Root Certificate Authority 2017"
    );
    assert_eq!(json["missing"][0]["sha256"], MS2017_SHA256);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("rootcert fetch azure-postgres-flexible")
    );

    std::fs::write(&path, format!("{}{}", g2_pem(), ms2017_pem())).unwrap();
    env.run(&["verify", "azure-postgres-flexible", path.to_str().unwrap()])
        .expect(0);
    // --sha256 alone checks only that pin.
    env.run(&["verify", "--sha256", MS2017_SHA256, path.to_str().unwrap()])
        .expect(0);
    env.run(&["verify", "--sha256", ISRG_SHA256, path.to_str().unwrap()])
        .expect(4);

    // A pin named twice (by profile and by --sha256) is required, and reported, once.
    std::fs::write(&path, ms2017_pem()).unwrap();
    let run = env.run(&[
        "verify",
        "--json",
        "azure-postgres-flexible",
        "--sha256",
        G2_SHA256,
        path.to_str().unwrap(),
    ]);
    run.expect(4);
    assert_eq!(run.json()["missing"].as_array().unwrap().len(), 1);
}

#[test]
fn min_days_fails_on_a_certificate_that_expires_too_soon() {
    let env = Env::new();
    let path = env.path("root.pem");
    std::fs::write(&path, g2_pem()).unwrap();
    // G2 expires on 2038-01-15: fine for a year, not for 20 years.
    env.run(&["verify", "--min-days", "365", path.to_str().unwrap()])
        .expect(0);
    let run = env.run(&[
        "verify",
        "--json",
        "--min-days",
        "7300",
        path.to_str().unwrap(),
    ]);
    run.expect(4);
    let json = run.json();
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("fewer than the 7300 days asked for"),
        "{json}"
    );
    assert_eq!(json["missing"], serde_json::json!([]));
}

#[test]
fn verify_of_an_unknown_profile_is_a_usage_error() {
    let env = Env::new();
    std::fs::write(env.path("root.pem"), g2_pem()).unwrap();
    env.run(&["verify", "nope", env.path("root.pem").to_str().unwrap()])
        .expect(2);
}

#[test]
fn a_der_file_with_the_pin_fails_because_libpq_cannot_load_it() {
    let env = Env::new();
    let path = env.path("DigiCertGlobalRootG2.crt");
    std::fs::write(&path, der_of(&g2_pem())).unwrap();
    let run = env.run(&["verify", "--json", path.to_str().unwrap()]);
    run.expect(4);
    let json = run.json();
    assert_eq!(json["status"], "error");
    assert_eq!(
        json["certificates"][0]["sha256"], G2_SHA256,
        "still says what it holds"
    );
    assert_eq!(json["certificates"][0]["pinned"], true);
    run.stderr_has("libpq cannot load it: it is DER (binary); libpq reads only PEM");
    run.stderr_has("rootcert fetch -o");
    run.stderr_has("openssl x509 -inform DER -in");
}

#[test]
fn an_html_page_is_named_without_fetch_flags() {
    let env = Env::new();
    let path = env.path("root.crt");
    std::fs::write(&path, "<!DOCTYPE html><html><title>Sign in</title></html>").unwrap();
    let run = env.run(&["verify", path.to_str().unwrap()]);
    run.expect(4);
    run.stderr_has("got an HTML page, not a certificate");
    assert!(
        !run.stderr.contains("Sign in"),
        "a local file's content is never quoted"
    );
    assert!(
        !run.stderr.contains("--url"),
        "verify has no --url: {}",
        run.stderr
    );
}

#[test]
fn a_pinned_server_certificate_warns_that_it_is_not_a_root() {
    let env = Env::new();
    let ca = TestChain::direct("verify-warning");
    let path = env.path("leaf.pem");
    std::fs::write(&path, ca.server_pem()).unwrap();
    let run = env.run(&[
        "verify",
        path.to_str().unwrap(),
        "--sha256",
        &ca.server_sha256(),
    ]);
    run.expect(0);
    run.stderr_has("is not self-signed");
    run.stderr_has("pin the root instead");
}
