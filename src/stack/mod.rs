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
mod causes_tests {
    //! Each stack words its refusals its own way; the kind of each is the same.

    use super::testing::Ca;
    use crate::driver::Driver;
    use crate::libpq::Cause;

    fn causes(driver: Driver, ca: &Ca, trust_pem: &str, host: &str) -> Vec<Cause> {
        let chain = [ca.leaf(&["db.example.test"], &["DNS:db.example.test"])];
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
        let decision = super::judge(driver.stack(), &case);
        assert_eq!(decision.ok, decision.causes.is_empty(), "{driver:?}");
        decision.causes
    }

    #[test]
    fn every_driver_gives_the_same_kind_for_the_same_refusal() {
        let ca = Ca::new("causes root");
        let stranger = Ca::new("another root");
        for driver in Driver::ALL {
            let right = causes(driver, &ca, &ca.pem(), "db.example.test");
            assert_eq!(right, [], "{driver:?}");
            let other_root = causes(driver, &ca, &stranger.pem(), "db.example.test");
            assert_eq!(other_root, [Cause::UntrustedRoot], "{driver:?}");
            let other_name = causes(driver, &ca, &ca.pem(), "other.example.test");
            assert_eq!(other_name, [Cause::HostName], "{driver:?}");
            let no_roots = causes(driver, &ca, "", "db.example.test");
            assert_eq!(no_roots.first(), Some(&Cause::TrustFile), "{driver:?}");
        }
    }
}

#[cfg(test)]
mod oracle_mysql_tests {
    //! docs/drivers/mysql.md §4: an address matches iPAddress entries only; the mariadb
    //! client also tries it as a name.

    use super::testing::Ca;
    use crate::driver::Driver;

    fn connects(driver: Driver, cns: &[&str], sans: &[&str], host: &str) -> bool {
        let ca = Ca::new("mysql names root");
        let chain = [ca.leaf(cns, sans)];
        let trust = super::load(driver.stack(), ca.pem().as_bytes());
        let case = crate::libpq::Case {
            chain: &chain,
            trust: &trust,
            trust_name: "root.pem",
            host,
            now: std::time::SystemTime::now(),
            names: driver.names(),
            client: driver.in_words(),
        };
        super::judge(driver.stack(), &case).ok
    }

    #[test]
    fn an_address_host_matches_ip_entries_only_in_oracles_client() {
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
