//! `rootcert check` against a real PostgreSQL, with psql as the oracle: for every case,
//! rootcert's verdict must agree with what `psql "sslmode=verify-full ..."` actually does.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::support::pg::{PgServer, binaries};
use crate::support::*;

mod direct;
mod failures;
mod psql;

/// The server with a valid chain that the tests which only connect share.
fn valid_server() -> Option<&'static (PgServer, TestChain)> {
    crate::support::pg::shared()
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
