//! `rootcert fetch` end to end: the real binary against local servers on 127.0.0.1.

use std::time::Duration;

use crate::support::*;

mod destination;
mod http;
mod saved;
mod sources;

/// Asserts a failed run with `code` whose message contains `needle`, and that the output
/// directory is exactly as it was.
#[track_caller]
fn assert_fails_cleanly(env: &Env, body: impl Into<Vec<u8>>, code: i32, needle: &str) -> Run {
    let server = Server::serving(body);
    let before = snapshot(&env.path("out"));
    let run = fetch_url(env, &server.url("/cert"), &[]);
    run.expect(code);
    assert!(
        run.stderr.contains(needle),
        "stderr lacks {needle:?}:\n{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&env.path("out")),
        before,
        "the destination directory changed"
    );
    run
}

/// What the run saved at the default destination.
fn saved(env: &Env) -> String {
    std::fs::read_to_string(env.default_out()).unwrap()
}

/// After a failed run with nothing in place: no file, not even a temporary one.
#[track_caller]
fn assert_out_empty(env: &Env) {
    assert_eq!(
        snapshot(&env.path("out")),
        Default::default(),
        "the output directory must stay empty"
    );
}
