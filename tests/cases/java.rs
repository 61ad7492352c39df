//! `fetch --format pkcs12`: a Java truststore, judged by Java itself. keytool must list
//! every pinned certificate as a `trustedCertEntry`, and pgjdbc (Debian's
//! `/usr/share/java/postgresql.jar`) with `DefaultJavaSSLFactory` and the file as the JVM's
//! truststore must connect with verify-full to a PostgreSQL whose chain ends at the pinned
//! root, and fail with a truststore of another root. The save is the same atomic, pinned,
//! idempotent one as for PEM, and `verify` reads the file back.
//!
//! Without Java (a JDK: the client runs as a single-file source program), keytool or the
//! driver the Java tests print SKIP, unless ROOTCERT_REQUIRE_JAVA is set (as .ci/run does).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::pg::PgServer;
use crate::support::*;

const PGJDBC: &str = "/usr/share/java/postgresql.jar";

/// Whether java, keytool and pgjdbc are here (after a SKIP notice when not).
fn java_here() -> bool {
    let runs = |program: &str| {
        Command::new(program)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let here = runs("java") && runs("javac") && Path::new(PGJDBC).is_file();
    if !here {
        assert!(
            std::env::var_os("ROOTCERT_REQUIRE_JAVA").is_none(),
            "a JDK or {PGJDBC} is missing, and ROOTCERT_REQUIRE_JAVA is set"
        );
        crate::support::suites::skipped(
            "java (pgjdbc)",
            &format!("a JDK (java, javac, keytool) or {PGJDBC} is missing"),
        );
    } else {
        crate::support::suites::ran("java (pgjdbc)");
    }
    here
}

/// `keytool -list -v` of a PKCS#12 file without a password, as an operator would run it:
/// each entry's type with its SHA-256 fingerprint.
fn keytool_entries(file: &Path) -> Vec<(String, String)> {
    let out = Command::new("keytool")
        .args(["-list", "-v", "-storetype", "PKCS12", "-keystore"])
        .arg(file)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "keytool: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut entries = Vec::new();
    let mut kind = None;
    for line in text.lines().map(str::trim) {
        if let Some(k) = line.strip_prefix("Entry type: ") {
            kind = Some(k.to_string());
        } else if let Some(sha) = line.strip_prefix("SHA256: ") {
            entries.push((
                kind.take().expect("type before fingerprint"),
                sha.to_string(),
            ));
        }
    }
    let count = text
        .lines()
        .find_map(|l| l.strip_prefix("Your keystore contains "))
        .unwrap_or_else(|| panic!("{text}"));
    let plural = if entries.len() == 1 {
        "entry"
    } else {
        "entries"
    };
    assert_eq!(count, format!("{} {plural}", entries.len()), "{text}");
    entries
}

#[test]
fn a_pkcs12_truststore_lists_every_pin_as_a_trusted_entry_and_is_saved_once() {
    let env = Env::new();
    let store = env.path("out/azure.p12");
    let args = [
        "fetch",
        "--offline",
        "--format",
        "pkcs12",
        "azure-postgres-flexible",
        "-o",
        store.to_str().unwrap(),
    ];
    let first = env.run(&args);
    first.expect(0);
    first.stderr_has("as a PKCS#12 truststore");
    first.stderr_has("-Djavax.net.ssl.trustStore=");
    assert_eq!(first.stdout.trim(), store.display().to_string());
    let bytes = std::fs::read(&store).unwrap();
    let json = env.run(&[&args[..], &["--json"]].concat()).json();
    assert_eq!(json["status"], "unchanged");
    assert_eq!(json["format"], "pkcs12");
    assert!(
        json["java"]["pgjdbc"]
            .as_str()
            .unwrap()
            .contains("DefaultJavaSSLFactory")
    );
    assert!(
        json.get("connect").is_none(),
        "no psql lines for a truststore"
    );
    let dir = env.dir.path().to_str().unwrap().to_string();
    let rerun = env.run(&[&args[..], &["--json"]].concat());
    crate::support::snapshots::assert_json_snapshot(
        "fetch-pkcs12-unchanged",
        &rerun,
        &[(&dir, "<dir>")],
    );
    assert_eq!(
        std::fs::read(&store).unwrap(),
        bytes,
        "an unchanged run writes nothing"
    );

    // verify detects the format and reads it back.
    let verified = env.run(&[
        "verify",
        "azure-postgres-flexible",
        "--json",
        store.to_str().unwrap(),
    ]);
    verified.expect(0);
    assert_eq!(verified.json()["format"], "pkcs12");
    let text = env.run(&["verify", "azure-postgres-flexible", store.to_str().unwrap()]);
    text.stdout_has("(PKCS#12 truststore): OK");
    env.run(&["verify", "isrg-root-x1", store.to_str().unwrap()])
        .expect(4)
        .stderr_has("--format pkcs12 -o");

    // The default name follows the format; a PKCS#12 file never goes to stdout.
    let run = env.run(&["fetch", "--offline", "--format", "pkcs12"]);
    run.expect(0);
    assert!(
        run.stdout.trim().ends_with("out/DigiCertGlobalRootG2.p12"),
        "{}",
        run.stdout
    );
    env.run(&["fetch", "--offline", "--format", "pkcs12", "-o", "-"])
        .expect(2)
        .stderr_has("binary");
    env.run(&["fetch", "--offline", "--format", "pkcs12", "--libpq"])
        .expect(2)
        .stderr_has("for Java");

    // A PEM file with the same certificates becomes the truststore without --force; one
    // with other certificates is kept unless --force.
    let converted = env.path("out/converted.p12");
    std::fs::write(&converted, format!("{}{}", g2_pem(), ms2017_pem())).unwrap();
    let run = env.run(&[
        "fetch",
        "--offline",
        "--format",
        "pkcs12",
        "--json",
        "azure-postgres-flexible",
        "-o",
        converted.to_str().unwrap(),
    ]);
    assert_eq!(run.json()["status"], "saved");
    assert_eq!(std::fs::read(&converted).unwrap(), bytes);
    env.run(&[
        "fetch",
        "--offline",
        "--format",
        "pkcs12",
        "isrg-root-x1",
        "-o",
        store.to_str().unwrap(),
    ])
    .expect(5)
    .stderr_has("already holds a different certificate");
    assert_eq!(std::fs::read(&store).unwrap(), bytes);

    if !java_here() {
        return;
    }
    let entries = keytool_entries(&store);
    assert_eq!(
        entries,
        [
            ("trustedCertEntry".to_string(), G2_SHA256.to_string()),
            ("trustedCertEntry".to_string(), MS2017_SHA256.to_string()),
        ]
    );
}

#[test]
fn a_rerun_with_the_right_truststore_does_no_network_io() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let args = ["--format", "pkcs12", "-o", "trust.p12"];
    fetch_url(&env, &server.url("/g2.pem"), &args).expect(0);
    assert_eq!(server.hits(), 1);
    let again = fetch_url(
        &env,
        &server.url("/g2.pem"),
        &[&args[..], &["--json"]].concat(),
    );
    again.expect(0);
    assert_eq!(again.json()["status"], "unchanged");
    assert_eq!(
        again.json()["certificates"][0]["source"],
        format!("file:{}", env.path("trust.p12").display())
    );
    assert_eq!(server.hits(), 1, "the in-place re-run downloads nothing");
}

/// Runs recipes/clients/PgjdbcTruststore.java with `truststore` as the JVM's truststore
/// (and a trustStorePassword, or none); true when it connected and printed 1.
fn pgjdbc_connects(server: &PgServer, truststore: &Path, password: Option<&str>) -> (bool, String) {
    let home = tempfile::tempdir().unwrap();
    let source =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("recipes/clients/PgjdbcTruststore.java");
    let mut java = Command::new("java");
    java.arg(format!(
        "-Djavax.net.ssl.trustStore={}",
        truststore.display()
    ))
    .arg("-Djavax.net.ssl.trustStoreType=PKCS12")
    // Not the developer's ~/.postgresql: pgjdbc reads user.home, not HOME.
    .arg(format!("-Duser.home={}", home.path().display()));
    if let Some(password) = password {
        java.arg(format!("-Djavax.net.ssl.trustStorePassword={password}"));
    }
    let out = java
        .args(["-cp", PGJDBC])
        .arg(source)
        .env("PGHOST", "localhost")
        .env("PGPORT", server.port.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    (
        out.status.success() && stdout.trim() == "1",
        format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn pgjdbc_connects_with_verify_full_through_the_truststore_and_not_with_another_root() {
    let Some((server, chain)) = pg::shared() else {
        return;
    };
    if !java_here() {
        return;
    }
    let env = Env::new();
    let mirror = Server::serving(chain.root_pem.clone());
    let save = |pin: &str, pem_url: &str, out: &str| {
        env.fetch(pem_url)
            .args(&["--format", "pkcs12", "--sha256", pin, "-o", out])
            .run()
            .expect(0);
        env.path(out)
    };
    let right = save(&chain.root_sha256, &mirror.url("/root.pem"), "right.p12");
    assert_eq!(
        keytool_entries(&right),
        [("trustedCertEntry".to_string(), chain.root_fingerprint())]
    );
    let other = TestChain::new("another root", false);
    let other_mirror = Server::serving(other.root_pem.clone());
    let wrong = save(
        &other.root_sha256,
        &other_mirror.url("/root.pem"),
        "wrong.p12",
    );

    // Java reads the password-less truststore with trustStorePassword unset, empty or set.
    for password in [None, Some(""), Some("changeit")] {
        let (ok, said) = pgjdbc_connects(server, &right, password);
        assert!(
            ok,
            "pgjdbc with the pinned root's truststore ({password:?}): {said}"
        );
    }
    let (ok, said) = pgjdbc_connects(server, &wrong, None);
    assert!(!ok, "pgjdbc trusted a truststore of another root: {said}");
    assert!(said.contains("PKIX path building failed"), "{said}");
}
