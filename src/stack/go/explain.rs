//! pgx's refusals in words a person can act on: Go's own error, what it means here, and the
//! fix in pgx's terms (its connection string: `host`, `sslrootcert`, `sslmode`; it has no
//! `hostaddr`) or the server operator's. And the notes: Go's lenient rules that let a
//! connection through where libpq would refuse it.

use super::addr;
use super::cert::GoCert;
use super::chain::{self, Failure};
use super::names::{self, Matched};
use super::signature::SignatureFailure;
use super::trust_file;
use crate::libpq::{self, Case, catalog_profile_for};
use crate::quote::shell_word;

pub(super) struct Context<'a> {
    pub(super) case: &'a Case<'a>,
    pub(super) sent: &'a [GoCert],
    pub(super) roots: &'a [GoCert],
}

const RENEW: &str = "the server's operator must renew the certificate (or fix the clock)";
const REISSUE: &str = "the server's operator must reissue the certificate";

impl Context<'_> {
    fn file(&self) -> &str {
        self.case.trust_name
    }

    /// The trust file holds it (the server may have sent it too).
    fn in_file(&self, cert: &GoCert) -> bool {
        self.roots.iter().any(|r| r.cert.der() == cert.cert.der())
    }

    /// "the intermediate certificate CN=…", "the CA certificate CN=… in FILE", …
    fn named(&self, cert: &GoCert) -> String {
        let subject = cert.subject();
        if std::ptr::eq(cert, &self.sent[0]) {
            format!("the server certificate {subject}")
        } else if self.in_file(cert) {
            let kind = if cert.self_issued() { "root" } else { "CA" };
            format!("the {kind} certificate {subject} in {}", self.file())
        } else if cert.self_issued() {
            format!("the root certificate {subject} the server sent")
        } else {
            format!("the intermediate certificate {subject}")
        }
    }

    /// How to get the certificate named `needed` into the trust file.
    fn add_issuer(&self, needed: &str) -> String {
        let file = shell_word(self.file());
        match catalog_profile_for(needed) {
            Some(profile) => format!(
                "save that root as the trust file: `rootcert fetch {profile} -o {file}` and name \
                 it in sslrootcert="
            ),
            None => format!(
                "get the certificate {needed} (or the root above it: {} trusts any CA in the \
                 file) from the server's operator, check its fingerprint, and add it in PEM to \
                 {file} (sslrootcert=)",
                self.case.client
            ),
        }
    }
}

/// A trust file Go loads no certificate from.
pub(super) fn trust_file(error: &str, cx: &Context<'_>) -> (String, Option<String>) {
    let file = cx.file();
    let word = shell_word(file);
    let pem = shell_word(&format!("{file}.pem"));
    let problem = format!(
        "{} cannot load the trust file {file}: {error}",
        cx.case.client
    );
    let fix = if error.contains(trust_file::BOM) {
        format!("remove the byte-order mark: `sed -i '1s/^\\xEF\\xBB\\xBF//' {word}`")
    } else if error.contains(trust_file::CR_ONLY) {
        format!(
            "give it \\n line ends: `tr '\\r' '\\n' < {word} > {pem}` and name {pem} in sslrootcert="
        )
    } else if error.contains(trust_file::PKCS7) {
        format!(
            "take the certificates out of the bundle: `openssl pkcs7 -print_certs -in {word} -out {pem}` and name {pem} in sslrootcert="
        )
    } else if error.contains(trust_file::LABEL) && !cx.case.trust.holds_private_key {
        format!(
            "rewrite it as plain CERTIFICATE blocks: `openssl x509 -in {word} -out {pem}` and name {pem} in sslrootcert="
        )
    } else {
        libpq::trust_file_fix(file, "rootcert fetch PROFILE", cx.case.trust)
    };
    (problem, Some(fix))
}

/// Go's refusal of the chain.
pub(super) fn failure(failure: &Failure<'_>, cx: &Context<'_>) -> (String, Option<String>) {
    let go = failure.go_text(cx.case.now);
    let with_go = |text: String| format!("{text} (Go: \"{go}\")");
    match failure {
        Failure::Parse { at, .. } => (
            with_go(format!(
                "Go cannot parse certificate {} the server sent ({})",
                at + 1,
                cx.sent[*at].subject()
            )),
            Some(format!("{REISSUE}: Go's x509.ParseCertificate refuses it")),
        ),
        Failure::UnhandledCritical { cert } => {
            let constraints = cert.unhandled_critical.iter().any(|o| o == "2.5.29.30");
            (
                with_go(format!(
                    "{} has a critical extension Go does not handle ({}{})",
                    cx.named(cert),
                    cert.unhandled_critical.join(", "),
                    if constraints {
                        ": name constraints of a kind Go does not check, such as directoryName"
                    } else {
                        ""
                    }
                )),
                Some(format!(
                    "{REISSUE} without that extension, or with it not critical"
                )),
            )
        }
        Failure::Expired { cert, before } => {
            let problem = if *before {
                format!(
                    "{} is not valid until {} (or this machine's clock is wrong)",
                    cx.named(cert),
                    cert.cert.not_before_rfc3339()
                )
            } else {
                format!(
                    "{} expired on {}",
                    cx.named(cert),
                    cert.cert.not_after_rfc3339()
                )
            };
            let fix = if cx.in_file(cert) {
                format!(
                    "{} holds it as a trust anchor, and Go checks the anchor's dates too: get the \
                     certificate the server uses now",
                    cx.file()
                )
            } else {
                RENEW.into()
            };
            (with_go(problem), Some(fix))
        }
        Failure::NotAuthorizedToSign { cert } => (
            with_go(format!(
                "{} issues certificates but is not a CA certificate (Go requires basicConstraints \
                 CA:TRUE of every intermediate)",
                cx.named(cert)
            )),
            Some(
                "the server's operator must use a chain whose intermediates are CA certificates"
                    .into(),
            ),
        ),
        Failure::TooManyIntermediates { cert, pathlen } => (
            with_go(format!(
                "{} allows {pathlen} intermediate certificate(s) below it (pathlen), and the chain \
                 has more",
                cx.named(cert)
            )),
            Some(
                "the server's operator must use a chain that respects the CA's path length".into(),
            ),
        ),
        Failure::NameConstraint { ca, .. } => (
            with_go(format!(
                "the names of the server certificate (or of the CA itself) are outside what {} \
                 may certify (its nameConstraints)",
                cx.named(ca)
            )),
            Some(
                "the server's operator must use a certificate with names its CA may certify".into(),
            ),
        ),
        Failure::UnknownAuthority { cert, hint } => {
            let (mut problem, fix) = unknown_authority(cert, hint.as_ref(), &go, cx);
            // Say why a certificate the file holds did not count.
            if !cx.case.trust.left_out.is_empty() {
                problem.push_str(&format!(
                    "; Go did not use {}",
                    cx.case.trust.left_out.join("; ")
                ));
            }
            (problem, fix)
        }
        Failure::SignatureCheckLimit => (
            with_go("Go gave up after 100 signature checks while building the chain".into()),
            Some("the server's operator must send a shorter, simpler chain".into()),
        ),
        Failure::IncompatibleUsage { cert } => (
            with_go(format!(
                "{} has an extendedKeyUsage without serverAuth or anyExtendedKeyUsage",
                cx.named(cert)
            )),
            Some(
                "the server's operator must issue certificates for TLS server use (serverAuth)"
                    .into(),
            ),
        ),
        Failure::UnsupportedServerKey => (
            with_go(format!(
                "the server certificate's key is {}; Go's TLS client takes only RSA, ECDSA and \
                 Ed25519 keys",
                cx.sent[0].cert.key_description()
            )),
            Some(format!("{REISSUE} with an RSA, ECDSA or Ed25519 key")),
        ),
    }
}

fn unknown_authority(
    cert: &GoCert,
    hint: Option<&(&GoCert, SignatureFailure)>,
    go: &str,
    cx: &Context<'_>,
) -> (String, Option<String>) {
    let file = cx.file();
    let with_go = |text: String| format!("{text} (Go: \"{go}\")");
    let Some((issuer, why)) = hint else {
        let needed = cert.cert.issuer();
        let is_server = std::ptr::eq(cert, &cx.sent[0]);
        return if is_server && cert.self_issued() {
            (
                with_go(format!(
                    "the server certificate {} is self-signed and {file} does not hold it",
                    cert.subject()
                )),
                Some(format!(
                    "check its fingerprint ({}) with the server's operator and add it to {file} \
                     ({} trusts any certificate the file holds), or give the server a CA-issued \
                     certificate",
                    cert.cert.sha256, cx.case.client
                )),
            )
        } else if is_server && cx.sent.len() == 1 {
            (
                with_go(format!(
                    "the server sent only its own certificate; its issuer {needed} is not in {file}"
                )),
                Some(cx.add_issuer(&needed)),
            )
        } else if cert.self_issued() {
            (
                with_go(format!(
                    "the server's chain ends at {}, which {file} does not hold",
                    cx.named(cert)
                )),
                Some(cx.add_issuer(&cert.subject())),
            )
        } else {
            (
                with_go(format!(
                    "the server's chain ends at {}, issued by {needed}, which {file} does not hold",
                    cx.named(cert)
                )),
                Some(cx.add_issuer(&needed)),
            )
        };
    };
    let issuer_named = cx.named(issuer);
    let signed = cx.named(cert);
    match why {
        SignatureFailure::CannotSign(reason) => (
            with_go(format!(
                "{issuer_named} may not sign certificates for Go: {reason} (Go lets only a CA \
                 certificate with keyCertSign sign; a v1 root is fine)"
            )),
            Some(format!(
                "the CA's operator must reissue {} with basicConstraints CA:TRUE and keyCertSign",
                issuer.subject()
            )),
        ),
        SignatureFailure::Insecure(name) if name.contains("SHA1") => (
            with_go(format!(
                "{signed} is signed with SHA-1 ({name}), which Go refuses"
            )),
            Some(format!(
                "{REISSUE} signed with SHA-256 or better (until then, GODEBUG=x509sha1=1 in the \
                 application's environment lets Go 1.18-1.23 accept it)"
            )),
        ),
        SignatureFailure::Insecure(name) => (
            with_go(format!("{signed} is signed with {name}, which Go refuses")),
            Some(format!("{REISSUE} signed with SHA-256 or better")),
        ),
        SignatureFailure::Unsupported => (
            with_go(format!(
                "Go does not implement the signature algorithm of {signed} with the key of \
                 {issuer_named} (RSA-PSS only with a salt as long as the hash; no SHA-224, DSA or \
                 unusual keys)"
            )),
            Some(format!(
                "{REISSUE} with RSA (PKCS#1 or standard PSS), ECDSA or Ed25519 and SHA-256 or better"
            )),
        ),
        SignatureFailure::KeyMismatch(_) | SignatureFailure::Invalid(_) => (
            with_go(format!(
                "the signature on {signed} does not verify with the key of {issuer_named}"
            )),
            Some("the server's chain is broken or forged: ask its operator".into()),
        ),
        SignatureFailure::Uncheckable(reason) => (
            format!(
                "rootcert cannot check the signature on {signed} by {issuer_named}: {reason}; \
                 {} may accept it",
                cx.case.client
            ),
            None,
        ),
    }
}

/// Go's refusal of the host name.
pub(super) fn name(go_error: &str, cx: &Context<'_>) -> (String, Option<String>) {
    let host = cx.case.host;
    let leaf = &cx.sent[0];
    let san = leaf.san_names().unwrap_or_default();
    let dns = san.iter().find_map(|n| match n {
        x509_cert::ext::pkix::name::GeneralName::DnsName(d) => Some(d.to_string()),
        _ => None,
    });
    let ip = san.iter().find_map(|n| match n {
        x509_cert::ext::pkix::name::GeneralName::IpAddress(ip) => {
            Some(addr::ip_text(ip.as_bytes()))
        }
        _ => None,
    });
    let with_go = |text: String| format!("{text} (Go: \"{go_error}\")");
    let client = cx.case.client;
    if host.is_empty() {
        return (
            with_go("there is no host name to verify".into()),
            Some(format!(
                "name the server in {client}'s connection string: host=NAME"
            )),
        );
    }
    let host_is_ip = addr::parse_ip(host.trim_start_matches('[').trim_end_matches(']')).is_some();
    let cn = names::last_common_name(&leaf.cert);
    if leaf.san.is_none() && cn.is_some() {
        return (
            with_go(format!(
                "the server certificate names {} only in its Common Name, which Go never uses",
                cn.unwrap_or_default()
            )),
            Some(format!(
                "{REISSUE} with the name in subjectAltName ({}:{host})",
                if host_is_ip { "IP" } else { "DNS" }
            )),
        );
    }
    if !host_is_ip && libpq::parse_ip(host).is_some() {
        return (
            with_go(format!(
                "Go reads {host} as a host name, not an address (net.ParseIP takes four decimal \
                 parts only), and matches it against DNS names"
            )),
            Some(match &ip {
                Some(ip) => {
                    format!("write the address in full in {client}'s connection string: host={ip}")
                }
                None => format!("write the address in full in {client}'s connection string"),
            }),
        );
    }
    let listed = match (host_is_ip, &dns, &ip) {
        (true, Some(d), None) => format!(
            "Go matches an address only against iPAddress SANs, and the certificate has none \
             (DNS:{d}, …)"
        ),
        _ => format!("the server certificate does not name {host}"),
    };
    let kind = if host_is_ip { "IP" } else { "DNS" };
    let fix = match (&dns, &ip) {
        (Some(d), _) => {
            // A wildcard names no host itself: show one it covers.
            let example = match d.strip_prefix("*.") {
                Some(parent) => format!("NAME.{parent}"),
                None => d.clone(),
            };
            format!(
                "connect with host={example} in {client}'s connection string ({client} has no \
                 hostaddr: that name must resolve to the server), or have the server's operator \
                 add {kind}:{host} to the certificate"
            )
        }
        (None, Some(ip)) => format!("connect with host={ip} in {client}'s connection string"),
        (None, None) => format!("{REISSUE} with a subjectAltName for {host}"),
    };
    (with_go(listed), Some(fix))
}

/// The rules that let pgx through where libpq (OpenSSL at Debian's security level 2) would
/// refuse: partial chains, a trusted server certificate, small RSA keys, anyExtendedKeyUsage,
/// the server certificate's keyUsage, a trailing dot.
pub(super) fn notes(chain: &[&GoCert], matched: Option<&Matched>, cx: &Context<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    let client = cx.case.client;
    let skipped: Vec<String> = cx
        .case
        .trust
        .left_out
        .iter()
        .filter(|s| s.contains(trust_file::LIBPQ_REFUSES))
        .map(|s| {
            s.replace(&format!(" ({})", trust_file::LIBPQ_REFUSES), "")
                .replace(&format!("; {})", trust_file::LIBPQ_REFUSES), ")")
        })
        .collect();
    if !skipped.is_empty() {
        notes.push(format!(
            "{client} passes over what it cannot read in the trust file and trusts the rest, \
             where libpq refuses the whole file: {}",
            skipped.join("; ")
        ));
    }
    let anchor = chain[chain.len() - 1];
    if chain.len() == 1 && !anchor.facts.self_signed {
        notes.push(format!(
            "{client} trusts the server certificate {} because the trust file holds it (Go builds no chain for a certificate in the pool)",
            anchor.subject()
        ));
    } else if !anchor.facts.self_signed {
        notes.push(format!(
            "{client} accepts a partial chain: {} in the trust file is a trust anchor",
            anchor.subject()
        ));
    }
    for cert in chain {
        if cert.facts.key == crate::libpq::facts::KeyKind::Rsa
            && let Some(bits) = cert.facts.key_bits.filter(|b| *b < 2048)
        {
            notes.push(format!(
                "{client} has no minimum RSA key size: {} has a {bits}-bit key (OpenSSL at security level 2 wants 2048)",
                cx.named(cert)
            ));
        }
        if !cert.eku.is_empty()
            && !cert.eku.contains(&crate::oid::SERVER_AUTH)
            && chain::eku_allows_server(cert)
        {
            notes.push(format!(
                "{client} accepts anyExtendedKeyUsage for a TLS server on {} (OpenSSL wants serverAuth)",
                cx.named(cert)
            ));
        }
    }
    if !chain[0].facts.key_usage_allows_tls() {
        notes.push(format!(
            "{client} ignores the server certificate's keyUsage, which allows no TLS use (OpenSSL refuses it)"
        ));
    }
    if matched == Some(&Matched::WithoutTrailingDot) {
        notes.push(format!(
            "{client} ignores the trailing dot of the host {}",
            cx.case.host
        ));
    }
    notes
}
