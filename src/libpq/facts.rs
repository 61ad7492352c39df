//! What OpenSSL's `ossl_x509v3_cache_extensions` reads from a certificate before verifying
//! a chain: names compared the way `X509_NAME_cmp` compares them, self-issued and
//! self-signed as OpenSSL defines them, basic constraints, key usage, extended key usage,
//! key identifiers, unhandled critical extensions, and the security bits of the key and
//! of the signature (the numbers the security level is compared with).

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use crate::cert::Certificate;
use crate::oid;

/// The extensions OpenSSL 3.0 handles (`X509_supported_extension`); any other extension
/// marked critical makes the certificate fail with "unhandled critical extension".
const HANDLED_EXTENSIONS: [&str; 15] = [
    "2.16.840.1.113730.1.1", // Netscape cert type
    "2.5.29.15",             // key usage
    "2.5.29.17",             // subject alternative name
    "2.5.29.19",             // basic constraints
    "2.5.29.32",             // certificate policies
    "2.5.29.31",             // CRL distribution points
    "2.5.29.37",             // extended key usage
    "1.3.6.1.5.5.7.1.7",     // IP address blocks (RFC 3779)
    "1.3.6.1.5.5.7.1.8",     // AS identifiers (RFC 3779)
    "1.3.6.1.5.5.7.48.1.5",  // OCSP no-check
    "2.5.29.36",             // policy constraints
    "1.3.6.1.5.5.7.1.14",    // proxy certificate info
    "2.5.29.30",             // name constraints
    "2.5.29.33",             // policy mappings
    "2.5.29.54",             // inhibit any-policy
];

/// The key usage bits a TLS server certificate needs one of (OpenSSL's `KU_TLS`).
const TLS_USAGES: [KeyUsages; 3] = [
    KeyUsages::DigitalSignature,
    KeyUsages::KeyEncipherment,
    KeyUsages::KeyAgreement,
];

/// The public key, as far as verification needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    RsaPss,
    Ec,
    Ed25519,
    Ed448,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub(crate) subject: CanonicalName,
    pub(crate) issuer: CanonicalName,
    pub(crate) self_issued: bool,
    /// OpenSSL's EXFLAG_SS: self-issued, with a consistent authority key identifier and a
    /// signature algorithm that fits the key. The signature itself is not checked.
    pub(crate) self_signed: bool,
    pub(crate) v1: bool,
    /// `Some((ca, pathlen))` when basicConstraints is present.
    pub(crate) basic_constraints: Option<(bool, Option<u8>)>,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) extended_key_usage: Option<Vec<Oid>>,
    pub(crate) subject_key_id: Option<Vec<u8>>,
    pub(crate) authority_key_id: Option<AuthorityKeyIdentifier>,
    /// The first critical extension OpenSSL does not handle, or an extension that does
    /// not decode (OpenSSL marks such a certificate invalid).
    pub(crate) unhandled_critical: Option<String>,
    pub(crate) key: KeyKind,
    pub(crate) key_bits: Option<u32>,
    pub(crate) key_security_bits: u32,
    /// `None` when OpenSSL would not know the signature algorithm.
    pub(crate) signature: Option<SignatureInfo>,
}

#[derive(Debug, Clone)]
pub(crate) struct SignatureInfo {
    pub(crate) key: KeyKind,
    pub(crate) security_bits: u32,
    pub(crate) name: String,
}

impl Facts {
    pub(crate) fn of(cert: &Certificate) -> Facts {
        let tbs = cert.x509().tbs_certificate();
        let subject = CanonicalName::of(tbs.subject());
        let issuer = CanonicalName::of(tbs.issuer());
        let self_issued = subject == issuer;
        let mut unhandled_critical = None;
        for ext in tbs.extensions().into_iter().flatten() {
            let id = ext.extn_id.to_string();
            if ext.critical && !HANDLED_EXTENSIONS.contains(&id.as_str()) {
                unhandled_critical.get_or_insert(id);
            }
        }
        // An extension that is present but does not decode: OpenSSL's EXFLAG_INVALID.
        let decoded = |name: &str, ok: bool, slot: &mut Option<String>| {
            if !ok {
                slot.get_or_insert(format!("{name} (does not decode)"));
            }
        };
        let basic = tbs.get_extension::<BasicConstraints>();
        decoded("basicConstraints", basic.is_ok(), &mut unhandled_critical);
        let key_usage = tbs.get_extension::<KeyUsage>();
        decoded("keyUsage", key_usage.is_ok(), &mut unhandled_critical);
        let eku = tbs.get_extension::<ExtendedKeyUsage>();
        decoded("extendedKeyUsage", eku.is_ok(), &mut unhandled_critical);
        let skid = tbs.get_extension::<SubjectKeyIdentifier>();
        let akid = tbs.get_extension::<AuthorityKeyIdentifier>();
        let (key, key_bits) = key_of(cert);
        let mut facts = Facts {
            subject,
            issuer,
            self_issued,
            self_signed: false,
            v1: tbs.version() == x509_cert::certificate::Version::V1,
            basic_constraints: basic
                .ok()
                .flatten()
                .map(|(_, bc)| (bc.ca, bc.path_len_constraint)),
            key_usage: key_usage.ok().flatten().map(|(_, ku)| ku),
            extended_key_usage: eku.ok().flatten().map(|(_, eku)| eku.0),
            subject_key_id: skid.ok().flatten().map(|(_, s)| s.0.as_bytes().to_vec()),
            authority_key_id: akid.ok().flatten().map(|(_, a)| a),
            unhandled_critical,
            key,
            key_bits,
            key_security_bits: key_security_bits(key, key_bits),
            signature: signature_info(cert),
        };
        facts.self_signed = self_issued
            && facts.akid_allows(&facts, cert)
            && facts
                .signature
                .as_ref()
                .is_some_and(|s| key_fits(s.key, key));
        facts
    }

    /// OpenSSL's `X509_check_akid(issuer, self.akid)`: the key identifier, serial number and
    /// issuer name the authority key identifier names, where present, must be the issuer's.
    pub(crate) fn akid_allows(&self, issuer: &Facts, issuer_cert: &Certificate) -> bool {
        let Some(akid) = &self.authority_key_id else {
            return true;
        };
        if let (Some(wanted), Some(skid)) = (&akid.key_identifier, &issuer.subject_key_id)
            && wanted.as_bytes() != skid.as_slice()
        {
            return false;
        }
        if let Some(serial) = &akid.authority_cert_serial_number
            && serial.as_bytes()
                != issuer_cert
                    .x509()
                    .tbs_certificate()
                    .serial_number()
                    .as_bytes()
        {
            return false;
        }
        if let Some(names) = &akid.authority_cert_issuer {
            for name in names {
                if let GeneralName::DirectoryName(dn) = name
                    && CanonicalName::of(dn) != issuer.issuer
                {
                    return false;
                }
            }
        }
        true
    }

    /// OpenSSL's `check_ca`: 0 when not a CA; 1 with basicConstraints cA; 3 for a
    /// self-signed v1 certificate; 4 for keyUsage with keyCertSign and no basicConstraints.
    pub(crate) fn ca_kind(&self) -> u8 {
        if self
            .key_usage
            .is_some_and(|ku| !ku.0.contains(KeyUsages::KeyCertSign))
        {
            return 0;
        }
        match self.basic_constraints {
            Some((ca, _)) => u8::from(ca),
            None if self.v1 && self.self_signed => 3,
            None if self.key_usage.is_some() => 4,
            None => 0,
        }
    }

    /// The extended key usage admits a TLS server (serverAuth or one of the old SGC ones);
    /// no extension admits everything. anyExtendedKeyUsage does not count, as in OpenSSL.
    pub(crate) fn eku_allows_server(&self) -> bool {
        self.extended_key_usage.as_ref().is_none_or(|ekus| {
            ekus.iter()
                .any(|e| *e == oid::SERVER_AUTH || *e == oid::NS_SGC || *e == oid::MS_SGC)
        })
    }

    /// keyUsage, when present, has one of digitalSignature, keyEncipherment, keyAgreement.
    pub(crate) fn key_usage_allows_tls(&self) -> bool {
        self.key_usage
            .is_none_or(|ku| TLS_USAGES.iter().any(|u| ku.0.contains(*u)))
    }

    pub(crate) fn pathlen(&self) -> Option<u8> {
        self.basic_constraints.and_then(|(_, p)| p)
    }
}

/// Whether a signature made for `signature_key` can come from a key of kind `key`
/// (OpenSSL's `check_sig_alg_match`; RSA keys also make RSA-PSS signatures).
pub(crate) fn key_fits(signature_key: KeyKind, key: KeyKind) -> bool {
    signature_key == key || (signature_key == KeyKind::RsaPss && key == KeyKind::Rsa)
}

/// A certificate's public key: its kind, and its size in bits where that matters.
pub(crate) fn key_of(cert: &Certificate) -> (KeyKind, Option<u32>) {
    let key = key_kind(
        &cert
            .x509()
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid,
    );
    (key, key_bits(cert, key))
}

fn key_kind(algorithm: &Oid) -> KeyKind {
    match *algorithm {
        oid::RSA => KeyKind::Rsa,
        oid::RSA_PSS => KeyKind::RsaPss,
        oid::EC => KeyKind::Ec,
        oid::ED25519 => KeyKind::Ed25519,
        oid::ED448 => KeyKind::Ed448,
        _ => KeyKind::Other,
    }
}

fn key_bits(cert: &Certificate, key: KeyKind) -> Option<u32> {
    let spki = cert.x509().tbs_certificate().subject_public_key_info();
    match key {
        KeyKind::Rsa | KeyKind::RsaPss => {
            crate::cert::rsa_modulus_bits(spki.subject_public_key.raw_bytes()).map(|b| b as u32)
        }
        KeyKind::Ec => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()?
                .decode_as::<Oid>()
                .ok()?;
            match curve {
                oid::P256 => Some(256),
                oid::P384 => Some(384),
                oid::P521 => Some(521),
                _ => None,
            }
        }
        KeyKind::Ed25519 => Some(256),
        KeyKind::Ed448 => Some(456),
        KeyKind::Other => None,
    }
}

/// `EVP_PKEY_get_security_bits`, as OpenSSL 3.0 computes it.
fn key_security_bits(key: KeyKind, bits: Option<u32>) -> u32 {
    let Some(bits) = bits else { return 0 };
    match key {
        KeyKind::Rsa | KeyKind::RsaPss => rsa_security_bits(bits),
        KeyKind::Ec => match bits {
            512.. => 256,
            384.. => 192,
            256.. => 128,
            224.. => 112,
            160.. => 80,
            other => other / 2,
        },
        KeyKind::Ed25519 => 128,
        KeyKind::Ed448 => 224,
        KeyKind::Other => 0,
    }
}

/// `ossl_ifc_ffc_compute_security_bits`: the canonical values from the standards, the
/// SP 800-56B formula (rounded to a multiple of 8) for other sizes.
pub(crate) fn rsa_security_bits(n: u32) -> u32 {
    match n {
        2048 => 112,
        3072 => 128,
        4096 => 152,
        6144 => 176,
        7680 => 192,
        8192 => 200,
        15360 => 256,
        0..8 => 0,
        _ => {
            let ln2 = std::f64::consts::LN_2;
            let x = f64::from(n) * ln2;
            let e = (1.923 * x.cbrt() * x.ln().powi(2).cbrt() - 4.69) / ln2;
            let y = ((e.max(0.0) as u32) + 4) & !7;
            y.min(if n >= 15360 { 256 } else { 200 })
        }
    }
}

/// The signature's key type and security bits as `X509_get_signature_info` reports them:
/// half the digest size, with SHA-1 at 63 and MD5 at 39 (below every level but 0).
fn signature_info(cert: &Certificate) -> Option<SignatureInfo> {
    let alg = cert.x509().signature_algorithm();
    let (key, digest_bits, name): (KeyKind, u32, &str) = match alg.oid {
        oid::MD5_RSA => (KeyKind::Rsa, 78, "MD5 with RSA"),
        oid::SHA1_RSA => (KeyKind::Rsa, 126, "SHA-1 with RSA"),
        oid::SHA224_RSA => (KeyKind::Rsa, 224, "SHA-224 with RSA"),
        oid::SHA256_RSA => (KeyKind::Rsa, 256, "SHA-256 with RSA"),
        oid::SHA384_RSA => (KeyKind::Rsa, 384, "SHA-384 with RSA"),
        oid::SHA512_RSA => (KeyKind::Rsa, 512, "SHA-512 with RSA"),
        oid::SHA1_ECDSA => (KeyKind::Ec, 126, "ECDSA with SHA-1"),
        oid::SHA224_ECDSA => (KeyKind::Ec, 224, "ECDSA with SHA-224"),
        oid::SHA256_ECDSA => (KeyKind::Ec, 256, "ECDSA with SHA-256"),
        oid::SHA384_ECDSA => (KeyKind::Ec, 384, "ECDSA with SHA-384"),
        oid::SHA512_ECDSA => (KeyKind::Ec, 512, "ECDSA with SHA-512"),
        oid::ED25519 => (KeyKind::Ed25519, 256, "Ed25519"),
        oid::ED448 => (KeyKind::Ed448, 448, "Ed448"),
        oid::RSA_PSS => {
            let hash = pss_params(alg.parameters.as_ref()).map(|p| p.hash);
            let bits = match hash {
                Some(oid::SHA1) => 126,
                Some(oid::SHA224) => 224,
                Some(oid::SHA256) => 256,
                Some(oid::SHA384) => 384,
                Some(oid::SHA512) => 512,
                _ => return None,
            };
            (KeyKind::RsaPss, bits, "RSA-PSS")
        }
        _ => return None,
    };
    Some(SignatureInfo {
        key,
        security_bits: digest_bits / 2,
        name: name.to_string(),
    })
}

/// RSASSA-PSS-params, as far as verification needs them (RFC 4055 defaults: SHA-1,
/// salt length 20).
pub(crate) struct PssParams {
    pub(crate) hash: Oid,
    pub(crate) mgf_hash: Oid,
    pub(crate) salt_len: u32,
}

pub(crate) fn pss_params(params: Option<&der::Any>) -> Option<PssParams> {
    let mut out = PssParams {
        hash: oid::SHA1,
        mgf_hash: oid::SHA1,
        salt_len: 20,
    };
    let Some(params) = params else {
        return Some(out);
    };
    let seq = params.value();
    let mut rest = seq;
    while !rest.is_empty() {
        let (tag, len, value) = crate::cert::read_tlv(rest)?;
        match tag {
            0xa0 => {
                let (_, _, alg) = crate::cert::read_tlv(value)?;
                out.hash = first_oid(alg)?;
            }
            0xa1 => {
                // MaskGenAlgorithm: mgf1 OID, then the hash AlgorithmIdentifier.
                let (_, _, mgf) = crate::cert::read_tlv(value)?;
                let (_, oid_len, _) = crate::cert::read_tlv(mgf)?;
                let (_, _, hash_alg) = crate::cert::read_tlv(&mgf[oid_len..])?;
                out.mgf_hash = first_oid(hash_alg)?;
            }
            0xa2 => {
                let (_, _, int) = crate::cert::read_tlv(value)?;
                if int.len() > 4 {
                    return None;
                }
                out.salt_len = int.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
            }
            _ => {}
        }
        rest = &rest[len..];
    }
    Some(out)
}

fn first_oid(alg: &[u8]) -> Option<Oid> {
    let (_, len, _) = crate::cert::read_tlv(alg)?;
    Oid::from_der(&alg[..len]).ok()
}

/// A name in OpenSSL's canonical form (`x509_name_canon`): for string values, UTF-8
/// with leading and trailing white space removed, inner runs of white space made one
/// space, and ASCII upper case made lower; other values as DER. Two names are the same
/// issuer for OpenSSL exactly when these are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanonicalName(Vec<Vec<(Oid, Vec<u8>)>>);

impl CanonicalName {
    /// Whether `prefix`'s RDNs begin this name (a directory-name constraint).
    pub(crate) fn starts_with(&self, prefix: &CanonicalName) -> bool {
        self.0.starts_with(&prefix.0)
    }

    pub(crate) fn of(name: &Name) -> CanonicalName {
        CanonicalName(
            name.iter_rdn()
                .map(|rdn| {
                    rdn.iter()
                        .map(|atv| (atv.oid, canonical_value(&atv.value)))
                        .collect()
                })
                .collect(),
        )
    }
}

fn canonical_value(value: &der::Any) -> Vec<u8> {
    // The string types OpenSSL canonicalises (ASN1_MASK_CANON): not NumericString, nor
    // the time types, which it compares as DER.
    let canonical = matches!(
        value.tag(),
        der::Tag::Utf8String
            | der::Tag::PrintableString
            | der::Tag::Ia5String
            | der::Tag::VisibleString
            | der::Tag::TeletexString
            | der::Tag::BmpString
    );
    let text = crate::dn::string_value(value).filter(|_| canonical);
    match text {
        Some(text) => {
            let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c');
            let mut out = String::with_capacity(text.len());
            for word in text.split(space).filter(|w| !w.is_empty()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&word.to_ascii_lowercase());
            }
            let mut tagged = vec![0x0c];
            tagged.extend_from_slice(out.as_bytes());
            tagged
        }
        None => value.to_der().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_security_bits_match_openssl() {
        assert_eq!(rsa_security_bits(1024), 80);
        assert_eq!(rsa_security_bits(2048), 112);
        assert_eq!(rsa_security_bits(4096), 152);
        // Sizes between the canonical ones use the formula, rounded to 8.
        assert_eq!(rsa_security_bits(2000), 112);
        assert_eq!(rsa_security_bits(1536), 96);
    }

    #[test]
    fn names_compare_like_x509_name_cmp() {
        let a = <Name as std::str::FromStr>::from_str("CN=Some  Root,O=Example").unwrap();
        let b = <Name as std::str::FromStr>::from_str("CN= some root ,O=EXAMPLE").unwrap();
        let c = <Name as std::str::FromStr>::from_str("CN=Some Root,O=Other").unwrap();
        assert_eq!(CanonicalName::of(&a), CanonicalName::of(&b));
        assert_ne!(CanonicalName::of(&a), CanonicalName::of(&c));
    }
}
