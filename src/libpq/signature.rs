//! Checking that `issuer`'s key made `cert`'s signature, with ring.

use ring::signature::{self as sig, VerificationAlgorithm};

use super::facts::{KeyKind, key_of, pss_params};
use crate::cert::Certificate;
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignatureCheck {
    Valid,
    Invalid,
    /// OpenSSL can check it, rootcert cannot (ring has no such algorithm).
    Unsupported(String),
}

pub(crate) fn check(cert: &Certificate, issuer: &Certificate) -> SignatureCheck {
    let Some(algorithm) = algorithm(cert, key_of(issuer)) else {
        let alg = cert.x509().signature_algorithm();
        let what = match alg.oid {
            oid::RSA_PSS => match pss_params(alg.parameters.as_ref()) {
                Some(p) => format!(
                    "RSA-PSS with a {}-byte salt (rootcert checks only salts as long as the hash)",
                    p.salt_len
                ),
                None => "RSA-PSS with parameters rootcert cannot read".to_string(),
            },
            other => format!(
                "signature algorithm {other} with a {} key",
                issuer.key_description()
            ),
        };
        return SignatureCheck::Unsupported(what);
    };
    let Some(tbs) = crate::cert::tbs_bytes(cert.der()) else {
        return SignatureCheck::Invalid;
    };
    let key = issuer.public_key_bytes();
    let signature = cert.x509().signature().raw_bytes();
    match sig::UnparsedPublicKey::new(algorithm, key).verify(tbs, signature) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid,
    }
}

fn algorithm(
    cert: &Certificate,
    (key, bits): (KeyKind, Option<u32>),
) -> Option<&'static dyn VerificationAlgorithm> {
    let alg = cert.x509().signature_algorithm();
    Some(match (alg.oid, key, bits) {
        (oid::SHA1_RSA, KeyKind::Rsa, _) => &sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (oid::SHA256_RSA, KeyKind::Rsa, _) => &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        (oid::SHA384_RSA, KeyKind::Rsa, _) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (oid::SHA512_RSA, KeyKind::Rsa, _) => &sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        (oid::SHA256_ECDSA, KeyKind::Ec, Some(256)) => &sig::ECDSA_P256_SHA256_ASN1,
        (oid::SHA384_ECDSA, KeyKind::Ec, Some(256)) => &sig::ECDSA_P256_SHA384_ASN1,
        (oid::SHA256_ECDSA, KeyKind::Ec, Some(384)) => &sig::ECDSA_P384_SHA256_ASN1,
        (oid::SHA384_ECDSA, KeyKind::Ec, Some(384)) => &sig::ECDSA_P384_SHA384_ASN1,
        (oid::ED25519, KeyKind::Ed25519, _) => &sig::ED25519,
        (oid::RSA_PSS, KeyKind::Rsa | KeyKind::RsaPss, _) => {
            let params = pss_params(alg.parameters.as_ref())?;
            // ring verifies PSS with MGF1 over the same hash and a salt as long as it.
            match (params.hash, params.salt_len) {
                (h, 32) if h == oid::SHA256 && params.mgf_hash == h => {
                    &sig::RSA_PSS_2048_8192_SHA256
                }
                (h, 48) if h == oid::SHA384 && params.mgf_hash == h => {
                    &sig::RSA_PSS_2048_8192_SHA384
                }
                (h, 64) if h == oid::SHA512 && params.mgf_hash == h => {
                    &sig::RSA_PSS_2048_8192_SHA512
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}
