//! Passwords and credentials are never printed: connection strings, URLs, clap errors.

use super::*;

#[test]
fn a_password_with_separators_in_a_url_is_never_printed() {
    let env = Env::new();
    let port = closed_port();
    let none = env.path("no-targets.txt");
    std::fs::write(&none, "# none: only --env\n").unwrap();
    for password in [
        "Xy7?Q2zS3CRET",
        "Xy7#Q2zS3CRET",
        "Xy7;Q2zS3CRET",
        "Xy7&Q2zS3CRET",
    ] {
        let url = format!("postgresql://app:{password}@127.0.0.1:{port}/db?sslmode=verify-full");
        let run = env
            .cmd()
            .env("DATABASE_URL", &url)
            .args(["check", "--env", "--json", "--ca", &ca(&env)])
            .args(["--targets", none.to_str().unwrap()])
            .output()
            .map(Run::from)
            .unwrap();
        assert_eq!(run.code, 3, "{run:?}");
        assert_unsaid(&run, password, &url);
        assert!(
            run.stdout.contains("postgresql://app:****@127.0.0.1"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn every_libpq_separator_ends_a_value_and_the_password_stays_masked() {
    let env = Env::new();
    let port = closed_port();
    for string in [
        format!("host=127.0.0.1 port={port} password=\t{SECRET}"),
        format!("host=127.0.0.1 port={port} password=\n{SECRET}"),
        format!("host=127.0.0.1 port={port}\rpassword={SECRET}"),
        format!("host=127.0.0.1 port={port}\x0cpassword={SECRET}"),
        format!("host=127.0.0.1 port={port}\x0bpassword={SECRET}"),
        format!("host=127.0.0.1 port={port} password=ab;{SECRET}"),
        format!("host=127.0.0.1 port={port} sslpassword={SECRET}"),
        format!("host=127.0.0.1 port={port} oauth_client_secret={SECRET}"),
        format!("host=127.0.0.1 port={port} scram_client_key={SECRET}"),
        format!("host=127.0.0.1 port={port} scram_server_key={SECRET}"),
        format!("postgresql://127.0.0.1:{port}/db?pass%77ord={SECRET}"),
        format!("postgresql://127.0.0.1:{port}/db?sslpassword={SECRET}"),
    ] {
        let ca = ca(&env);
        let other = format!("127.0.0.1:{port}");
        for json in [true, false] {
            // Two targets: the table (or JSON lines) shows each target's text.
            let mut args = vec!["check", string.as_str(), &other, "--ca", &ca];
            if json {
                args.push("--json");
            }
            let run = env.run(&args);
            assert_eq!(run.code, 3, "{run:?}");
            assert_unsaid(&run, SECRET, &string);
            assert!(run.stdout.contains("****"), "{run:?}");
        }
    }
}

#[test]
fn parse_errors_name_a_position_and_quote_no_secret() {
    let env = Env::new();
    let secret_split = "Zq9x/Kw7y";
    for (string, secret) in [
        ("postgresql://u:50%offZq9xKw7y@h/db".to_string(), SECRET),
        (
            format!("postgresql://u:{secret_split}@h:1/db"),
            secret_split,
        ),
        (format!("postgresql://u:5432/{SECRET}@h/db"), SECRET),
        (
            format!("mysql://root:{secret_split}@127.0.0.1:1/db"),
            secret_split,
        ),
        (format!("host=h password=\"a b {SECRET}\""), SECRET),
        (format!("jdbc:postgresql://u:{SECRET}@h:1/db"), SECRET),
        (
            format!("jdbc:postgresql://127.0.0.1:1/db;password={SECRET}"),
            SECRET,
        ),
        (format!("tls://u:{SECRET}@h:1"), SECRET),
        (format!("postgresql:/u:{SECRET}@h/db"), SECRET),
        (format!("host=h password {SECRET}"), SECRET),
        (format!("host=h {SECRET}"), SECRET),
        (format!("{SECRET}://u@h"), SECRET),
        (format!("host=h port={SECRET}"), SECRET),
        (format!("host=h sslmode={SECRET}"), SECRET),
    ] {
        let run = env.run(&["check", &string, "--ca", &ca(&env)]);
        assert!(
            run.code == 2 || run.code == 3,
            "{string}: exit {}\n{}",
            run.code,
            run.stderr
        );
        assert_unsaid(&run, secret, &string);
        if run.code == 2 && string.contains("//") && !string.starts_with(SECRET) {
            assert!(run.stderr.contains("://****"), "{string}: {}", run.stderr);
        }
    }
    // A mistyped keyword is named only by what it is close to.
    let run = env.run(&["check", "hots=db.example.com"]);
    run.expect(2).stderr_has("did you mean host?");
    assert!(!run.stderr.contains("hots"), "{}", run.stderr);
}

#[test]
fn clap_errors_mask_a_connection_string_given_to_the_wrong_flag() {
    let env = Env::new();
    let run = env.run(&[
        "check",
        "--timeout",
        &format!("postgresql://u:{SECRET}@h/db"),
    ]);
    run.expect(2);
    assert_unsaid(&run, SECRET, "--timeout URL");
    // Shapes a pattern would miss: a tab before the value, a quoted value with spaces, a
    // query after user information; and --flag=value.
    for bad in [
        format!("host=h password=\t{SECRET}"),
        format!("host=h password='a b {SECRET}'"),
        format!("postgresql://u@h/db?password={SECRET}"),
    ] {
        for args in [
            vec!["check".to_string(), "--client".into(), bad.clone()],
            vec!["check".to_string(), format!("--jobs={bad}")],
        ] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = env.run(&args);
            run.expect(2);
            assert_unsaid(&run, SECRET, &format!("{args:?}"));
        }
    }
}

#[test]
fn download_urls_are_shown_without_their_credentials_or_query() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        respond(
            w,
            "503 Service Unavailable",
            &[("Retry-After", "0")],
            b"busy",
        )
    });
    let with_secrets = |path: &str| {
        server
            .url(path)
            .replace("http://", &format!("http://u:{SECRET}@"))
            + "?token=T0KENZq9xKw7y"
    };
    // --url: the retry line, the error and the JSON.
    let url = with_secrets("/DigiCertGlobalRootG2.crt.pem");
    let run = env.fetch(&url).retries(1).run();
    run.expect(3).stderr_has("http://****@127.0.0.1");
    assert_unsaid(&run, SECRET, "--url");
    assert_unsaid(&run, "T0KENZq9xKw7y", "--url query");
    let run = env.fetch(&url).retries(0).args(&["--json"]).run();
    run.expect(3);
    assert_unsaid(&run, SECRET, "--url --json");
    // --mirror.
    let mirror = server
        .url("/certs/")
        .replace("http://", &format!("http://u:{SECRET}@"));
    let run = env.fetch_mirror(&mirror).retries(1).run();
    run.expect(3);
    assert_unsaid(&run, SECRET, "--mirror");
    // inspect URL.
    let run = env.run(&["inspect", &url]);
    run.expect(3);
    assert_unsaid(&run, SECRET, "inspect");
    assert_unsaid(&run, "T0KENZq9xKw7y", "inspect query");
    // A saved certificate's source in JSON.
    let ok = Server::serving(g2_pem());
    let url = ok
        .url("/g2.pem")
        .replace("http://", &format!("http://u:{SECRET}@"));
    let run = fetch_url(&env, &url, &["--json"]);
    run.expect(0);
    assert_unsaid(&run, SECRET, "source");
    assert!(
        run.json()["certificates"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("http://****@127.0.0.1")
    );
}

#[test]
fn a_file_that_is_not_a_target_list_is_named_by_line_never_read_out() {
    let env = Env::new();
    let shadow = env.path("shadow");
    std::fs::write(
        &shadow,
        format!(
            "root:$y$j9T${SECRET}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n\
             password {SECRET}\n127.0.0.1:5432:db:daemon:{SECRET}\n"
        ),
    )
    .unwrap();
    let run = env.run(&[
        "check",
        "--targets",
        shadow.to_str().unwrap(),
        "--ca",
        &ca(&env),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_unsaid(&run, SECRET, "shadow");
    assert!(
        !run.stdout.contains("root") && !run.stdout.contains("daemon"),
        "{}",
        run.stdout
    );
    for line in 1..=4 {
        assert!(
            run.stdout.contains(&format!("line {line} of ")),
            "{}",
            run.stdout
        );
    }
    // NUL-separated (/proc/self/environ) is not a text file of targets.
    let environ = env.path("environ");
    std::fs::write(&environ, format!("PGPASSWORD={SECRET}\0HOME=/root\0")).unwrap();
    let run = env.run(&["check", "--targets", environ.to_str().unwrap()]);
    run.expect(2).stderr_has("not a text file of targets");
    assert_unsaid(&run, SECRET, "environ");
}
