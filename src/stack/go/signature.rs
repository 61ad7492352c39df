//! Go 1.19's `Certificate.CheckSignatureFrom` (crypto/x509/x509.go:769) and
//! `checkSignature`: the parent must be a CA that may sign (v3 needs basicConstraints
//! CA:TRUE; keyUsage, when present, keyCertSign), MD5 and SHA-1 are refused as insecure,
//! SHA-224 and RSA-PSS with other than standard parameters are unknown algorithms, and the
//! signature must verify (with ring, through [`crate::libpq::signature`]).

use der::asn1::ObjectIdentifier as Oid;

use super::cert::{GoCert, KEY_USAGE_CERT_SIGN};
use crate::libpq::facts::{KeyKind, pss_params};
use crate::libpq::signature::{self, SignatureCheck};
use crate::oid;

const DSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10040.4.3");
const DSA_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.2");

/// Why `CheckSignatureFrom` refused a candidate issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SignatureFailure {
    /// `ConstraintViolationError`, with the reason in words.
    CannotSign(&'static str),
    /// `ErrUnsupportedAlgorithm`: an algorithm or key Go does not verify with.
    Unsupported,
    /// `InsecureAlgorithmError` (MD5, SHA-1), with Go's name of the algorithm.
    Insecure(&'static str),
    /// The signature is for another kind of key (Go's text).
    KeyMismatch(String),
    /// The signature does not verify (Go's text).
    Invalid(&'static str),
    /// Go would check it; rootcert's ring cannot.
    Uncheckable(String),
}

impl SignatureFailure {
    /// The error Go reports.
    pub(super) fn go_text(&self) -> String {
        match self {
            SignatureFailure::CannotSign(_) => {
                "x509: invalid signature: parent certificate cannot sign this kind of certificate"
                    .into()
            }
            SignatureFailure::Unsupported => {
                "x509: cannot verify signature: algorithm unimplemented".into()
            }
            SignatureFailure::Insecure(name) => {
                let sha1 = if name.contains("SHA1") {
                    " (temporarily override with GODEBUG=x509sha1=1)"
                } else {
                    ""
                };
                format!("x509: cannot verify signature: insecure algorithm {name}{sha1}")
            }
            SignatureFailure::KeyMismatch(text) => text.clone(),
            SignatureFailure::Invalid(text) => (*text).into(),
            SignatureFailure::Uncheckable(why) => format!("rootcert cannot check: {why}"),
        }
    }
}

/// `CheckSignatureFrom(parent)` on `child`.
pub(super) fn check_signature_from(
    child: &GoCert,
    parent: &GoCert,
) -> Result<(), SignatureFailure> {
    match parent.basic {
        None if parent.version == 3 => {
            return Err(SignatureFailure::CannotSign(
                "it is a v3 certificate without basicConstraints",
            ));
        }
        Some((false, _)) => {
            return Err(SignatureFailure::CannotSign(
                "its basicConstraints say CA:FALSE",
            ));
        }
        _ => {}
    }
    if parent.key_usage != 0 && parent.key_usage & KEY_USAGE_CERT_SIGN == 0 {
        return Err(SignatureFailure::CannotSign(
            "its keyUsage lacks keyCertSign",
        ));
    }
    if !parent.key_known() {
        return Err(SignatureFailure::Unsupported);
    }
    let Some((name, wants)) = signature_algorithm(child) else {
        return Err(SignatureFailure::Unsupported);
    };
    if name.starts_with("MD5") || name.contains("SHA1") {
        return Err(SignatureFailure::Insecure(name));
    }
    let has = parent.facts.key;
    if parent.is_dsa() {
        return Err(SignatureFailure::Unsupported);
    }
    if wants != has {
        let word = |k| match k {
            KeyKind::Rsa => "RSA",
            KeyKind::Ec => "ECDSA",
            KeyKind::Ed25519 => "Ed25519",
            _ => "DSA",
        };
        let go_type = match has {
            KeyKind::Rsa => "*rsa.PublicKey",
            KeyKind::Ec => "*ecdsa.PublicKey",
            _ => "ed25519.PublicKey",
        };
        return Err(SignatureFailure::KeyMismatch(format!(
            "x509: signature algorithm specifies an {} public key, but have public key of type {go_type}",
            word(wants)
        )));
    }
    match signature::check(&child.cert, &parent.cert) {
        SignatureCheck::Valid => Ok(()),
        SignatureCheck::Unsupported(why) => Err(SignatureFailure::Uncheckable(why)),
        SignatureCheck::Invalid => {
            // ring refuses RSA keys outside 1024 (2048 for SHA-384 and PSS) to 8192 bits,
            // which Go checks: that is not a bad signature.
            let bits = parent.facts.key_bits.unwrap_or(0);
            let least = if name == "SHA256-RSA" || name == "SHA512-RSA" {
                1024
            } else {
                2048
            };
            if has == KeyKind::Rsa && !(least..=8192).contains(&bits) {
                return Err(SignatureFailure::Uncheckable(format!(
                    "a {name} signature by a {bits}-bit RSA key (rootcert checks {least} to 8192 bits)"
                )));
            }
            Err(SignatureFailure::Invalid(match has {
                KeyKind::Rsa => "crypto/rsa: verification error",
                KeyKind::Ec => "x509: ECDSA verification failure",
                _ => "x509: Ed25519 verification failure",
            }))
        }
    }
}

/// `getSignatureAlgorithmFromAI`: Go's name for the signature algorithm and the key kind it
/// needs; None for `UnknownSignatureAlgorithm` (SHA-224 included; RSA-PSS only with MGF1
/// over the same hash and a salt as long as it).
fn signature_algorithm(cert: &GoCert) -> Option<(&'static str, KeyKind)> {
    let alg = cert.cert.x509().signature_algorithm();
    Some(match alg.oid {
        oid::MD5_RSA => ("MD5-RSA", KeyKind::Rsa),
        oid::SHA1_RSA => ("SHA1-RSA", KeyKind::Rsa),
        oid::SHA256_RSA => ("SHA256-RSA", KeyKind::Rsa),
        oid::SHA384_RSA => ("SHA384-RSA", KeyKind::Rsa),
        oid::SHA512_RSA => ("SHA512-RSA", KeyKind::Rsa),
        oid::SHA1_ECDSA => ("ECDSA-SHA1", KeyKind::Ec),
        oid::SHA256_ECDSA => ("ECDSA-SHA256", KeyKind::Ec),
        oid::SHA384_ECDSA => ("ECDSA-SHA384", KeyKind::Ec),
        oid::SHA512_ECDSA => ("ECDSA-SHA512", KeyKind::Ec),
        oid::ED25519 if alg.parameters.is_none() => ("Ed25519", KeyKind::Ed25519),
        oid::RSA_PSS => {
            let p = pss_params(alg.parameters.as_ref())?;
            if p.mgf_hash != p.hash {
                return None;
            }
            match (p.hash, p.salt_len) {
                (oid::SHA256, 32) => ("SHA256-RSAPSS", KeyKind::Rsa),
                (oid::SHA384, 48) => ("SHA384-RSAPSS", KeyKind::Rsa),
                (oid::SHA512, 64) => ("SHA512-RSAPSS", KeyKind::Rsa),
                _ => return None,
            }
        }
        o if o == DSA_SHA1 => ("DSA-SHA1", KeyKind::Other),
        o if o == DSA_SHA256 => ("DSA-SHA256", KeyKind::Other),
        _ => return None,
    })
}
