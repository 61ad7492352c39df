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

#[cfg(test)]
mod tests {
    use super::testing::Ca;
    use crate::driver::Driver;
    use crate::libpq::{Cause, Decision};

    /// `driver`'s decision on a server certificate from `ca` with these CNs and SANs.
    fn decide(
        driver: Driver,
        ca: &Ca,
        leaf: (&[&str], &[&str]),
        trust_pem: &str,
        host: &str,
    ) -> Decision {
        let chain = [ca.leaf(leaf.0, leaf.1)];
        let trust = super::load(driver.stack(), trust_pem.as_bytes());
        let case = crate::libpq::Case {
            chain: &chain,
            trust: &trust,
            trust_name: "root.pem",
            host,
            now: std::time::SystemTime::now(),
            names: driver.names(),
            client: driver.in_words(),
        };
        super::judge(driver.stack(), &case)
    }

    /// Each stack words its refusals its own way; the kind of each is the same.
    #[test]
    fn every_driver_gives_the_same_kind_for_the_same_refusal() {
        let ca = Ca::new("causes root");
        let stranger = Ca::new("another root");
        let leaf: (&[&str], &[&str]) = (&["db.example.test"], &["DNS:db.example.test"]);
        let causes = |driver, trust_pem: &str, host| {
            let decision = decide(driver, &ca, leaf, trust_pem, host);
            assert_eq!(decision.ok, decision.causes.is_empty(), "{driver:?}");
            decision.causes
        };
        for driver in Driver::ALL {
            let right = causes(driver, &ca.pem(), "db.example.test");
            assert_eq!(right, [], "{driver:?}");
            let other_root = causes(driver, &stranger.pem(), "db.example.test");
            assert_eq!(other_root, [Cause::UntrustedRoot], "{driver:?}");
            let other_name = causes(driver, &ca.pem(), "other.example.test");
            assert_eq!(other_name, [Cause::HostName], "{driver:?}");
            let no_roots = causes(driver, "", "db.example.test");
            assert_eq!(no_roots.first(), Some(&Cause::TrustFile), "{driver:?}");
        }
    }

    /// docs/drivers/mysql.md §4: an address matches iPAddress entries only in Oracle's
    /// client; the mariadb client also tries it as a name.
    #[test]
    fn an_address_host_matches_ip_entries_only_in_oracles_client() {
        let ca = Ca::new("mysql names root");
        let connects = |driver, cns: &[&str], sans: &[&str], host| {
            decide(driver, &ca, (cns, sans), &ca.pem(), host).ok
        };
        // Case 12: the address as a dNSName.
        let dns = (["db"], ["DNS:10.0.0.5"]);
        assert!(connects(Driver::Mariadb, &dns.0, &dns.1, "10.0.0.5"));
        assert!(!connects(Driver::Mysql, &dns.0, &dns.1, "10.0.0.5"));
        // Case 14: the address as the CN, another address as the only iPAddress.
        let cn = (["127.0.0.1"], ["IP:127.0.0.2"]);
        assert!(connects(Driver::Mariadb, &cn.0, &cn.1, "127.0.0.1"));
        assert!(!connects(Driver::Mysql, &cn.0, &cn.1, "127.0.0.1"));
        // Both match an iPAddress entry, and a name as X509_check_host does.
        assert!(connects(
            Driver::Mysql,
            &["db"],
            &["IP:10.0.0.5"],
            "10.0.0.5"
        ));
        assert!(connects(
            Driver::Mysql,
            &["db"],
            &["DNS:db*.example.test"],
            "db1.example.test"
        ));
        assert!(!connects(
            Driver::Mysql,
            &["db"],
            &["DNS:localhost"],
            "localhost."
        ));
    }
}
