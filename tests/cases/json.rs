//! The JSON is the report serialised: every key is a field of the report type, and every
//! field of the type (but those that may be left out) is a key, for each command.

use crate::support::*;

#[test]
fn fetch_verify_and_inspect_json_is_the_report() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--json"]);
    run.expect(0);
    let mut json = run.json();
    // The binary adds the exit code (and what --on-change did) to the library's report.
    let added = json.as_object_mut().unwrap().remove("exit_code");
    assert_eq!(added, Some(0.into()));
    assert_report_shape(&json, "fetch/report.rs", "FetchReport");
    assert_report_shape(&json["certificates"][0], "fetch/report.rs", "CertSummary");
    assert_report_shape(&json["connect"], "quote.rs", "ConnectLines");

    let saved = env.default_out();
    let run = env.run(&["verify", "--json", saved.to_str().unwrap()]);
    run.expect(0);
    let json = run.json();
    assert_report_shape(&json, "verify.rs", "VerifyReport");
    assert_report_shape(&json["certificates"][0], "verify.rs", "HeldCert");
    let run = env.run(&[
        "verify",
        "--json",
        "--sha256",
        ISRG_SHA256,
        saved.to_str().unwrap(),
    ]);
    run.expect(4);
    assert_report_shape(&run.json()["missing"][0], "verify.rs", "MissingCert");

    let run = env.run(&["inspect", "--json", saved.to_str().unwrap()]);
    run.expect(0);
    assert_report_shape(&run.json()[0], "inspect.rs", "CertDetails");
}
