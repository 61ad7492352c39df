//! A certificate as Go 1.19's `x509.ParseCertificate` reads it (crypto/x509/parser.go):
//! raw subject and issuer (chains link by their exact bytes), version, basic constraints,
//! key usage bits, EKUs, key identifiers, SANs and name constraints, the critical
//! extensions Go does not handle (`processExtensions`), and the defects that make Go refuse
//! to parse the certificate at all (a trust file then skips it; a server sending it fails
//! the handshake). The keys and algorithms come from [`crate::libpq::facts`].

use der::Encode;
use der::asn1::ObjectIdentifier as Oid;
use der::oid::AssociatedOid;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, NameConstraints,
    SubjectAltName, SubjectKeyIdentifier,
};

use super::constraints::{self, Constraints};
use crate::cert::Certificate;
use crate::libpq::facts::{Facts, KeyKind};
use crate::oid;

/// Go's `KeyUsageCertSign`.
pub(super) const KEY_USAGE_CERT_SIGN: u16 = 1 << 5;
pub(super) const ANY_EKU: Oid = Oid::new_unwrap("2.5.29.37.0");
const AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
const P224: Oid = Oid::new_unwrap("1.3.132.0.33");
/// DER of NULL: the parameters Go requires of an RSA key.
const NULL: [u8; 2] = [0x05, 0x00];

pub(super) struct GoCert {
    pub(super) cert: Certificate,
    pub(super) facts: Facts,
    pub(super) raw_subject: Vec<u8>,
    pub(super) raw_issuer: Vec<u8>,
    /// 1, 2 or 3, as Go numbers them.
    pub(super) version: u8,
    /// `BasicConstraintsValid`: (IsCA, MaxPathLen, -1 when absent).
    pub(super) basic: Option<(bool, i64)>,
    /// Go's `KeyUsage` bits; 0 when absent (or empty).
    pub(super) key_usage: u16,
    /// `ExtKeyUsage` and `UnknownExtKeyUsage` together.
    pub(super) eku: Vec<Oid>,
    pub(super) subject_key_id: Vec<u8>,
    pub(super) authority_key_id: Vec<u8>,
    /// The SAN extension's value (compared by `alreadyInChain`) and its names.
    pub(super) san: Option<(Vec<u8>, Vec<GeneralName>)>,
    pub(super) constraints: Option<Constraints>,
    /// `UnhandledCriticalExtensions`, as dotted OIDs.
    pub(super) unhandled_critical: Vec<String>,
    /// Why `ParseCertificate` fails on it, in Go's words.
    pub(super) parse_error: Option<String>,
}

impl std::fmt::Debug for GoCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GoCert({})", self.subject())
    }
}

impl GoCert {
    pub(super) fn of(cert: &Certificate) -> GoCert {
        let tbs = cert.x509().tbs_certificate();
        let facts = Facts::of(cert);
        let mut parse_error = key_parse_error(cert);
        let mut fail = |what: String| {
            parse_error.get_or_insert(what);
        };
        let version = match tbs.version() {
            x509_cert::certificate::Version::V1 => 1,
            x509_cert::certificate::Version::V2 => 2,
            x509_cert::certificate::Version::V3 => 3,
        };
        let mut seen: Vec<&Oid> = Vec::new();
        for ext in tbs.extensions().into_iter().flatten() {
            if seen.contains(&&ext.extn_id) {
                fail("x509: certificate contains duplicate extensions".into());
            }
            seen.push(&ext.extn_id);
        }
        // An extension Go reads but cannot decode fails the whole certificate.
        macro_rules! read {
            ($ty:ty, $what:literal) => {
                match tbs.get_extension::<$ty>() {
                    Ok(found) => found.map(|(_, value)| value),
                    Err(_) => {
                        fail(concat!("x509: invalid ", $what).into());
                        None
                    }
                }
            };
        }
        let basic = read!(BasicConstraints, "basic constraints");
        let key_usage = read!(KeyUsage, "key usage");
        let eku = read!(ExtendedKeyUsage, "extended key usage");
        let skid = read!(SubjectKeyIdentifier, "subject key identifier");
        let akid = read!(AuthorityKeyIdentifier, "authority key identifier");
        let san = read!(SubjectAltName, "subject alternative names");
        let nc = read!(NameConstraints, "NameConstraints extension");
        for name in san.iter().flat_map(|s| s.0.iter()) {
            if let GeneralName::IpAddress(ip) = name
                && ![4, 16].contains(&ip.as_bytes().len())
            {
                fail(format!(
                    "x509: cannot parse IP address of length {}",
                    ip.as_bytes().len()
                ));
            }
        }
        let mut nc_unhandled = false;
        let constraints = nc.and_then(|nc| match constraints::parse(&nc) {
            Ok((constraints, unhandled)) => {
                nc_unhandled = unhandled;
                Some(constraints)
            }
            Err(e) => {
                fail(e);
                None
            }
        });
        // A SAN extension Go reads no name from is "unhandled" (parser.go:657).
        let san_read_nothing = san.as_ref().is_some_and(|s| {
            !s.0.iter().any(|n| {
                matches!(
                    n,
                    GeneralName::DnsName(_)
                        | GeneralName::Rfc822Name(_)
                        | GeneralName::IpAddress(_)
                        | GeneralName::UniformResourceIdentifier(_)
                )
            })
        });
        let mut unhandled_critical = Vec::new();
        let mut san_der = None;
        for ext in tbs.extensions().into_iter().flatten() {
            let id = &ext.extn_id;
            if *id == SubjectAltName::OID {
                san_der = Some(ext.extn_value.as_bytes().to_vec());
            }
            let handled = if *id == SubjectAltName::OID {
                !san_read_nothing
            } else if *id == NameConstraints::OID {
                !nc_unhandled
            } else {
                *id == AUTHORITY_INFO_ACCESS
                    || [14, 15, 19, 31, 32, 35, 37]
                        .iter()
                        .any(|arc| id.to_string() == format!("2.5.29.{arc}"))
            };
            if ext.critical && !handled {
                unhandled_critical.push(id.to_string());
            }
        }
        GoCert {
            raw_subject: tbs.subject().to_der().unwrap_or_default(),
            raw_issuer: tbs.issuer().to_der().unwrap_or_default(),
            version,
            basic: basic.map(|b| (b.ca, b.path_len_constraint.map_or(-1, i64::from))),
            key_usage: key_usage.map_or(0, |ku| ku.0.bits()),
            eku: eku.map(|e| e.0).unwrap_or_default(),
            subject_key_id: skid.map(|s| s.0.as_bytes().to_vec()).unwrap_or_default(),
            authority_key_id: akid
                .and_then(|a| a.key_identifier)
                .map(|k| k.as_bytes().to_vec())
                .unwrap_or_default(),
            san: san_der.zip(san.map(|s| s.0)),
            constraints,
            unhandled_critical,
            parse_error,
            facts,
            cert: cert.clone(),
        }
    }

    /// The SAN names, when the extension is present.
    pub(super) fn san_names(&self) -> Option<&[GeneralName]> {
        self.san.as_ref().map(|(_, names)| names.as_slice())
    }

    pub(super) fn subject(&self) -> String {
        self.cert.subject()
    }

    /// Self-issued (subject = issuer, byte for byte).
    pub(super) fn self_issued(&self) -> bool {
        self.raw_subject == self.raw_issuer
    }

    /// The key's bit string, compared by `alreadyInChain` as Go compares public keys.
    pub(super) fn public_key(&self) -> &[u8] {
        self.cert.public_key_bytes()
    }

    /// A key Go knows (`PublicKeyAlgorithm` is not `UnknownPublicKeyAlgorithm`).
    pub(super) fn key_known(&self) -> bool {
        matches!(
            self.facts.key,
            KeyKind::Rsa | KeyKind::Ec | KeyKind::Ed25519
        ) || self.is_dsa()
    }

    pub(super) fn is_dsa(&self) -> bool {
        self.cert
            .x509()
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid
            == Oid::new_unwrap("1.2.840.10040.4.1")
    }
}

/// `parsePublicKey`'s refusals that x509-cert does not share.
fn key_parse_error(cert: &Certificate) -> Option<String> {
    let spki = cert.x509().tbs_certificate().subject_public_key_info();
    let params = spki.algorithm.parameters.as_ref();
    match spki.algorithm.oid {
        oid::RSA if params.and_then(|p| p.to_der().ok()).as_deref() != Some(&NULL[..]) => {
            Some("x509: RSA key missing NULL parameters".into())
        }
        oid::EC => match params.and_then(|p| p.decode_as::<Oid>().ok()) {
            Some(oid::P256 | oid::P384 | oid::P521 | P224) => None,
            Some(_) => Some("x509: unsupported elliptic curve".into()),
            None => Some("x509: invalid ECDSA parameters".into()),
        },
        oid::ED25519 if params.is_some() => {
            Some("x509: Ed25519 key encoded with illegal parameters".into())
        }
        _ => None,
    }
}
