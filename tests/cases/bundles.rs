//! Several profiles in one file: from the OS store and from a local mirror.

use crate::support::*;

#[test]
fn a_bundle_from_the_os_store_offline() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(
        &store,
        format!("{}{}{}", isrg_pem(), ms2017_pem(), g2_pem()),
    )
    .unwrap();
    let run = env.run_with_store(
        &store,
        &["fetch", "--offline", "--json", "azure-postgres-flexible"],
    );
    run.expect(0);
    let out = env.path("out/azure-postgres-flexible.pem");
    assert_eq!(run.json()["path"], shown_path(&out));
    // In the profile's order, only the pinned certificates, canonical PEM.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{}{}", g2_pem(), ms2017_pem())
    );
    env.run(&["verify", "azure-postgres-flexible", out.to_str().unwrap()])
        .expect(0);

    // Two profiles, the shared certificate once.
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "azure-postgres-flexible",
            "isrg-root-x1",
            "digicert-global-root-g2",
        ],
    );
    run.expect(0);
    let path = run.stdout.trim();
    assert!(
        path.ends_with("azure-postgres-flexible+isrg-root-x1+digicert-global-root-g2.pem"),
        "{path}"
    );
    assert_eq!(
        std::fs::read_to_string(host_path(path)).unwrap(),
        format!("{}{}{}", g2_pem(), ms2017_pem(), isrg_pem())
    );
}

#[test]
fn a_bundle_from_a_local_mirror_including_the_microsoft_der_file() {
    let env = Env::new();
    let g2 = g2_pem();
    let ms_der = der_of(&ms2017_pem());
    let mirror = Server::http(move |req, w| match req.target.as_str() {
        "/pki/DigiCertGlobalRootG2.crt.pem" => respond(w, "200 OK", &[], g2.as_bytes()),
        "/pki/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt" => {
            respond(w, "200 OK", &[], &ms_der)
        }
        _ => respond(w, "404 Not Found", &[], b""),
    });
    let run = env
        .fetch_mirror(&mirror.url("/pki"))
        .retries(0)
        .args(&["azure-postgres-flexible"])
        .run();
    run.expect(0);
    assert_eq!(mirror.hits(), 2);
    let out = env.path("out/azure-postgres-flexible.pem");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{}{}", g2_pem(), ms2017_pem())
    );
    // The Microsoft root rootcert saved (second block) is PEM now, as libpq needs, and
    // openssl reads it as the pinned certificate.
    let saved = std::fs::read_to_string(&out).unwrap();
    let blocks = pem::parse_many(&saved).unwrap();
    let second = env.path("ms.pem");
    std::fs::write(&second, pem::encode(&blocks[1])).unwrap();
    assert_eq!(openssl_fingerprint(&second), MS2017_SHA256);
    env.run(&["verify", "azure-postgres-flexible", out.to_str().unwrap()])
        .expect(0);

    // Re-run: unchanged, no request.
    let run = env.run(&[
        "fetch",
        "--json",
        "--mirror",
        &mirror.url("/pki"),
        "azure-postgres-flexible",
    ]);
    run.expect(0);
    assert_eq!(run.json()["status"], "unchanged");
    assert_eq!(mirror.hits(), 2);
}

#[test]
fn the_microsoft_profile_is_saved_as_pem_under_a_pem_name() {
    let env = Env::new();
    let ms_der = der_of(&ms2017_pem());
    let mirror = Server::http(move |_, w| respond(w, "200 OK", &[], &ms_der));
    let run = env
        .fetch_mirror(&mirror.url("/"))
        .args(&["microsoft-rsa-root-2017"])
        .run();
    run.expect(0);
    let path = run.stdout.trim();
    assert!(
        path.ends_with("MicrosoftRSARootCertificateAuthority2017.crt.pem"),
        "{path}"
    );
    assert_eq!(openssl_fingerprint(&host_path(path)), MS2017_SHA256);
}

#[test]
fn mirror_and_url_cannot_be_combined() {
    Env::new()
        .run(&[
            "fetch",
            "--mirror",
            "http://127.0.0.1:1/",
            "--url",
            "http://127.0.0.1:1/x",
        ])
        .expect(2);
}

#[test]
fn the_azure_mysql_bundle_holds_the_three_roots_azure_asks_for() {
    let env = Env::new();
    let run = env.run(&["fetch", "--offline", "azure-mysql"]);
    run.expect(0);
    let path = run.stdout.trim();
    assert!(path.ends_with("azure-mysql-flexible.pem"), "{path}");
    assert_eq!(
        std::fs::read_to_string(host_path(path)).unwrap(),
        format!(
            "{}{}{}",
            g2_pem(),
            ms2017_pem(),
            fixture_text("DigiCertGlobalRootCA.crt.pem")
        )
    );
    env.run(&["verify", "azure-mysql-flexible", path]).expect(0);
}
