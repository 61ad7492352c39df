//! pgx v4's reading of a libpq-style string (pgconn's `ParseConfig`, `configTLS`;
//! `docs/drivers/pgx.md` §1): `prefer` never verifies, `require` verifies the chain when a
//! root file is there, a named root file that cannot be read fails in every TLS mode, the
//! default file is under the password database's home, and without any root file
//! `verify-ca`/`verify-full` trust Go's system pool.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Context, Mode, Roots, Store, Tls};
use crate::quote::path_text;

pub(super) fn read(settings: &HashMap<String, String>, _uri: bool, context: &Context) -> Tls {
    let get = |k: &str| {
        settings
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if get("hostaddr").is_some() {
        return Tls::refused(
            "pgx 4 has no hostaddr: it sends it to the server as a setting, which refuses the \
             connection (FATAL: unrecognized configuration parameter \"hostaddr\"); give the \
             address as host"
                .into(),
        );
    }
    let sslmode = get("sslmode").unwrap_or("prefer");
    if !matches!(
        sslmode,
        "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full"
    ) {
        return Tls::refused(
            "pgx refuses the string: \"sslmode is invalid\" (it takes disable, allow, prefer, \
             require, verify-ca or verify-full, in lower case)"
                .into(),
        );
    }
    let explicit = get("sslrootcert").map(PathBuf::from);
    if sslmode != "disable"
        && let Some(path) = &explicit
        && !path.is_file()
    {
        return Tls::refused(format!(
            "pgx refuses the string: \"unable to read CA file\" {} (pgx reads sslrootcert in \
             every TLS mode, require and prefer included)",
            path_text(path)
        ));
    }
    let default_file = Context::root_crt(context.passwd_home.as_ref()).filter(|p| p.exists());
    let roots = match (&explicit, context.given, &default_file) {
        (Some(path), _, _) => Roots::File {
            path: path.clone(),
            named_by: "sslrootcert".into(),
        },
        (None, true, _) => Roots::Given,
        (None, false, Some(path)) => Roots::File {
            path: path.clone(),
            named_by: "pgx's default root file (~/.postgresql/root.crt of the user's home in \
                       the password database)"
                .into(),
        },
        (None, false, None) => Roots::Store(Store::Go),
    };
    let mode = match sslmode {
        "verify-full" => Mode::Full,
        "verify-ca" => Mode::ChainOnly { why: None },
        "require" if !matches!(roots, Roots::Store(_)) => Mode::ChainOnly {
            why: Some(
                "sslmode=require verifies the chain because a root file is given or there (pgx \
                 then acts as verify-ca)"
                    .into(),
            ),
        },
        "require" => Mode::Unverified(
            "sslmode=require encrypts but does not verify the server (no root file)".into(),
        ),
        "prefer" => Mode::Unverified(
            "sslmode=prefer (pgx's default): pgx does not verify the server even when a root \
             file exists (libpq would), and falls back to plaintext when TLS fails"
                .into(),
        ),
        m => Mode::Unverified(format!(
            "sslmode={m}: the connection is not verified (against a server that accepts only \
             TLS, pgx's allow never even tries TLS)"
        )),
    };
    Tls {
        mode,
        roots,
        refused: None,
        notes: Vec::new(),
    }
}
