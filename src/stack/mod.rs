//! How each TLS stack a database driver verifies with decides: how it loads a trust file,
//! which chains it accepts, and how it matches the host. A driver ([`crate::driver`]) is a
//! small profile over one of these.
//!
//! - OpenSSL as libpq, psycopg, the mariadb and mysql clients run it: [`crate::libpq`]
//!   (`X509_verify_cert` at Debian's security level 2, libpq's or OpenSSL's name rules).
//! - [`python`]: OpenSSL through Python's `ssl` (asyncpg, PyMySQL): its host flags.
//! - [`node`]: Node's own OpenSSL (node-postgres, mysql2): its trust-file reader, security
//!   level 1, `tls.checkServerIdentity`.
//! - [`java`]: the JDK's PKIX and pgjdbc's host-name verifier (pgjdbc).
//! - [`go`]: Go's `crypto/x509` (pgx).
//!
//! Each stack's rules are written down, with their sources and the cases that confirm
//! them, in `docs/drivers/`.

pub(crate) mod go;
pub(crate) mod java;
pub(crate) mod node;
pub(crate) mod python;
#[cfg(test)]
pub(crate) mod testing;

use crate::libpq::{self, Case, Decision, TrustFile};

/// A TLS stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stack {
    /// OpenSSL as libpq and the MySQL/MariaDB C clients call it.
    OpenSsl,
    /// OpenSSL through Python's `ssl` module.
    Python,
    /// Node.js's bundled OpenSSL and its `tls` module.
    Node,
    /// The JDK's JSSE and PKIX.
    Java,
    /// Go's `crypto/tls` and `crypto/x509`.
    Go,
}

/// The trust file as the stack loads it.
pub(crate) fn load(stack: Stack, bytes: &[u8]) -> TrustFile {
    match stack {
        // Python hands the file to OpenSSL (SSL_CTX_load_verify_locations).
        Stack::OpenSsl | Stack::Python => TrustFile::load(bytes),
        Stack::Node => node::load(bytes),
        Stack::Java => java::load(bytes),
        Stack::Go => go::load(bytes),
    }
}

/// The stack's decision on a chain, a trust file (as [`load`] gave it) and a host, under
/// the name rule `case.names`.
pub(crate) fn judge(stack: Stack, case: &Case<'_>) -> Decision {
    match stack {
        Stack::OpenSsl => libpq::judge(case),
        Stack::Python => python::judge(case),
        Stack::Node => node::judge(case),
        Stack::Java => java::judge(case),
        Stack::Go => go::judge(case),
    }
}
