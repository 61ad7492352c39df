//! pgjdbc's reading of a JDBC URL's properties (`docs/drivers/pgjdbc.md` §1): `sslmode`
//! without case, `ssl=true` (or a bare `ssl`) as verify-full, `require` never verifying,
//! `sslfactory` deciding the chain, and the default root file under the JVM's `user.home`
//! (the password database's home, not `$HOME`).

use std::collections::HashMap;

use super::{Context, Mode, Roots, Tls, named_or};
use crate::error::Error;
use crate::hint::Hint;

pub(super) fn read(properties: &HashMap<String, String>, context: &Context) -> Result<Tls, Error> {
    let sslmode = properties.get("sslmode").map(|m| m.to_ascii_lowercase());
    let ssl = properties.get("ssl").map(String::as_str);
    let sslmode = match sslmode {
        Some(m) => m,
        None if matches!(ssl, Some("true" | "")) => "verify-full".to_string(),
        None => "prefer".to_string(),
    };
    let factory = properties
        .get("sslfactory")
        .map(String::as_str)
        .unwrap_or("org.postgresql.ssl.LibPQFactory");
    if !factory.ends_with("LibPQFactory") && !factory.ends_with("NonValidatingFactory") {
        return Err(Error::Usage(format!(
            "sslfactory={factory} verifies against the JVM's own trust store \
             (javax.net.ssl.trustStore), which rootcert does not read"
        ))
        .with_hint(Hint::CheckJavaStore));
    }
    let default = if context.given {
        Roots::Given
    } else {
        match Context::root_crt(context.passwd_home.as_ref()) {
            Some(path) => Roots::File {
                path,
                named_by: "pgjdbc's default sslrootcert (~/.postgresql/root.crt of the \
                           JVM's user.home)"
                    .into(),
            },
            None => Roots::Given,
        }
    };
    let roots = named_or(
        properties.get("sslrootcert").map(String::as_str),
        "sslrootcert",
        default,
    );
    let mode = match sslmode.as_str() {
        // The host-name check follows sslmode alone, whatever the factory.
        "verify-full" if factory.ends_with("NonValidatingFactory") => Mode::NameOnly(
            "sslfactory=NonValidatingFactory: pgjdbc accepts a certificate from any CA (it \
             checks only the host name, under verify-full)"
                .into(),
        ),
        _ if factory.ends_with("NonValidatingFactory") => Mode::Unverified(
            "sslfactory=NonValidatingFactory: pgjdbc accepts any certificate".into(),
        ),
        "verify-full" => Mode::Full,
        "verify-ca" => Mode::ChainOnly { why: None },
        "require" => Mode::Unverified(
            "sslmode=require: pgjdbc encrypts without verifying the server, even when a root \
             file exists (libpq would then verify the chain)"
                .into(),
        ),
        m @ ("prefer" | "allow" | "disable") => Mode::Unverified(format!(
            "sslmode={m}{}: the connection is not verified (any certificate, or none, is \
             accepted)",
            if properties.contains_key("sslmode") {
                ""
            } else {
                " (pgjdbc's default without ssl=true)"
            }
        )),
        _ => {
            return Ok(Tls::refused(
                "pgjdbc refuses the URL: invalid sslmode value (it is one of disable, allow, \
                 prefer, require, verify-ca, verify-full, in any case)"
                    .into(),
            ));
        }
    };
    Ok(Tls {
        mode,
        roots,
        refused: None,
        notes: Vec::new(),
    })
}
