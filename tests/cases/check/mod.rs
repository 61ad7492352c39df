//! `rootcert check` against a real PostgreSQL, with psql as the oracle: for every case,
//! rootcert's verdict must agree with what `psql "sslmode=verify-full ..."` actually does.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::support::pg::{PgServer, binaries};
use crate::support::*;

mod direct;
mod failures;
mod psql;

/// A server with a valid chain. Each test has its own (stopped when dropped): a shared
/// static one would outlive the test process, since pg_ctl daemonizes it.
fn valid_server() -> Option<(PgServer, TestChain)> {
    let bins = binaries()?;
    let chain = TestChain::new("rootcert test root", false);
    Some((PgServer::start(bins, Some(&chain.server)), chain))
}

fn write_root(env: &Env, name: &str, pem_text: &str) -> std::path::PathBuf {
    let path = env.path(name);
    std::fs::write(&path, pem_text).unwrap();
    path
}

/// `rootcert check TARGET --ca ROOT EXTRA...`
fn check(env: &Env, target: &str, root: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", target, "--ca", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args)
}

// Cases that need no PostgreSQL.
