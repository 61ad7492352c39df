//! What the destination may be: symlinks, devices, read-only files, owners and modes.

use super::*;

#[test]
fn a_symlink_planted_during_the_download_is_not_followed() {
    // 1. Another user plants a link to a root-only file while rootcert downloads.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let dir = sticky_dir(&env);
    let secret = secret(&env);
    let destination = dir.join("root.pem");
    let server = slow_server(g2_pem(), Duration::from_millis(700));
    let mut cmd = env.fetch(&server.url("/g2.pem")).retries(0).command();
    cmd.arg("-o").arg(&destination);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(250));
    symlink_owned_by(&secret, &destination, NOBODY);
    let run = Run::from(child.wait_with_output().unwrap());
    run.expect(5);
    run.stderr_has("changed");
    assert_secret_untouched(&secret);
    assert!(
        std::fs::symlink_metadata(&destination)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn another_users_symlink_is_refused_even_with_force_and_never_quoted() {
    // 2 and 4: --force does not follow a link another user owns, to a file or a directory.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let dir = sticky_dir(&env);
    let secret = secret(&env);
    let store = store(&env);
    let link = dir.join("root.pem");
    symlink_owned_by(&secret, &link, NOBODY);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--force",
            "--json",
            "-o",
            link.to_str().unwrap(),
        ],
    );
    run.expect(5);
    run.stderr_has("symlink owned by uid 65534");
    assert_secret_untouched(&secret);

    let elsewhere = env.path("chosen-by-nobody");
    std::fs::create_dir(&elsewhere).unwrap();
    let dir_link = dir.join("certs");
    symlink_owned_by(&elsewhere, &dir_link, NOBODY);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "-o",
            dir_link.join("root.pem").to_str().unwrap(),
        ],
    );
    run.expect(5);
    let run2 = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "-o",
            &format!("{}/", dir_link.display()),
        ],
    );
    run2.expect(5);
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written there"
    );

    // 3: a root-owned link is followed, but what it points at is described, never quoted.
    let own_link = env.path("own-link.pem");
    std::os::unix::fs::symlink(&secret, &own_link).unwrap();
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--json",
            "-o",
            own_link.to_str().unwrap(),
        ],
    );
    run.expect(5);
    run.stderr_has("text that is not a certificate");
    assert!(!run.stderr.contains("very-secret"), "{}", run.stderr);
    assert!(!run.stdout.contains("very-secret"), "{}", run.stdout);
    assert_secret_untouched(&secret);
}

#[test]
fn devices_fifos_and_directories_are_never_replaced() {
    // 5 and 8: a device node, a FIFO, a directory at the destination, even with --force.
    let env = Env::new();
    let store = store(&env);
    let fifo = env.path("fifo.pem");
    make_fifo(&fifo);
    // A directory named like the file that `-o DIR/` would save.
    let parent = env.path("certs");
    std::fs::create_dir_all(parent.join("DigiCertGlobalRootG2.crt.pem")).unwrap();
    let dir = PathBuf::from(format!("{}/", parent.display()));
    let mut targets = vec![(fifo.clone(), "a FIFO"), (dir.clone(), "a directory")];
    if is_root() {
        let null = env.path("null.pem");
        let status = Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(status.success());
        targets.push((null, "a device"));
    }
    for (target, kind) in &targets {
        let mut cmd = env.cmd();
        cmd.env("SSL_CERT_FILE", &store)
            .args(["fetch", "--offline", "--force", "-o"])
            .arg(target);
        let run = run_within(cmd, Duration::from_secs(10));
        run.expect(5);
        run.stderr_has(&format!(
            "is {kind}; rootcert only ever replaces a regular file"
        ));
    }
    if let Some((null, _)) = targets.get(2) {
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device_like()
        );
    }
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo_like());
}

#[test]
fn a_read_only_destination_is_replaced_only_where_the_os_allows_it() {
    // Windows refuses to replace a read-only file, and so does rootcert there, leaving it
    // as it was; on Unix the rename replaces it and the new file keeps its mode 0444.
    let env = Env::new();
    let path = env.path("out/root.pem");
    std::fs::write(&path, isrg_pem()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = snapshot(&env.path("out"));
    let run = env.run_with_store(
        &store(&env),
        &[
            "fetch",
            "--offline",
            "--force",
            "-o",
            path.to_str().unwrap(),
        ],
    );
    if under_wine() {
        run.expect(5)
            .stderr_has("is read-only (attrib -r clears that");
        assert_eq!(
            snapshot(&env.path("out")),
            before,
            "the file is left as it was"
        );
    } else {
        run.expect(0);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), g2_pem());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o444);
    }
}

#[test]
fn a_directory_others_can_write_is_warned_about() {
    // 6.
    let env = Env::new();
    let store = store(&env);
    let dir = sticky_dir(&env);
    let run = env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--json",
            "-o",
            dir.join("root.pem").to_str().unwrap(),
        ],
    );
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("writable by users other than its owner"),
        "{warnings}"
    );
}

#[test]
fn a_replaced_file_keeps_its_owner_and_mode() {
    // 11.
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let store = store(&env);
    let path = env.path("postgres-root.crt");
    std::fs::write(&path, isrg_pem()).unwrap();
    std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    env.run_with_store(
        &store,
        &[
            "fetch",
            "--offline",
            "--force",
            "-o",
            path.to_str().unwrap(),
        ],
    )
    .expect(0);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), g2_pem());
}

#[test]
fn modes_with_setuid_setgid_or_sticky_bits_are_refused() {
    let env = Env::new();
    for mode in ["6777", "4755", "2644", "1644", "0o4755"] {
        let run = env.run(&["fetch", "--offline", "--mode", mode]);
        run.expect(2).stderr_has("setuid, setgid or sticky bit");
        assert!(!env.default_out().exists());
    }
    env.run(&["fetch", "--offline", "--mode", "640"]).expect(0);
    let mode = std::fs::metadata(env.default_out()).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o640);
}

#[test]
fn a_file_another_user_can_change_is_warned_about_whether_replaced_or_kept() {
    if !root_or_skip() {
        return;
    }
    let env = Env::new();
    let out = env.default_out();
    // Planted by nobody, writable by all, holding something else: --force keeps its owner
    // and mode, and says what that means.
    std::fs::write(&out, "planted\n").unwrap();
    std::os::unix::fs::chown(&out, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = env.run(&["fetch", "--offline", "--force", "--json"]);
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(warnings.contains("owned by user 65534"), "{warnings}");
    assert!(
        warnings.contains("writable by its group and every user (mode 666)"),
        "{warnings}"
    );
    // The same file, now holding the pinned root: "unchanged", with the same warnings.
    let run = env.run(&["fetch", "--offline"]);
    run.expect(0)
        .stderr_has("nothing to do")
        .stderr_has("owned by user 65534");
    // A directory above it that others may write (no sticky bit).
    let open = env.path("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = open.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    run.expect(0);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("writable by users other than its owner (mode 777)"),
        "{warnings}"
    );
    // A directory further up that others may write (no sticky bit).
    let deeper = open.join("private");
    std::fs::create_dir(&deeper).unwrap();
    std::fs::set_permissions(&deeper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = deeper.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    let warnings = run.json()["warnings"].to_string();
    assert!(
        warnings.contains("open above it is writable by its group and every user (mode 777)"),
        "{warnings}"
    );
    // Further up, a sticky directory (as /tmp) above a directory of one's own is fine.
    let shared = sticky_dir(&env);
    let mine = shared.join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = mine.join("root.pem");
    let run = env.run(&["fetch", "--offline", "-o", file.to_str().unwrap(), "--json"]);
    let warnings = run.json()["warnings"].to_string();
    assert!(!warnings.contains("shared"), "{warnings}");
}

#[test]
fn ids_that_mean_no_change_are_refused() {
    let env = Env::new();
    for flag in ["--owner", "--group"] {
        env.run(&["fetch", "--offline", flag, "4294967295"])
            .expect(2)
            .stderr_has("no change");
    }
    assert!(!env.default_out().exists());
}
