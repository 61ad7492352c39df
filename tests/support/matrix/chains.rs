//! Matrix cases: chains, and the name constraints of a CA.

use super::*;

pub(super) fn chains() -> Vec<Case> {
    vec![
        // ---- chains ----
        case("server omits the intermediate", |_, b| {
            Setup::new(vec![&b.leaf], pem(&[&b.root]), "localhost")
        }),
        case("server also sends the root", |_, b| {
            Setup::new(vec![&b.leaf, &b.int, &b.root], pem(&[&b.root]), "localhost")
        }),
        case("server sends the chain out of order", |p, b| {
            let int2 = p.issue(Spec::new(
                "/CN=Second Intermediate",
                "rsa2048#int2",
                Some(&b.int),
                CA_EXT,
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&int2),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf, &b.int, &int2], pem(&[&b.root]), "localhost")
        }),
        case("issuer is not a CA", |p, b| {
            with_intermediate(
                p,
                b,
                "basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                START,
                END,
            )
        }),
        case(
            "intermediate without basicConstraints, keyCertSign only",
            |p, b| {
                with_intermediate(
                    p,
                    b,
                    "keyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                    START,
                    END,
                )
            },
        ),
        case("intermediate whose keyUsage lacks keyCertSign", |p, b| {
            with_intermediate(
                p,
                b,
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
                START,
                END,
            )
        }),
        case("intermediate limited to clientAuth", |p, b| {
            with_intermediate(
                p,
                b,
                &format!("{CA_EXT}\nextendedKeyUsage=clientAuth"),
                START,
                END,
            )
        }),
        case("intermediate with serverAuth EKU", |p, b| {
            with_intermediate(
                p,
                b,
                &format!("{CA_EXT}\nextendedKeyUsage=serverAuth"),
                START,
                END,
            )
        }),
        case("expired intermediate", |p, b| {
            with_intermediate(p, b, CA_EXT, "20200101000000Z", "20210101000000Z")
        }),
        case("intermediate not yet valid", |p, b| {
            with_intermediate(p, b, CA_EXT, "20400101000000Z", END)
        }),
        case("pathlen 0 on the root is exceeded", |p, _| {
            let root = p.issue(Spec::new(
                "/CN=Pathlen Root",
                "rsa2048#root",
                None,
                &CA_EXT.replace("CA:TRUE", "CA:TRUE,pathlen:0"),
            ));
            let int = p.issue(Spec::new(
                "/CN=Pathlen Intermediate",
                "rsa2048#int",
                Some(&root),
                CA_EXT,
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&int),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf, &int], pem(&[&root]), "localhost")
        }),
        case("pathlen 0 on the intermediate is fine", |p, b| {
            with_intermediate(
                p,
                b,
                &CA_EXT.replace("CA:TRUE", "CA:TRUE,pathlen:0"),
                START,
                END,
            )
        }),
        case("expired server certificate", |p, b| {
            let mut spec = Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&b.int),
                &leaf_ext("DNS:localhost"),
            );
            spec.start = "20200101000000Z";
            spec.end = "20210101000000Z";
            let leaf = p.issue(spec);
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("expired root in the trust file", |p, _| {
            let mut spec = Spec::new("/CN=Expired Root", "rsa2048#root", None, CA_EXT);
            spec.start = "20200101000000Z";
            spec.end = "20210101000000Z";
            let root = p.issue(spec);
            let mut spec = Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                &leaf_ext("DNS:localhost"),
            );
            spec.start = "20200601000000Z";
            let leaf = p.issue(spec);
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case(
            "self-signed server certificate in the trust file",
            |p, _| {
                let cert = p.issue(Spec::new(
                    "/CN=localhost",
                    "rsa2048#leaf",
                    None,
                    &leaf_ext("DNS:localhost"),
                ));
                Setup::new(vec![&cert], pem(&[&cert]), "localhost")
            },
        ),
        case("self-signed server certificate, not trusted", |p, b| {
            let cert = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                None,
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&cert], pem(&[&b.root]), "localhost")
        }),
        case("server certificate that is a CA", |p, b| {
            let leaf = leaf(
                p,
                b,
                "/CN=localhost",
                "basicConstraints=critical,CA:TRUE\nsubjectAltName=DNS:localhost\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
            );
            Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
        }),
        case("v1 root", |p, _| {
            let root = p.issue(Spec::new("/CN=V1 Root", "rsa2048#root", None, ""));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                "subjectAltName=DNS:localhost",
            ));
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case("v1 intermediate", |p, b| {
            with_intermediate(p, b, "", START, END)
        }),
        case("root limited to clientAuth", |p, _| {
            let root = p.issue(Spec::new(
                "/CN=ClientAuth Root",
                "rsa2048#root",
                None,
                &format!("{CA_EXT}\nextendedKeyUsage=clientAuth"),
            ));
            let leaf = p.issue(Spec::new(
                "/CN=localhost",
                "rsa2048#leaf",
                Some(&root),
                &leaf_ext("DNS:localhost"),
            ));
            Setup::new(vec![&leaf], pem(&[&root]), "localhost")
        }),
        case(
            "unknown critical extension on the server certificate",
            |p, b| {
                let ext = format!(
                    "{}\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL",
                    leaf_ext("DNS:localhost")
                );
                let leaf = leaf(p, b, "/CN=localhost", &ext);
                Setup::new(vec![&leaf, &b.int], pem(&[&b.root]), "localhost")
            },
        ),
    ]
}

pub(super) fn name_constraints() -> Vec<Case> {
    vec![
        // ---- name constraints of a CA (checked after the signatures) ----
        case("permitted DNS subtree holds the name", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "DNS:db.example.test",
                "/CN=db.example.test",
                "db.example.test",
            )
        }),
        case("name outside the permitted DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "DNS:localhost",
                "/CN=localhost",
                "localhost",
            )
        }),
        case("name inside an excluded DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "excluded;DNS:localhost",
                "DNS:localhost",
                "/CN=x",
                "localhost",
            )
        }),
        case("permitted IP subtree holds the address", |p, b| {
            constrained(
                p,
                b,
                "permitted;IP:127.0.0.0/255.0.0.0",
                "IP:127.0.0.1",
                "/CN=x",
                "127.0.0.1",
            )
        }),
        case("CN outside the permitted DNS subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;DNS:.example.test",
                "",
                "/CN=db.elsewhere.test",
                "db.elsewhere.test",
            )
        }),
        case("subject inside a permitted directory subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;dirName:allowed_dn",
                "DNS:localhost",
                "/O=Allowed/CN=localhost",
                "localhost",
            )
        }),
        case("subject outside a permitted directory subtree", |p, b| {
            constrained(
                p,
                b,
                "permitted;dirName:allowed_dn",
                "DNS:localhost",
                "/O=Other/CN=localhost",
                "localhost",
            )
        }),
    ]
}
