//! The catalog against independent sources: Debian's copies of the roots read by openssl,
//! the README's table, and `rootcert list`.

use std::path::Path;

use crate::support::*;
use rootcert::catalog::PROFILES;

#[test]
fn every_catalog_pin_agrees_with_the_system_copy() {
    let mut checked = 0;
    for profile in PROFILES {
        for cert in profile.certs {
            // Debian names its copies after the certificate, spaces as underscores.
            let copy = format!("/etc/ssl/certs/{}.pem", cert.name.replace(' ', "_"));
            if !Path::new(&copy).exists() {
                assert!(
                    std::env::var_os("ROOTCERT_REQUIRE_SYSTEM_STORE").is_none(),
                    "{copy} is missing and ROOTCERT_REQUIRE_SYSTEM_STORE is set"
                );
                crate::support::suites::skipped(
                    "system store",
                    &format!(
                        "{copy} is not on this system; pin of {} not cross-checked",
                        cert.name
                    ),
                );
                continue;
            }
            assert_eq!(
                openssl_fingerprint(Path::new(&copy)),
                cert.sha256.to_string(),
                "{} in {}",
                cert.name,
                profile.name
            );
            checked += 1;
        }
    }
    eprintln!("checked {checked} catalog pins against /etc/ssl/certs");
}

#[test]
fn every_fixture_is_the_catalog_certificate_it_is_named_after() {
    for (file, pin) in [
        ("DigiCertGlobalRootG2.crt.pem", G2_SHA256),
        ("isrgrootx1.pem", ISRG_SHA256),
        (
            "MicrosoftRSARootCertificateAuthority2017.crt.pem",
            MS2017_SHA256,
        ),
    ] {
        assert_eq!(openssl_fingerprint(&fixture(file)), pin, "{file}");
    }
}

#[test]
fn readme_catalog_table_matches_the_code() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let run = Env::new().run(&["list", "--markdown"]);
    run.expect(0);
    let table = &run.stdout;
    assert!(table.lines().count() > 3, "{table}");
    assert!(
        readme.contains(table.as_str()),
        "README.md's catalog table is out of date; replace it with the output of `rootcert list --markdown`:\n{table}"
    );
}

#[test]
fn list_json_has_the_documented_shape() {
    let run = Env::new().run(&["list", "--json"]);
    run.expect(0);
    let json = run.json();
    let profiles = json.as_array().unwrap();
    assert_eq!(profiles.len(), PROFILES.len());
    let azure = profiles
        .iter()
        .find(|p| p["name"] == "azure-postgres-flexible")
        .unwrap();
    assert!(
        azure["description"]
            .as_str()
            .unwrap()
            .contains("flexible server")
    );
    let certs = azure["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["name"], "DigiCert Global Root G2");
    assert_eq!(certs[0]["file_name"], "DigiCertGlobalRootG2.crt.pem");
    assert_eq!(certs[0]["sha256"], G2_SHA256);
    assert_eq!(certs[1]["sha256"], MS2017_SHA256);
    assert_eq!(
        certs[1]["urls"][0],
        "https://www.microsoft.com/pkiops/certs/Microsoft%20RSA%20Root%20Certificate%20Authority%202017.crt"
    );
    let g1 = profiles
        .iter()
        .find(|p| p["name"] == "digicert-global-root-ca")
        .unwrap();
    assert!(g1["description"].as_str().unwrap().contains("2026-04-15"));

    let human = Env::new().run(&["list"]);
    human.expect(0);
    for profile in PROFILES {
        human.stdout_has(profile.name);
    }
}
