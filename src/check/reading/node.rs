//! node-postgres 8's reading of a URL (pg-connection-string `parse`, then
//! `ConnectionParameters`; `docs/drivers/node-postgres.md` §1): any of `sslmode`,
//! `sslrootcert`, `sslcert`, `sslkey` turns on TLS with full verification; `prefer`,
//! `require` and `verify-ca` mean verify-full (with a warning); without any, no TLS at
//! all; `uselibpqcompat=true` restores libpq's meanings; no default root file.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Context, Mode, Roots, Store, Tls};
use crate::quote::path_text;

/// What Node prints once per process for the aliased modes.
const WARNING: &str = "node-postgres prints \"SECURITY WARNING: The SSL modes 'prefer', \
     'require', and 'verify-ca' are treated as aliases for 'verify-full'\"";

pub(super) fn read_node_postgres(
    settings: &HashMap<String, String>,
    uri: bool,
    context: &Context,
) -> Tls {
    if !uri {
        return Tls::refused(
            "node-postgres reads only URLs: it takes this keyword/value string for a relative \
             URL and connects to the host \"base\""
                .into(),
        );
    }
    let get = |k: &str| settings.get(k).map(String::as_str);
    let sslrootcert = get("sslrootcert").filter(|v| !v.is_empty());
    let roots = match sslrootcert {
        Some(path) => {
            let path = PathBuf::from(path);
            match std::fs::metadata(&path) {
                Err(_) => {
                    return Tls::refused(format!(
                        "node-postgres fails before connecting: ENOENT: no such file or \
                         directory, open '{}' (it reads sslrootcert as a file name; \
                         \"system\" included)",
                        path_text(&path)
                    ));
                }
                // An empty file is '' to pg, which is falsy: Node then loads its own roots.
                Ok(meta) if meta.len() == 0 => Roots::Store(Store::Node),
                Ok(_) => Roots::File {
                    path,
                    named_by: "sslrootcert".into(),
                },
            }
        }
        None if context.given => Roots::Given,
        None => Roots::Store(Store::Node),
    };
    let compat = get("uselibpqcompat") == Some("true");
    let ssl = get("ssl");
    let tls_asked = ["sslmode", "sslrootcert", "sslcert", "sslkey"]
        .iter()
        .any(|k| settings.contains_key(*k))
        || matches!(ssl, Some("true" | "1"));
    let mut notes = Vec::new();
    let mode = match get("sslmode") {
        _ if !tls_asked => Mode::Unverified(
            "node-postgres uses no TLS at all without sslmode, sslrootcert or ssl in the URL"
                .into(),
        ),
        Some("disable") => Mode::Unverified("sslmode=disable: no TLS".into()),
        Some("no-verify") => Mode::Unverified(
            "sslmode=no-verify: TLS without any verification (a node-postgres value)".into(),
        ),
        Some("prefer") if compat => Mode::Unverified(
            "sslmode=prefer with uselibpqcompat=true: TLS without verification".into(),
        ),
        Some("require") if compat => match roots {
            Roots::File { .. } | Roots::Given => Mode::ChainOnly {
                why: Some(
                    "sslmode=require with uselibpqcompat=true and sslrootcert verifies the chain, \
                     not the host name"
                        .into(),
                ),
            },
            Roots::Store(_) => Mode::Unverified(
                "sslmode=require with uselibpqcompat=true and no sslrootcert: TLS without \
                 verification"
                    .into(),
            ),
        },
        Some("verify-ca") if compat => {
            if sslrootcert.is_none() && !context.given {
                return Tls::refused(
                    "node-postgres refuses verify-ca with uselibpqcompat=true without \
                     sslrootcert"
                        .into(),
                );
            }
            Mode::ChainOnly { why: None }
        }
        Some("prefer" | "require" | "verify-ca") => {
            notes.push(WARNING.into());
            Mode::Full
        }
        // verify-full, allow, any other value, or only sslrootcert/ssl: the `ssl = {}` set
        // first stays.
        _ => Mode::Full,
    };
    Tls {
        mode,
        roots,
        refused: None,
        notes,
    }
}
