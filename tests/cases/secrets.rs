//! What rootcert never prints and never grows (issue 16): a secret in any string it reads,
//! a byte a server or certificate controls that a terminal would act on, output or memory
//! beyond the size of the input. Every server here is on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

/// The secret every string below carries, in pieces that must never appear.
const SECRET: &str = "Zq9xKw7yS3CRET";

/// A trust file for `--ca` (the servers here never get as far as using it).
fn ca(env: &Env) -> String {
    let path = env.path("ca.pem");
    if !path.exists() {
        TestChain::direct("secrets test CA").write_to(&path);
    }
    path.to_str().unwrap().to_string()
}

fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Nothing of `secret` (no piece of 4 characters or more) in stdout or stderr.
fn assert_unsaid(run: &Run, secret: &str, context: &str) {
    for piece in secret.split(|c: char| !c.is_ascii_alphanumeric()) {
        if piece.len() >= 4 {
            assert!(
                !run.stdout.contains(piece) && !run.stderr.contains(piece),
                "{context}: '{piece}' printed:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
}

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
             password {SECRET}\n"
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
    for line in 1..=3 {
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

#[test]
fn a_bad_line_does_not_stop_the_others_and_trailing_comments_are_comments() {
    let env = Env::new();
    let port = closed_port();
    let file = env.path("targets.txt");
    std::fs::write(
        &file,
        format!(
            "# fleet\n127.0.0.1:{port}   # the first\nhost=127.0.0.1 port={port} sslmode=verify-full #second\n\
             host=x bogus=1\npassword='a #b' host=127.0.0.1 port={port}\n"
        ),
    )
    .unwrap();
    let run = env.run(&[
        "check",
        "--targets",
        file.to_str().unwrap(),
        "--json",
        "--ca",
        &ca(&env),
    ]);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert_eq!(lines[2]["verdict"], "error");
    let origin = lines[2]["target"].as_str().unwrap();
    assert!(
        origin.starts_with("line 4 of ") && origin.ends_with("targets.txt"),
        "{origin}"
    );
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("invalid connection option")
    );
    for i in [0, 1, 3] {
        assert!(
            lines[i]["error"].as_str().unwrap().contains("connect"),
            "{}",
            lines[i]
        );
    }
    // The quoted '#' is the password's, and stays masked.
    assert_eq!(
        lines[3]["target"],
        format!("password=**** host=127.0.0.1 port={port}")
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
}

/// Runs `cmd` and measures its peak resident memory (KiB) and its stdout's size. The
/// command is started by a small Python process and measured there (wait4's rusage), since
/// a child forked from this large test process would inherit its memory high-water mark.
fn run_measured(cmd: &mut Command) -> (Run, u64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let rss_file = dir.path().join("maxrss");
    let script = "import os, subprocess, sys\n\
        p = subprocess.Popen(sys.argv[2:])\n\
        _, status, usage = os.wait4(p.pid, 0)\n\
        open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n\
        sys.exit(os.waitstatus_to_exitcode(status))\n";
    let mut measured = Command::new("python3");
    measured
        .args(["-c", script])
        .arg(&rss_file)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    if let Some(dir) = cmd.get_current_dir() {
        measured.current_dir(dir);
    }
    let out = measured.output().unwrap();
    let size = out.stdout.len();
    let rss = std::fs::read_to_string(&rss_file).unwrap().parse().unwrap();
    (Run::from(out), rss, size)
}

#[test]
fn memory_and_output_grow_with_the_input_not_with_hosts_times_text() {
    let env = Env::new();
    let port = closed_port();
    let hosts = vec!["127.0.0.1"; 10_000].join(",");
    let target = format!(
        "host={hosts} port={port} sslmode=verify-full sslrootcert={}",
        ca(&env)
    );
    let file = env.path("targets.txt");
    std::fs::write(&file, &target).unwrap();
    for json in [false, true] {
        let mut cmd = env.cmd();
        cmd.args(["check", "--targets", file.to_str().unwrap(), "--jobs", "64"]);
        if json {
            cmd.arg("--json");
        }
        let (run, rss_kib, out_bytes) = run_measured(&mut cmd);
        assert_eq!(run.code, 3, "{}", run.stderr);
        // 10,000 rows of about 150 bytes; the old binary wrote the 100 KB target on each.
        assert!(
            out_bytes < 4_000_000,
            "{out_bytes} bytes of output (json {json})"
        );
        assert!(rss_kib < 64 * 1024, "{rss_kib} KiB peak RSS (json {json})");
        eprintln!("10,000-host target, json {json}: {out_bytes} bytes out, {rss_kib} KiB peak RSS");
    }
    // The full text is in JSON once, on the target's first host.
    let run = env.run(&["check", "--targets", file.to_str().unwrap(), "--json"]);
    let with_text = run.stdout.lines().filter(|l| l.contains(&hosts)).count();
    assert_eq!(with_text, 1);
}

#[test]
fn a_long_target_beside_another_is_shortened_in_the_table_not_a_panic() {
    let env = Env::new();
    let port = closed_port();
    let long = format!(
        "host=127.0.0.1 port={port} options='{}'",
        "-c search_path=x ".repeat(4000)
    );
    let short = format!("127.0.0.1:{port}");
    let ca = ca(&env);
    let run = env.run(&["check", &long, &short, "--ca", &ca]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stdout.contains("TARGET"), "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| l.len() < 400),
        "a line longer than the table allows"
    );
    let run = env.run(&["check", &long, &short, "--json", "--ca", &ca]);
    assert!(run.stdout.contains(&"-c search_path=x ".repeat(4000)));
}

/// A server on 127.0.0.1 that sends `reply` to every connection, then holds it briefly.
fn replying_server(reply: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let reply = reply.clone();
            std::thread::spawn(move || {
                let _ = stream.write_all(&reply);
                let mut sink = [0u8; 512];
                let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
                let _ = stream.read(&mut sink);
            });
        }
    });
    port
}

#[test]
fn a_mysql_server_announcing_a_huge_packet_is_not_believed() {
    let env = Env::new();
    // A 16 MiB packet announced, 1 KiB sent.
    let mut reply = vec![0xff, 0xff, 0xff, 0x00, 10];
    reply.extend(std::iter::repeat_n(b'A', 1024));
    let port = replying_server(reply);
    let targets: Vec<String> = (0..64).map(|_| format!("127.0.0.1:{port}")).collect();
    let mut cmd = env.cmd();
    cmd.args([
        "check",
        "--protocol",
        "mysql",
        "--timeout",
        "2",
        "--jobs",
        "64",
    ])
    .args(["--ca", &ca(&env)])
    .args(&targets);
    let (run, rss_kib, _) = run_measured(&mut cmd);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stdout.contains("16777215-byte packet"),
        "{}",
        run.stdout
    );
    assert!(rss_kib < 48 * 1024, "{rss_kib} KiB for 64 targets");
}

#[test]
fn jobs_fit_the_open_file_limit_and_say_so() {
    let env = Env::new();
    let port = closed_port();
    let file = env.path("targets.txt");
    let lines: Vec<String> = (0..400).map(|_| format!("127.0.0.1:{port}")).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = Command::new("prlimit")
        .args(["--nofile=64:64", "--"])
        .arg(env!("CARGO_BIN_EXE_rootcert"))
        .args([
            "check",
            "--jobs",
            "256",
            "--per-server",
            "256",
            "--targets",
            file.to_str().unwrap(),
            "--json",
        ])
        .args(["--ca", &ca(&env)])
        .env_clear()
        .env("HOME", env.path("home"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 3);
    assert!(
        !run.stdout.contains("Too many open files"),
        "{}",
        run.stdout
    );
    run.stderr_has("the open-file limit is 64");
}

#[test]
fn retry_after_never_outlasts_the_timeout() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        respond(
            w,
            "503 Service Unavailable",
            &[("Retry-After", "99999")],
            b"later",
        )
    });
    let started = Instant::now();
    let run = env
        .fetch(&server.url("/r.pem"))
        .args(&["--timeout", "2"])
        .run();
    run.expect(3)
        .stderr_has("Retry-After")
        .stderr_has("not retried");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// Text a terminal would act on: C0 controls but the line feed, DEL, and C1 controls.
fn assert_inert(run: &Run, context: &str) {
    for text in [&run.stdout, &run.stderr] {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
            .collect();
        assert!(
            bad.is_empty(),
            "{context}: {bad:?} reached the terminal:\n{text}"
        );
    }
}

/// ESC, an OSC title, BEL, CR, a C1 CSI and a bidi override: what a hostile server sends.
const HOSTILE: &str =
    "\x1b[2J\x1b]0;pwned\x07\rOK: sslmode=verify-full will succeed\u{9b}31m\u{202e}";

#[test]
fn server_controlled_bytes_reach_the_terminal_escaped() {
    let env = Env::new();
    // A MySQL ERR packet instead of a greeting.
    let mut err = vec![0xff, 0x69, 0x04];
    err.extend_from_slice(format!("#HY000{HOSTILE}").as_bytes());
    let mut packet = (err.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend(err);
    let port = replying_server(packet);
    let ca = ca(&env);
    let run = env.run(&[
        "check",
        "--protocol",
        "mysql",
        &format!("127.0.0.1:{port}"),
        "--ca",
        &ca,
    ]);
    run.expect(3).stderr_has("\\x1B[2J");
    assert_inert(&run, "MySQL ERR");
    // A MySQL greeting whose version string is hostile, from a server without TLS.
    let mut hello = vec![10];
    hello.extend_from_slice(HOSTILE.as_bytes());
    hello.push(0);
    hello.extend_from_slice(&[1, 0, 0, 0]);
    hello.extend_from_slice(b"12345678\0");
    hello.extend_from_slice(&0x0200u16.to_le_bytes()); // 4.1 protocol, no SSL
    hello.extend_from_slice(&[45, 2, 0, 0, 0]);
    let mut packet = (hello.len() as u32).to_le_bytes()[..3].to_vec();
    packet.push(0);
    packet.extend(hello);
    let port = replying_server(packet);
    let run = env.run(&[
        "check",
        "--protocol",
        "mysql",
        &format!("127.0.0.1:{port}"),
        "--ca",
        &ca,
    ]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_inert(&run, "MySQL version");
    // An HTML page whose title is hostile, in fetch and inspect errors.
    let page = format!("<html><head><title>{HOSTILE}</title></head></html>");
    let server = Server::serving(page);
    let run = fetch_url(&env, &server.url("/x.pem"), &[]);
    run.expect(4);
    assert_inert(&run, "HTML title (fetch)");
    let run = env.run(&["inspect", &server.url("/x.pem")]);
    assert_inert(&run, "HTML title (inspect)");
    // A certificate whose CN and DNS name are hostile: the name mismatch and the fix.
    let (ca_pem, config) = hostile_tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let mut tcp = tcp;
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    break;
                }
            }
        }
    });
    let hostile_ca = env.path("hostile-ca.pem");
    std::fs::write(&hostile_ca, ca_pem).unwrap();
    for json in [false, true] {
        let mut args = vec![
            "check".to_string(),
            format!("tls://127.0.0.1:{port}"),
            "--ca".into(),
            hostile_ca.to_str().unwrap().into(),
        ];
        if json {
            args.push("--json".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        run.expect(4);
        assert_inert(&run, "certificate names");
        if json {
            // JSON carries the same bytes, escaped as JSON escapes them.
            assert!(run.stdout.contains("\\u001b[2J"), "{}", run.stdout);
        }
    }
}

/// A CA and a TLS server whose certificate's CN and dNSName carry [`HOSTILE`] bytes.
fn hostile_tls_server() -> (String, std::sync::Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, DnValue, IsCa, KeyPair,
        SanType,
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "hostile test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    let ascii: String = HOSTILE.chars().filter(char::is_ascii).collect();
    params.subject_alt_names = vec![SanType::DnsName(ascii.clone().try_into().unwrap())];
    params
        .distinguished_name
        .push(DnType::CommonName, DnValue::Utf8String(HOSTILE.to_string()));
    let leaf = params.signed_by(&key, &ca).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (ca.pem(), std::sync::Arc::new(config))
}

// ---- Smaller (issue 16, item 17) ----

#[test]
fn a_services_file_that_cannot_be_read_says_so() {
    let env = Env::new();
    let fifo = env.path("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let dir = env.path("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let huge = env.path("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    for (file, why) in [
        (fifo.as_path(), "not a regular file"),
        (dir.as_path(), "not a regular file"),
        (huge.as_path(), "KiB"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
    ] {
        let started = Instant::now();
        let run = Run::from(
            env.cmd()
                .env("PGSERVICEFILE", file)
                .args(["check", "service=s", "--ca", &ca(&env)])
                .output()
                .unwrap(),
        );
        run.expect(2)
            .stderr_has(why)
            .stderr_has("the services file");
        assert!(!run.stderr.contains("not found"), "{}", run.stderr);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn a_private_key_given_as_roots_is_never_offered_to_be_overwritten() {
    let env = Env::new();
    let key = env.path("ca.key");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIC9oQ0G1Wp1fD6jlqaQ+LgHK5J1vnvyDlrgFOmIqvq3Q\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let key_text = key.to_str().unwrap();
    let run = env.run(&["verify", key_text]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        !run.stderr.contains(&format!("-o {key_text}")),
        "{}",
        run.stderr
    );
    run.stderr_has("private key");
    let run = env.run(&["check", "127.0.0.1:1", "--ca", key_text]);
    assert!(
        !run.stdout.contains(&format!("-o {key_text}")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(&format!("-o {key_text}")),
        "{}",
        run.stderr
    );
    let run = env.run(&["inspect", key_text]);
    assert!(
        !run.stdout.contains(&format!("-o {key_text}")),
        "{}",
        run.stdout
    );
}

#[test]
fn alpn_names_are_one_to_255_bytes() {
    let env = Env::new();
    let long = "x".repeat(256);
    for bad in ["", long.as_str()] {
        env.run(&[
            "check",
            "tls://127.0.0.1:1",
            "--alpn",
            bad,
            "--ca",
            &ca(&env),
        ])
        .expect(2)
        .stderr_has("ALPN");
    }
}

#[test]
fn targets_on_stdin_wait_for_the_timeout_only() {
    let env = Env::new();
    let mut child = env
        .cmd()
        .args([
            "check",
            "--targets",
            "-",
            "--timeout",
            "1",
            "--ca",
            &ca(&env),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin = child.stdin.take();
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 s"));
}
