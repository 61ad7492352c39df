//! libpq's reading of a string (psql, psycopg; fe-connect.c, fe-secure-openssl.c), and
//! asyncpg's, which takes libpq's keywords with meanings of its own
//! (`docs/drivers/psycopg.md`, `docs/drivers/asyncpg.md`).

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Context, Mode, Roots, Store, Tls, named_or};
use crate::driver::Driver;
use crate::quote::path_text;

type Settings = HashMap<String, String>;

fn get<'a>(settings: &'a Settings, keyword: &str) -> Option<&'a str> {
    settings
        .get(keyword)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The root file the string (or the user) gives, else libpq's default file.
fn libpq_roots(settings: &Settings, context: &Context) -> Roots {
    let default = if context.given {
        Roots::Given
    } else {
        match Context::root_crt(context.home.as_ref()) {
            Some(path) => Roots::File {
                path,
                named_by: "the default sslrootcert (~/.postgresql/root.crt)".into(),
            },
            None => Roots::Given,
        }
    };
    named_or(get(settings, "sslrootcert"), "sslrootcert", default)
}

/// Whether the root file is there to verify with (the user's roots always are).
fn root_file_exists(roots: &Roots) -> Option<String> {
    match roots {
        Roots::Given => Some("the given root file".into()),
        Roots::File { path, .. } if path.exists() => Some(path_text(path)),
        _ => None,
    }
}

/// libpq refuses a keyword it does not know before anything else (`conninfo_parse`): named
/// by its position, and by the keyword it is close to, never by its text.
pub(super) fn refuse_unknown(unknown: &[(usize, String)]) -> Result<(), String> {
    match unknown.first() {
        None => Ok(()),
        Some((at, keyword)) => Err(format!(
            "invalid connection option (at character {at}){}",
            crate::check::connstr::redact::did_you_mean(
                keyword,
                crate::check::connstr::conninfo::KEYWORDS
            )
        )),
    }
}

/// psql and psycopg: libpq's sslmode, `sslrootcert=system` (libpq 16+) and its refusals.
pub(super) fn read(driver: Driver, settings: &Settings, context: &Context) -> Result<Tls, String> {
    let sslrootcert = get(settings, "sslrootcert");
    let system = sslrootcert == Some("system");
    let sslmode = get(settings, "sslmode");
    let roots = if system {
        Roots::Store(match driver {
            Driver::Psycopg => Store::PsycopgWheel,
            _ => Store::OpenSsl,
        })
    } else {
        libpq_roots(settings, context)
    };
    let mut refused = None;
    let mode = match sslmode {
        Some("verify-full") => Mode::Full,
        None if system => Mode::Full,
        Some("verify-ca") => Mode::ChainOnly { why: None },
        Some("require") => match root_file_exists(&roots) {
            Some(file) => Mode::ChainOnly {
                why: Some(format!(
                    "sslmode=require verifies the chain because {file} exists (libpq then acts \
                     as verify-ca)"
                )),
            },
            None => Mode::Unverified(
                "sslmode=require encrypts but does not verify the server (no root certificate \
                 file is there)"
                    .into(),
            ),
        },
        Some(m @ ("prefer" | "allow" | "disable")) => Mode::Unverified(format!(
            "sslmode={m}: the connection is not verified (any certificate, or none, is accepted)"
        )),
        None => Mode::Unverified(
            "no sslmode (libpq's default, prefer): the connection is not verified (any \
             certificate, or none, is accepted)"
                .into(),
        ),
        Some(_) => return Err(crate::check::connstr::BAD_SSLMODE.into()),
    };
    match get(settings, "sslnegotiation") {
        None | Some("postgres" | "direct") => {}
        Some(_) => {
            return Err("invalid sslnegotiation value (it is postgres or direct)".into());
        }
    }
    if system && sslmode.is_some_and(|m| m != "verify-full") {
        refused = Some(format!(
            "{} refuses the string: weak sslmode \"{}\" may not be used with \
             sslrootcert=system (use \"verify-full\")",
            driver.in_words(),
            sslmode.unwrap_or_default()
        ));
    }
    if get(settings, "sslnegotiation") == Some("direct")
        && matches!(sslmode, None | Some("prefer" | "allow" | "disable"))
    {
        refused = Some(format!(
            "{} refuses the string: weak sslmode \"{}\" may not be used with \
             sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")",
            driver.in_words(),
            sslmode.unwrap_or("prefer")
        ));
    }
    let no_host = get(settings, "host").is_none_or(|h| h.split(',').any(|h| h.trim().is_empty()));
    if mode == Mode::Full && no_host {
        refused = Some(
            "without host=, libpq checks the certificate against its default host (the socket \
             directory, /var/run/postgresql on Debian), which no certificate names: give \
             host=NAME with hostaddr"
                .into(),
        );
    }
    Ok(Tls {
        mode,
        roots,
        refused,
        notes: Vec::new(),
    })
}

/// asyncpg (connect_utils.py `_parse_connect_dsn_and_args`): URLs only; `prefer` (its
/// default) never verifies, even with a root file; `require` verifies the chain when
/// `sslrootcert` or the default file is there; an explicit `sslrootcert` that cannot be read
/// fails from `require` up; no `system`; the default file is `$HOME/.postgresql/root.crt`.
pub(super) fn read_asyncpg(settings: &Settings, uri: bool, context: &Context) -> Tls {
    if !uri {
        return Tls::refused(
            "asyncpg reads only postgres:// and postgresql:// URLs: it refuses a keyword/value \
             string (\"invalid DSN\")"
                .into(),
        );
    }
    if settings.contains_key("ssl") {
        return Tls::refused(
            "asyncpg sends ssl=true to the server as a setting, which refuses it \
             (\"parameter \\\"ssl\\\" cannot be changed now\"): write sslmode=verify-full"
                .into(),
        );
    }
    let explicit = get(settings, "sslrootcert");
    let default_file = Context::root_crt(context.home.as_ref());
    let roots = match (explicit, context.given) {
        (Some(path), _) => Roots::File {
            path: PathBuf::from(path),
            named_by: "sslrootcert".into(),
        },
        (None, true) => Roots::Given,
        (None, false) => match &default_file {
            Some(path) => Roots::File {
                path: path.clone(),
                named_by: "asyncpg's default root file (~/.postgresql/root.crt)".into(),
            },
            None => Roots::Given,
        },
    };
    let missing = |roots: &Roots| match roots {
        Roots::File { path, .. } if !path.exists() => Some(path.clone()),
        _ => None,
    };
    let sslmode = get(settings, "sslmode").unwrap_or("prefer");
    let verifying = matches!(sslmode, "require" | "verify-ca" | "verify-full");
    if verifying
        && let Some(path) = missing(&roots)
        && (explicit.is_some() || sslmode != "require")
    {
        return Tls::refused(format!(
            "asyncpg fails before connecting: root certificate file \"{}\" does not exist or \
             cannot be accessed",
            path_text(&path)
        ));
    }
    let mode = match sslmode {
        "verify-full" => Mode::Full,
        "verify-ca" => Mode::ChainOnly { why: None },
        "require" => match root_file_exists(&roots) {
            Some(file) => Mode::ChainOnly {
                why: Some(format!(
                    "sslmode=require verifies the chain because {file} is there (asyncpg then \
                     checks the chain, not the host name)"
                )),
            },
            None => Mode::Unverified(
                "sslmode=require encrypts but does not verify the server (no root file)".into(),
            ),
        },
        "prefer" => Mode::Unverified(
            "sslmode=prefer (asyncpg's default): asyncpg does not verify the server even when a \
             root file exists (libpq would), and falls back to plaintext when TLS fails"
                .into(),
        ),
        other => Mode::Unverified(format!(
            "sslmode={other}: the connection is not verified (any certificate, or none, is \
             accepted)"
        )),
    };
    Tls {
        mode,
        roots,
        refused: None,
        notes: Vec::new(),
    }
}
