//! Trust anchors, intermediates and server certificates under the PKIX checkers.

use super::*;

#[test]
fn anchors_java_accepts() {
    let cases: Vec<(&str, Tweak, &str)> = vec![
        (
            "root with an unknown critical extension",
            Box::new(|p| p.custom_extensions = vec![critical(&[1, 2, 3, 4], vec![5, 0])]),
            "critical extensions of a trust anchor",
        ),
        (
            "root not yet valid",
            Box::new(|p| {
                p.not_before = date_time_ymd(2040, 1, 1);
                p.not_after = date_time_ymd(2050, 1, 1)
            }),
            "dates of a trust anchor",
        ),
        (
            "root with pathlen 0 above an intermediate",
            Box::new(|p| p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0))),
            "pathLenConstraint of a trust anchor",
        ),
        (
            "root limited to clientAuth",
            Box::new(|p| p.extended_key_usages = vec![Eku::ClientAuth]),
            "extendedKeyUsage of a trust anchor",
        ),
        (
            "root whose nameConstraints exclude localhost",
            Box::new(|p| {
                p.name_constraints = Some(NameConstraints {
                    permitted_subtrees: vec![],
                    excluded_subtrees: vec![GeneralSubtree::DnsName("localhost".into())],
                })
            }),
            "nameConstraints of a trust anchor",
        ),
    ];
    for (name, tweak, note) in cases {
        let root = make_root(name, tweak);
        let int = make_int("Int", &root, |_| {});
        let leaf = make_leaf(&int, |_| {});
        let v = verdict(
            name,
            &[&leaf, &int.cert],
            &pem(&[&root.cert]),
            Some("localhost"),
        );
        connects(&v);
        noted(&v, note);
    }
    // A partial chain: an expired intermediate as the only anchor.
    let root = make_root("Root", |_| {});
    let int = make_int("Old Int", &root, |p| {
        p.not_before = date_time_ymd(2015, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    });
    let leaf = make_leaf(&int, |p| p.not_before = date_time_ymd(2020, 6, 1));
    let v = verdict(
        "expired intermediate as the only anchor",
        &[&leaf, &int.cert],
        &pem(&[&int.cert]),
        Some("localhost"),
    );
    connects(&v);
    noted(&v, "partial chain");
    noted(&v, "dates of a trust anchor");
    // The server certificate itself, expired and not self-signed: nothing is checked.
    let expired = make_leaf(&int, |p| {
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    });
    let v = verdict(
        "only the expired server certificate",
        &[&expired, &int.cert],
        &pem(&[&expired]),
        Some("localhost"),
    );
    connects(&v);
    noted(&v, "nothing else is checked");
}

#[test]
fn anchors_java_refuses() {
    let cases: Vec<(&str, Tweak, &str)> = vec![
        (
            "v3 root without basicConstraints",
            Box::new(|p| p.is_ca = IsCa::NoCa),
            "not a CA certificate",
        ),
        (
            "root with CA:FALSE",
            Box::new(|p| p.is_ca = IsCa::ExplicitNoCa),
            "not a CA certificate",
        ),
        (
            "root whose keyUsage lacks keyCertSign",
            Box::new(|p| p.key_usages = vec![Ku::DigitalSignature]),
            "without keyCertSign",
        ),
    ];
    for (name, tweak, why) in cases {
        let root = make_root(name, tweak);
        let int = make_int("Int", &root, |_| {});
        let leaf = make_leaf(&int, |_| {});
        let v = verdict(
            name,
            &[&leaf, &int.cert],
            &pem(&[&root.cert]),
            Some("localhost"),
        );
        refuses(&v, why);
    }
}

#[test]
fn intermediates_and_server_certificates() {
    let root = make_root("Root", |_| {});
    let int = |name, tweak: Tweak| make_int(name, &root, tweak);
    let trust = pem(&[&root.cert]);
    let check = |name: &str, int: &Ca, leaf: &Certificate| {
        verdict(name, &[leaf, &int.cert], &trust, Some("localhost"))
    };
    // Intermediates: EKU not checked; critical extensions, keyCertSign and cA are.
    let client = int(
        "Client Int",
        Box::new(|p| p.extended_key_usages = vec![Eku::ClientAuth]),
    );
    let v = check(
        "intermediate limited to clientAuth",
        &client,
        &make_leaf(&client, |_| {}),
    );
    connects(&v);
    noted(&v, "extendedKeyUsage of intermediate");
    let odd = int(
        "Odd Int",
        Box::new(|p| p.custom_extensions = vec![critical(&[1, 2, 3, 4], vec![5, 0])]),
    );
    refuses(
        &check(
            "intermediate with an unknown critical extension",
            &odd,
            &make_leaf(&odd, |_| {}),
        ),
        "critical extension Java does not handle (1.2.3.4)",
    );
    // Name constraints: the CN counts as a DNS name without a dot too (OpenSSL wants one).
    let constrained = int(
        "Constrained Int",
        Box::new(|p| {
            p.name_constraints = Some(NameConstraints {
                permitted_subtrees: vec![GeneralSubtree::DnsName("example.test".into())],
                excluded_subtrees: vec![],
            })
        }),
    );
    let cn_only = make_leaf(&constrained, |p| p.subject_alt_names.clear());
    refuses(
        &check(
            "CN localhost under a DNS constraint",
            &constrained,
            &cn_only,
        ),
        "DNS:localhost",
    );
    // Server certificates: digitalSignature is required, keyEncipherment alone is not enough.
    let int_ok = int("Plain Int", Box::new(|_| {}));
    let v = check(
        "keyUsage keyEncipherment only",
        &int_ok,
        &make_leaf(&int_ok, |p| p.key_usages = vec![Ku::KeyEncipherment]),
    );
    refuses(&v, "without digitalSignature");
    let v = check(
        "keyUsage encipherOnly only",
        &int_ok,
        &make_leaf(&int_ok, |p| p.key_usages = vec![Ku::EncipherOnly]),
    );
    refuses(&v, "no usable bit");
    let v = check(
        "EKU anyExtendedKeyUsage",
        &int_ok,
        &make_leaf(&int_ok, |p| p.extended_key_usages = vec![Eku::Any]),
    );
    connects(&v);
    noted(&v, "anyExtendedKeyUsage");
    // CRL distribution points, critical: OpenSSL handles it, the PKIX checkers do not.
    // SEQUENCE { SEQUENCE { [0] { [0] { [6] "http://c.test" } } } }
    let uri = b"http://c.test";
    let mut crldp = vec![0x30, 0x15, 0x30, 0x13, 0xa0, 0x11, 0xa0, 0x0f, 0x86, 0x0d];
    crldp.extend(uri);
    let v = check(
        "critical CRL distribution points",
        &int_ok,
        &make_leaf(&int_ok, |p| {
            p.custom_extensions = vec![critical(&[2, 5, 29, 31], crldp)]
        }),
    );
    refuses(&v, "(2.5.29.31)");
    // Netscape certificate type for an SSL client only.
    let ns = CustomExtension::from_oid_content(
        &[2, 16, 840, 1, 113730, 1, 1],
        vec![0x03, 0x02, 0x07, 0x80],
    );
    let v = check(
        "Netscape type SSL client",
        &int_ok,
        &make_leaf(&int_ok, |p| p.custom_extensions = vec![ns]),
    );
    refuses(&v, "Netscape certificate type");
    // An empty subject is fine with a critical SAN (rcgen marks it critical).
    let v = check(
        "empty subject, critical SAN",
        &int_ok,
        &make_leaf(&int_ok, |p| {
            p.distinguished_name = rcgen::DistinguishedName::new()
        }),
    );
    connects(&v);
}
