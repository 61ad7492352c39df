//! Connection strings as targets. The parser is compared with libpq's own
//! (`PQconninfoParse`, through psycopg's `conninfo_to_dict`, libpq 18), string by string;
//! then the strings' TLS settings are judged against a real PostgreSQL, with psql as the
//! oracle where it can be one (sslmode=require and its root.crt trap).

use std::collections::HashMap;
use std::process::Command;

use crate::support::*;

/// libpq's reading of each string: its keyword/value settings, or `None` when it refuses.
fn libpq_parses(strings: &[&str]) -> Option<Vec<Option<HashMap<String, String>>>> {
    let script = "import json, sys\n\
        from psycopg.conninfo import conninfo_to_dict\n\
        for s in json.load(sys.stdin):\n\
        \x20   try: print(json.dumps(conninfo_to_dict(s)))\n\
        \x20   except Exception: print('null')\n";
    let mut cmd = Command::new("python3");
    cmd.args(["-c", script]);
    let out = pipe(&mut cmd, serde_json::to_string(strings).unwrap().as_bytes());
    if !out.status.success() {
        let message = "python3 with psycopg (libpq's parser) is not available";
        if std::env::var_os("ROOTCERT_REQUIRE_CLIENTS").is_some() {
            panic!("{message}: {}", String::from_utf8_lossy(&out.stderr));
        }
        crate::support::suites::skipped("psycopg conninfo", message);
        return None;
    }
    crate::support::suites::ran("psycopg conninfo");
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[test]
fn connection_strings_parse_as_libpq_parses_them() {
    let strings = [
        "host=db.example.com port=5432 sslmode=verify-full sslrootcert=/etc/app/root.crt",
        "host = db   port=6543\tsslmode='verify-ca'",
        "host=a,b,c port=1,2,3 hostaddr=127.0.0.1,127.0.0.2,127.0.0.3",
        "host='db with space' password='it\\'s' user=\\'q",
        "host=db sslnegotiation=direct sslmode=require",
        "host=db sslrootcert=system",
        "dbname=app host=db application_name=x connect_timeout=5 target_session_attrs=any",
        "host=db password=",
        "postgresql://app:s3cr%40t@db.example.com:5432/app?sslmode=verify-full&sslrootcert=/etc/app/root.crt",
        "postgres://db.example.com",
        "postgresql://[::1]:5433/db?sslmode=require",
        "postgresql://[2001:db8::1],other:7/db",
        "postgresql://h%2Ex,h2:5/db%20x?application_name=a%26b",
        "postgresql://db?ssl=true",
        "postgresql://db?sslmode=verify-full&ssl=true",
        "postgresql://user@db/?host=other&port=9",
        "postgresql:///db?host=db.example.com",
        "postgresql://db/app?hostaddr=127.0.0.1&sslmode=verify-full",
        // Refused by libpq:
        "host=db bogus=1",
        "host=db sslmode",
        "host='db",
        "postgresql://db/?sslmode",
        "postgresql://db/?a=b=c",
        "postgresql://db/?bogus=1",
        "postgresql://[::1/db",
        "postgresql://[]/db",
        "postgresql://db%zz/",
        "postgresql://db%00/",
        "postgresql://[::1]x/db",
    ];
    let Some(libpq) = libpq_parses(&strings) else {
        return;
    };
    let mut differences = Vec::new();
    for (string, theirs) in strings.iter().zip(libpq) {
        let ours = rootcert::fuzzing::connection_settings(string).ok();
        // libpq lists every keyword it was given; an empty value is still a value.
        if ours != theirs {
            differences.push(format!(
                "{string}\n  libpq:    {theirs:?}\n  rootcert: {ours:?}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// What counts as a password is libpq's answer: for strings with secrets among every
/// separator that once split one, libpq's own parser says which settings hold secrets, and
/// nothing of those values may appear in what rootcert shows (the target, or its error).
#[test]
fn what_libpq_reads_as_a_secret_is_never_shown() {
    let strings = [
        "postgresql://app:Xy7?Q2zSECRET1@db/app?sslmode=verify-full",
        "postgresql://app:Xy7#Q2zSECRET2@db/app",
        "postgresql://app:Xy7;Q2z&SECRET3@db/app",
        "postgresql://app:Xy7%2FQ2zSECRET4@db/app",
        "postgresql://app:50%25offSECRET5@db/app",
        "postgresql://db/app?pass%77ord=SECRET6xyz",
        "postgresql://db/app?sslpassword=SECRET7xyz&oauth_client_secret=SECRET8xyz",
        "host=db password=\tSECRET9xyz",
        "host=db\rpassword=SECRET10xy",
        "host=db\x0cpassword=SECRET11xy",
        "host=db password=ab;SECRET12xy",
        "host=db password='a b SECRET13x'",
        "host=db scram_client_key=SECRET14xy scram_server_key=SECRET15xy",
        "host=db sslpassword='it\\'s SECRET16'",
    ];
    let Some(libpq) = libpq_parses(&strings) else {
        return;
    };
    for (string, theirs) in strings.iter().zip(libpq) {
        let theirs = theirs.unwrap_or_else(|| panic!("libpq refuses {string:?}"));
        let secrets: Vec<&String> = theirs
            .iter()
            .filter(|(k, _)| rootcert::fuzzing::is_secret(k))
            .map(|(_, v)| v)
            .collect();
        assert!(!secrets.is_empty(), "libpq reads no secret in {string:?}");
        let shown = match rootcert::fuzzing::parse_target(string) {
            Ok(shown) | Err(shown) => shown,
        };
        for secret in secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "{secret:?} shown: {shown}"
            );
        }
        assert!(shown.contains("****"), "{shown}");
    }
}

/// Every libpq connection string the tests give `rootcert check`, to be checked against
/// libpq's parser: the tests use only strings libpq accepts.
static USED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn used(string: &str) {
    if string.starts_with("postgres")
        || (string.contains('=') && !string.starts_with("--") && !string.contains("://"))
    {
        USED.lock().unwrap().push(string.to_string());
    }
}

/// `rootcert check` with a clean HOME (no ~/.postgresql/root.crt) unless given one.
fn check(env: &Env, args: &[&str]) -> Run {
    args.iter().for_each(|a| used(a));
    env.run(&[&["check"], args].concat())
}

#[test]
fn a_strings_own_tls_settings_decide_the_verdict() {
    let Some((server, chain)) = pg::shared() else {
        return;
    };
    let other = TestChain::new("connstr other root", false);
    let env = Env::new();
    let root = env.path("root.pem");
    std::fs::write(&root, &chain.root_pem).unwrap();
    let wrong = env.path("wrong.pem");
    std::fs::write(&wrong, &other.root_pem).unwrap();
    let port = server.port;
    let (r, w) = (root.display(), wrong.display());
    let base =
        format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres");

    // verify-full with the string's own root, a password that must never be printed.
    let url = format!(
        "postgresql://postgres:hunter2@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={r}"
    );
    for json in [false, true] {
        let run = check(&env, &[&url, if json { "--json" } else { "--timeout=10" }]);
        run.expect(0);
        assert!(
            !format!("{}{}", run.stdout, run.stderr).contains("hunter2"),
            "{}",
            run.stdout
        );
        if json {
            let report = run.json();
            assert_eq!(report["verdict"], "pass");
            assert_eq!(report["target"], url.replace("hunter2", "****"));
        }
    }
    // --ca does not override a string that names its own root.
    check(&env, &[&url, "--ca", wrong.to_str().unwrap()]).expect(0);
    // verify-ca: the chain only, so a wrong root fails and a wrong name does not.
    let run = check(
        &env,
        &[&format!("{base} sslmode=verify-ca sslrootcert={w}")],
    );
    run.expect(4).stdout_has("FAIL");
    let mismatched = format!(
        "host=wrong.name hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-ca sslrootcert={r}"
    );
    let run = check(&env, &[&mismatched]);
    run.expect(0).stdout_has("does not check the host name");
    assert_eq!(server.psql(&mismatched, &env.path("home"), &[]), Ok(()));

    // require: unverified without ~/.postgresql/root.crt (psql connects); with a wrong
    // one there, libpq verifies the chain and fails, and so must rootcert.
    let require = format!("{base} sslmode=require");
    let run = check(&env, &[&require]);
    run.expect(4).stdout_has("UNVERIFIED");
    assert_eq!(server.psql(&require, &env.path("home"), &[]), Ok(()));
    let home = env.path("home/.postgresql");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("root.crt"), &other.root_pem).unwrap();
    let run = check(&env, &[&require, "--json"]);
    run.expect(4);
    assert_eq!(run.json()["verdict"], "fail", "{}", run.stdout);
    assert!(
        server.psql(&require, &env.path("home"), &[]).is_err(),
        "psql must fail too"
    );
    // With the right root there, psql verifies the chain (not the name) and connects: a
    // pass, as verify-ca is, since a server with another CA's certificate would fail.
    std::fs::write(home.join("root.crt"), &chain.root_pem).unwrap();
    let run = check(&env, &[&require, "--json"]);
    run.expect(0);
    assert_eq!(run.json()["verdict"], "pass");
    assert!(
        run.stdout.contains("verifies the chain because"),
        "{}",
        run.stdout
    );
    assert_eq!(server.psql(&require, &env.path("home"), &[]), Ok(()));
    std::fs::remove_file(home.join("root.crt")).unwrap();

    // prefer, and no sslmode at all: unverified, with the fix.
    for conninfo in [
        format!("{base} sslmode=prefer sslrootcert={r}"),
        base.clone(),
    ] {
        let run = check(&env, &[&conninfo]);
        run.expect(4)
            .stdout_has("UNVERIFIED")
            .stdout_has("sslmode=verify-full");
    }
    // prefer connects for psql too, unverified.
    let prefer = format!("{base} sslmode=prefer sslrootcert={r}");
    assert_eq!(server.psql(&prefer, &env.path("home"), &[]), Ok(()));
    // libpq's default sslrootcert, missing: verify-full fails before connecting.
    let missing_default = format!("{base} sslmode=verify-full");
    let run = check(&env, &[&missing_default]);
    run.expect(4).stdout_has("does not exist");
    let psql = server.psql(&missing_default, &env.path("home"), &[]);
    assert!(
        psql.as_ref().is_err_and(|e| e.contains("does not exist")),
        "{psql:?}"
    );
    // hostaddr without host: libpq checks its default host, a socket directory.
    let no_host = format!(
        "hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={r}"
    );
    check(&env, &[&no_host])
        .expect(4)
        .stdout_has("give host=NAME with hostaddr");
    let psql = server.psql(&no_host, &env.path("home"), &[]);
    assert!(
        psql.as_ref()
            .is_err_and(|e| e.contains("does not match host name")),
        "{psql:?}"
    );
    // sslrootcert=system: the OpenSSL default store (SSL_CERT_FILE).
    let run = Run::from(
        env.cmd()
            .env("SSL_CERT_FILE", &root)
            .args(["check", &format!("{base} sslrootcert=system")])
            .output()
            .unwrap(),
    );
    run.expect(0);
    let run = check(
        &env,
        &[&format!("{base} sslrootcert=system sslmode=require")],
    );
    run.expect(4)
        .stdout_has("may not be used with sslrootcert=system");

    // Several hosts: each is checked; one name is wrong.
    let run = check(
        &env,
        &[&format!(
            "host=localhost,wrong.name hostaddr=127.0.0.1,127.0.0.1 port={port} sslmode=verify-full sslrootcert={r}"
        )],
    );
    run.expect(4)
        .stdout_has("1 of 2 passed")
        .stdout_has("not wrong.name");

    // --env: PG* variables, as libpq reads them (psql connects with the same); the
    // password stays hidden.
    let port_text = port.to_string();
    let pg_env = [
        ("PGHOST", "localhost"),
        ("PGHOSTADDR", "127.0.0.1"),
        ("PGPORT", port_text.as_str()),
        ("PGSSLMODE", "verify-full"),
        ("PGSSLROOTCERT", root.to_str().unwrap()),
        ("PGPASSWORD", "hunter2"),
    ];
    let run = Run::from(
        env.cmd()
            .envs(pg_env)
            .args(["check", "--env", "--json"])
            .output()
            .unwrap(),
    );
    run.expect(0);
    assert_eq!(
        server.psql("dbname=postgres user=postgres", &env.path("home"), &pg_env),
        Ok(())
    );
    assert!(!run.stdout.contains("hunter2"));
    assert!(
        run.json()["target"]
            .as_str()
            .unwrap()
            .contains("PGPASSWORD=****")
    );
    // DATABASE_URL, with PGSSLMODE filling what it leaves out.
    let run = Run::from(
        env.cmd()
            .env(
                "DATABASE_URL",
                format!("postgres://u:pw@localhost:{port}/postgres?sslrootcert={r}"),
            )
            .env("PGSSLMODE", "verify-full")
            .args(["check", "--env"])
            .output()
            .unwrap(),
    );
    run.expect(0).stdout_has("DATABASE_URL=postgres://u:****@");

    // service=NAME from the services file (PGSERVICEFILE), with psql reading the same.
    used(&format!("{base} sslrootcert=system"));
    used("service=app dbname=postgres");
    let services = env.path("pg_service.conf");
    std::fs::write(
        &services,
        format!("# test\n[app]\nhost=localhost\nhostaddr=127.0.0.1\nport={port}\nsslmode=verify-full\nsslrootcert={w}\n"),
    )
    .unwrap();
    let run = Run::from(
        env.cmd()
            .env("PGSERVICEFILE", &services)
            .args(["check", "service=app dbname=postgres"])
            .output()
            .unwrap(),
    );
    run.expect(4).stdout_has("FAIL");
    let psql = server.psql(
        "service=app dbname=postgres user=postgres",
        &env.path("home"),
        &[("PGSERVICEFILE", services.to_str().unwrap())],
    );
    assert!(
        psql.as_ref()
            .is_err_and(|e| e.contains("certificate verify failed")),
        "psql must fail on the wrong root too: {psql:?}"
    );
    check(&env, &["service=missing"]).expect(2);

    // JDBC URLs as pgjdbc reads them: ssl=true means verify-full.
    let jdbc = format!(
        "jdbc:postgresql://localhost:{port}/postgres?ssl=true&sslrootcert={r}&password=hunter2"
    );
    let run = check(&env, &[&jdbc, "--json"]);
    run.expect(0);
    assert_eq!(run.json()["client"], "pgjdbc");
    assert!(!run.stdout.contains("hunter2"));
    // Several targets as JSON lines: a server that is not there is an error line, and the
    // run exits with its code when nothing else failed.
    let run = check(
        &env,
        &[
            &url,
            "127.0.0.1:1",
            "--ca",
            root.to_str().unwrap(),
            "--json",
        ],
    );
    run.expect(3);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(
        (lines[0]["verdict"].as_str(), lines[1]["verdict"].as_str()),
        (Some("pass"), Some("error"))
    );
    assert_eq!(lines[1]["exit_code"], 3);

    // --min-days fails a chain that expires too soon; --client adds a driver's form.
    check(&env, &[&url, "--min-days", "1000000"])
        .expect(4)
        .stdout_has("within the 1000000 days asked for");
    let run = check(
        &env,
        &[&url, "--client", "psycopg", "--client", "pgx", "--json"],
    );
    run.expect(0);
    let report = run.json();
    assert!(setting(&report, "pgx").contains("postgres://postgres@localhost"));
    assert_eq!(report["clients"].as_array().unwrap().len(), 2);
    // The psycopg and node-postgres lines, run as printed, connect with verification.
    let psycopg = setting(&report, "psycopg");
    run_snippet(
        "python3",
        &format!("import psycopg\nc = {psycopg}\nprint(c.execute('select 1').fetchone()[0])"),
    );
    let run = check(&env, &[&url, "--client", "node-postgres", "--json"]);
    let node_line = setting(&run.json(), "node-postgres");
    run_snippet(
        "node",
        &format!(
            "const pg = require('pg'); const fs = require('fs');\nconst c = {node_line};\n\
             c.connect().then(() => c.query('select 1')).then(() => c.end())\n\
             .catch((e) => {{ console.error(e.message); process.exit(1); }});"
        ),
    );
    // The strings above (less the one that must be refused) are all ones libpq accepts.
    let strings: Vec<String> = std::mem::take(&mut *USED.lock().unwrap())
        .into_iter()
        .filter(|s| s != "service=missing")
        .collect();
    let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
    if let Some(parsed) = libpq_parses(&refs) {
        for (string, parsed) in strings.iter().zip(parsed) {
            assert!(
                parsed.is_some(),
                "libpq refuses a string the tests use: {string}"
            );
        }
        assert!(strings.len() >= 15, "{strings:?}");
    }
}

#[test]
fn env_without_a_host_is_a_usage_error_named_once() {
    let env = Env::new();
    let run = Run::from(
        env.cmd()
            .env_remove("DATABASE_URL")
            .env_remove("PGHOST")
            .env_remove("PGHOSTADDR")
            .env_remove("PGSERVICE")
            .args(["check", "--env"])
            .output()
            .unwrap(),
    );
    run.expect(2)
        .stderr_has("error: --env: neither DATABASE_URL nor PGHOST is set");
}
