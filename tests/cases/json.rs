//! Snapshots of each command's `--json`, from real runs: a renamed, added or dropped key
//! shows up here for review, whatever type or file it comes from.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test cli json`.

use crate::support::snapshots::{assert_generated_json_snapshot, assert_json_snapshot};
use crate::support::*;

#[test]
fn fetch_verify_and_inspect_json_snapshots() {
    let env = Env::new();
    let dir = env.dir.path().to_str().unwrap().to_string();
    let at_dir = [(dir.as_str(), "<dir>")];
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--json"]);
    run.expect(0);
    assert_json_snapshot("fetch-offline", &run, &at_dir);

    let saved = env.default_out();
    let saved = saved.to_str().unwrap();
    let run = env.run(&["verify", "--json", saved]);
    run.expect(0);
    assert_json_snapshot("verify", &run, &at_dir);
    let run = env.run(&["verify", "--json", "--sha256", ISRG_SHA256, saved]);
    run.expect(4);
    assert_json_snapshot("verify-missing-pin", &run, &at_dir);

    let run = env.run(&["inspect", "--json", saved]);
    run.expect(0);
    assert_json_snapshot("inspect", &run, &at_dir);
}

#[test]
fn fetch_error_json_snapshot() {
    let env = Env::new();
    let server = Server::http(|_, w| respond(w, "404 Not Found", &[], b"no"));
    let run = env
        .fetch(&server.url("/g2.pem"))
        .retries(0)
        .args(&["--json"])
        .run();
    run.expect(3);
    let base = server.url("/");
    let dir = env.dir.path().to_str().unwrap().to_string();
    assert_json_snapshot(
        "fetch-http-404",
        &run,
        &[(base.as_str(), "http://127.0.0.1:<port>/"), (&dir, "<dir>")],
    );
}

#[test]
fn check_json_snapshot_of_a_tls_target() {
    let env = Env::new();
    let chain = TestChain::direct("rootcert json root");
    chain.write_to(&env.path("root.pem"));
    // check only shakes hands: it sends no request.
    let server = Server::https(&chain, |_, w| respond(w, "200 OK", &[], b"ok"));
    server.may_be_unused();
    let port = server
        .url("")
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let target = format!("tls://localhost:{port}");
    let run = env.run(&["check", &target, "--ca", "root.pem", "--json"]);
    run.expect(0);
    let dir = env.dir.path().to_str().unwrap().to_string();
    assert_generated_json_snapshot(
        "check-tls",
        &run,
        &[(&format!(":{port}"), ":<port>"), (&dir, "<dir>")],
        &["sha256", "serial", "port"],
    );
}
