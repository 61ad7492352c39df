//! A certificate as the JDK's checks read it, and what the JDK cannot even parse.

use x509_cert::ext::pkix::SubjectAltName;

use crate::cert::Certificate;
use crate::libpq::facts::Facts;

/// One certificate and what the checks read from it.
#[derive(Clone)]
pub(crate) struct Link {
    pub(crate) cert: Certificate,
    pub(crate) facts: Facts,
}

impl Link {
    pub(crate) fn of(cert: &Certificate) -> Link {
        Link {
            facts: Facts::of(cert),
            cert: cert.clone(),
        }
    }

    pub(crate) fn spki(&self) -> &[u8] {
        self.cert.public_key_bytes()
    }

    /// `X509Certificate.getVersion() < 3`.
    pub(crate) fn before_v3(&self) -> bool {
        self.cert.x509().tbs_certificate().version() != x509_cert::certificate::Version::V3
    }
}

/// Why the JDK cannot even parse `cert` (`X509CertInfo.verifyCert`), where rootcert's
/// parser can: a certificate with extensions and an empty subject must have a critical,
/// non-empty subjectAltName.
pub(crate) fn jdk_parse_problem(cert: &Certificate) -> Option<String> {
    let tbs = cert.x509().tbs_certificate();
    if tbs.subject().iter_rdn().next().is_some() || tbs.extensions().is_none() {
        return None;
    }
    let san = tbs.get_extension::<SubjectAltName>().ok().flatten();
    Some(match san {
        None => "its subject is empty and it has no subjectAltName".into(),
        Some((_, names)) if names.0.is_empty() => {
            "its subject is empty and its subjectAltName holds no name".into()
        }
        Some((false, _)) => {
            "its subject is empty and its subjectAltName is not marked critical".into()
        }
        Some(_) => return None,
    })
}
