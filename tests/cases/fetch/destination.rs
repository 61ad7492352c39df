//! Where and how the file lands: in place, directories, modes, concurrent runs, hooks.

use super::*;

#[test]
fn the_right_file_in_place_needs_no_network() {
    let env = Env::new();
    std::fs::write(env.default_out(), g2_pem().replace('\n', "\r\n")).unwrap();
    let before = snapshot(&env.path("out"));
    let run = env.run(&["fetch", "--json", "--url", &closed_port_url("/g2.pem")]);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["status"], "unchanged");
    assert_eq!(json["path"], shown_path(&env.default_out()));
    assert_eq!(json["certificates"][0]["sha256"], G2_SHA256);
    assert_eq!(
        snapshot(&env.path("out")),
        before,
        "an unchanged run must not rewrite the file"
    );

    // --refresh downloads anyway.
    let server = Server::serving(g2_pem());
    env.run(&["fetch", "--refresh", "--url", &server.url("/g2.pem")])
        .expect(0);
    assert_eq!(server.hits(), 1);
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn a_different_file_in_place_is_kept_unless_forced() {
    let env = Env::new();
    std::fs::write(env.default_out(), isrg_pem()).unwrap();
    let server = Server::serving(g2_pem());
    let before = snapshot(&env.path("out"));
    let run = fetch_url(&env, &server.url("/g2.pem"), &[]);
    run.expect(5);
    run.stderr_has("already holds a different certificate: CN=ISRG Root X1");
    run.stderr_has("--force");
    assert_eq!(snapshot(&env.path("out")), before);
    assert_eq!(
        server.hits(),
        0,
        "no download when the destination would be refused anyway"
    );

    fetch_url(&env, &server.url("/g2.pem"), &["--force"]).expect(0);
    assert_eq!(saved(&env), g2_pem());
}

#[test]
fn a_parent_that_is_a_file_is_exit_5() {
    let env = Env::new();
    std::fs::write(env.path("out/not-a-dir"), "x").unwrap();
    let server = Server::serving(g2_pem());
    let before = snapshot(&env.path("out"));
    let target = env.path("out/not-a-dir/root.crt");
    let run = fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", target.to_str().unwrap()],
    );
    run.expect(5);
    run.stderr_has("is not a directory");
    assert_eq!(snapshot(&env.path("out")), before);
    server.may_be_unused(); // refused before any download
}

#[test]
fn out_may_be_a_directory_a_new_path_or_stdout() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    std::fs::create_dir(env.path("certs")).unwrap();
    let run = fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", env.path("certs").to_str().unwrap()],
    );
    run.expect(0);
    assert_eq!(
        run.stdout.trim(),
        shown_path(&env.path("certs/DigiCertGlobalRootG2.crt.pem"))
    );

    let nested = env.path("a/b/c/root.crt");
    fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["-o", nested.to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(openssl_fingerprint(&nested), G2_SHA256);

    let run = fetch_url(&env, &server.url("/g2.pem"), &["-o", "-", "-q"]);
    run.expect(0);
    assert_eq!(run.stdout, g2_pem());
    assert_eq!(run.stderr, "");
}

#[test]
fn concurrent_runs_all_end_with_a_valid_file() {
    let env = Env::new();
    let server = Server::serving(g2_pem());
    let url = server.url("/g2.pem");
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.fetch(&url)
                .args(&["--refresh", "-q"])
                .command()
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(saved(&env), g2_pem());
    let entries: Vec<_> = std::fs::read_dir(env.path("out")).unwrap().collect();
    assert_eq!(entries.len(), 1, "no temporary file may be left behind");
}

#[test]
fn a_custom_pin_without_a_profile_is_saved_under_its_own_name() {
    // A catalog certificate pinned by hand: the catalog's file name, not the default one.
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, format!("{}{}", isrg_pem(), g2_pem())).unwrap();
    let run = env.run_with_store(&store, &["fetch", "--offline", "--sha256", ISRG_SHA256]);
    run.expect(0);
    let isrg = env.path("out/isrgrootx1.pem");
    assert_eq!(run.stdout.trim(), shown_path(&isrg));
    assert!(
        !env.default_out().exists(),
        "never under the default profile's name"
    );
    // ... so the default fetch still works afterwards.
    env.run_with_store(&store, &["fetch", "--offline"])
        .expect(0);
    assert_eq!(saved(&env), g2_pem());

    // A certificate outside the catalog: named after its common name, and found again
    // by a re-run without any download.
    let ca = TestChain::direct("rootcert custom root");
    let pin = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(der_of(&ca.root_pem)))
    };
    let server = Server::serving(ca.root_pem.clone());
    let args = ["--sha256", pin.as_str()];
    let run = fetch_url(&env, &server.url("/custom.pem"), &args);
    run.expect(0);
    let custom = env.path("out/rootcertcustomroot.crt.pem");
    assert_eq!(run.stdout.trim(), shown_path(&custom));
    let again = fetch_url(
        &env,
        &server.url("/custom.pem"),
        &["--json", "--sha256", &pin],
    );
    again.expect(0);
    assert_eq!(again.json()["status"], "unchanged");
    assert_eq!(again.json()["path"], shown_path(&custom));
    assert_eq!(server.hits(), 1, "the re-run must not download");
}

#[test]
fn saving_to_libpqs_default_file_warns_about_sslmode_require() {
    let env = Env::new();
    let store = env.path("store.pem");
    std::fs::write(&store, g2_pem()).unwrap();
    let default = env.path("home/.postgresql/root.crt");
    let run = env.run_with_store(
        &store,
        &["fetch", "--offline", "-o", default.to_str().unwrap()],
    );
    run.expect(0);
    run.stderr_has("is the file libpq reads when sslrootcert is not set");
    run.stderr_has("sslmode=require verifies the server certificate");
}

#[test]
fn libpq_puts_the_root_where_libpq_looks_by_default() {
    let env = Env::new();
    // Windows' libpq asks for the roaming AppData folder (SHGetFolderPath(CSIDL_APPDATA)),
    // which Wine keeps in its prefix, not under HOME.
    let default = if under_wine() {
        let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
        format!("C:\\users\\{user}\\AppData\\Roaming\\postgresql\\root.crt")
    } else {
        shown_path(&env.path("home/.postgresql/root.crt"))
    };
    let _ = std::fs::remove_file(host_path(&default));
    let run = env.run(&["fetch", "--offline", "--libpq"]);
    run.expect(0);
    assert_eq!(run.stdout.trim(), default);
    assert_eq!(
        std::fs::read_to_string(host_path(&default)).unwrap(),
        g2_pem()
    );
    run.stderr_has("sslmode=require verifies the server certificate");
    env.run(&["fetch", "--libpq", "-o", "x.pem"]).expect(2);
    if under_wine() {
        // Shared by every test in Wine's prefix: leave it as it was.
        std::fs::remove_file(host_path(&default)).unwrap();
    }
}

#[test]
fn mode_owner_and_group_are_set_before_the_file_appears_and_converge() {
    let env = Env::new();
    let path = env.path("out/app.pem");
    let p = path.to_str().unwrap();
    if under_wine() {
        // Windows files have ACLs: each flag is a usage error that says what to do.
        for flag in [["--mode", "0640"], ["--owner", "root"], ["--group", "root"]] {
            env.run(&["fetch", "--offline", flag[0], flag[1], "-o", p])
                .expect(2)
                .stderr_has("do not exist on Windows: a saved file gets the ACL");
        }
        assert!(!path.exists());
        return;
    }
    env.run(&["fetch", "--offline", "--mode", "0640", "-o", p])
        .expect(0);
    let mode = |path: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    };
    assert_eq!(mode(&path), 0o640);
    // Up to date and as asked: nothing to do. Asked otherwise: the file is fixed.
    let run = env.run(&["fetch", "--offline", "--json", "--mode", "640", "-o", p]);
    assert_eq!(run.json()["status"], "unchanged");
    let run = env.run(&["fetch", "--offline", "--json", "--mode", "600", "-o", p]);
    assert_eq!(run.json()["status"], "saved");
    assert_eq!(mode(&path), 0o600);
    env.run(&["fetch", "--offline", "--mode", "999", "-o", p])
        .expect(2);
    env.run(&[
        "fetch",
        "--offline",
        "--owner",
        "no-such-user-here",
        "-o",
        p,
    ])
    .expect(2);

    if std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0) {
        let run = env.run(&[
            "fetch",
            "--offline",
            "--json",
            "--owner",
            "nobody",
            "--group",
            "65534",
            "-o",
            p,
        ]);
        assert_eq!(run.json()["status"], "saved", "{}", run.stderr);
        let meta = std::fs::metadata(&path).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

#[test]
fn on_change_runs_only_when_the_file_changed_and_reports_its_failure() {
    let env = Env::new();
    let marker = env.path("changed");
    let hook = format!("echo \"$ROOTCERT_PATH\" >> {}", marker.display());
    env.run(&["fetch", "--offline", "--on-change", &hook])
        .expect(0);
    env.run(&["fetch", "--offline", "--on-change", &hook])
        .expect(0);
    let lines = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(
        lines.lines().collect::<Vec<_>>(),
        [env.default_out().display().to_string()]
    );

    std::fs::remove_file(env.default_out()).unwrap();
    let run = env.run(&["fetch", "--offline", "--on-change", "exit 7"]);
    run.expect(6);
    run.stderr_has("the file was saved, but the --on-change command failed with exit code 7");
    assert_eq!(saved(&env), g2_pem());
}
