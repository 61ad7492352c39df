//! Why a client refuses a connection (or does not verify it), by kind: what a program
//! matches on, where `problems` says the same in words for a person.

use serde::Serialize;

use super::Failure;

/// The kind of a problem in a verdict. Each driver's rules map their own failures onto
/// these, so the same cause means the same thing whichever driver judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cause {
    /// The client cannot load the trust file (missing, DER where it reads PEM, no
    /// certificate in it...).
    TrustFile,
    /// The chain does not reach a certificate the trust file holds.
    UntrustedRoot,
    /// A certificate on the path has expired.
    Expired,
    /// A certificate on the path is not valid yet.
    NotYetValid,
    /// The server certificate does not name the host (or the host cannot be checked).
    HostName,
    /// A key or signature algorithm is weaker than the client accepts.
    WeakCrypto,
    /// A signature on the path does not verify, or cannot be checked.
    BadSignature,
    /// A CA on the path may not issue what it did: not a CA, key usage, purpose, path
    /// length, name constraints, an unknown critical extension.
    CaRules,
    /// The client cannot parse or use a certificate the server sent.
    Unparsable,
    /// A certificate expires within the days asked for (`min_days`).
    ExpiresSoon,
    /// The setting connects without verifying the server (or its name).
    NotVerified,
    /// The driver refuses the settings before it connects.
    Settings,
}

impl Cause {
    /// The cause of OpenSSL's (and so libpq's) refusal of a chain.
    pub(crate) fn of(failure: &Failure) -> Cause {
        match failure {
            Failure::IssuerNotFound { .. } | Failure::UntrustedSelfSigned { .. } => {
                Cause::UntrustedRoot
            }
            Failure::ServerKeyTooSmall { .. }
            | Failure::CaKeyTooSmall { .. }
            | Failure::WeakSignature { .. } => Cause::WeakCrypto,
            Failure::BadSignature { .. } | Failure::UncheckableSignature { .. } => {
                Cause::BadSignature
            }
            Failure::NotYetValid { .. } => Cause::NotYetValid,
            Failure::Expired { .. } => Cause::Expired,
            Failure::UnhandledCriticalExtension { .. }
            | Failure::NotACa { .. }
            | Failure::WrongPurpose { .. }
            | Failure::PathLengthExceeded { .. }
            | Failure::IssuerMayNotSign { .. }
            | Failure::NameConstraint { .. } => Cause::CaRules,
        }
    }
}

/// Adds `cause` to `causes` unless it is there already: each kind once, in the order found.
pub(crate) fn add(causes: &mut Vec<Cause>, cause: Cause) {
    if !causes.contains(&cause) {
        causes.push(cause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_serialize_as_snake_case_words() {
        let text = serde_json::to_string(&[Cause::UntrustedRoot, Cause::NotYetValid]).unwrap();
        assert_eq!(text, r#"["untrusted_root","not_yet_valid"]"#);
    }

    #[test]
    fn each_cause_is_listed_once_in_the_order_found() {
        let mut causes = Vec::new();
        for cause in [Cause::HostName, Cause::Expired, Cause::HostName] {
            add(&mut causes, cause);
        }
        assert_eq!(causes, [Cause::HostName, Cause::Expired]);
    }
}
