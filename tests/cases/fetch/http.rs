//! The download: retries, redirects, caps, deadlines, TLS and proxies.

use super::*;

#[test]
fn a_404_is_not_retried() {
    let env = Env::new();
    let server = Server::http(|_, w| respond(w, "404 Not Found", &[], b"no"));
    let run = env.fetch(&server.url("/x")).retries(3).run();
    run.expect(3);
    run.stderr_has("HTTP 404 Not Found");
    assert_eq!(server.hits(), 1);
    assert_out_empty(&env);
}

#[test]
fn a_503_with_retry_after_is_retried_then_succeeds() {
    let env = Env::new();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let body = g2_pem();
    let server = Server::http(move |_, w| {
        if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            respond(
                w,
                "503 Service Unavailable",
                &[("Retry-After", "1")],
                b"busy",
            );
        } else {
            respond(w, "200 OK", &[], body.as_bytes());
        }
    });
    let started = std::time::Instant::now();
    let run = env.fetch(&server.url("/x")).retries(2).run();
    run.expect(0);
    assert_eq!(server.hits(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was not honoured"
    );
    run.stderr_has("HTTP 503 Service Unavailable; retrying in 1.0 s (retry 1 of 2)");
}

#[test]
fn redirects_are_followed_but_bounded() {
    let env = Env::new();
    let target = Server::serving(g2_pem());
    let location = target.url("/real.pem");
    let redirect =
        Server::http(move |_, w| respond(w, "302 Found", &[("Location", &location)], b""));
    fetch_url(&env, &redirect.url("/short"), &[]).expect(0);
    assert_eq!(target.hits(), 1);

    let env = Env::new();
    let looping = Server::http(|req, w| {
        let next = format!("{}x", req.target);
        respond(w, "302 Found", &[("Location", &next)], b"");
    });
    let run = fetch_url(&env, &looping.url("/loop"), &[]);
    run.expect(3);
    run.stderr_has("more than 5 redirects");
    assert_eq!(looping.hits(), 6);
    assert_out_empty(&env);
}

#[test]
fn an_https_to_http_redirect_is_refused() {
    let env = Env::new();
    let ca = TestChain::direct("rootcert test CA");
    ca.write_to(&env.path("ca.pem"));
    let plain = Server::serving(g2_pem());
    let location = plain.url("/g2.pem");
    let secure = Server::https(&ca, move |_, w| {
        respond(w, "301 Moved", &[("Location", &location)], b"")
    });
    let run = fetch_url(
        &env,
        &secure.url("/g2.pem"),
        &["--ca-file", env.path("ca.pem").to_str().unwrap()],
    );
    run.expect(3);
    run.stderr_has("refused a redirect from https to plain http");
    assert_eq!(plain.may_be_unused().hits(), 0);
}

#[test]
fn an_endless_body_is_capped() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        let _ = w.write_all(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n-----BEGIN CERTIFICATE-----\n",
        );
        let line = [b'A'; 1024];
        for _ in 0..4096 {
            if w.write_all(&line).is_err() {
                return;
            }
        }
    });
    let before = snapshot(&env.path("out"));
    let run = fetch_url(&env, &server.url("/endless"), &[]);
    run.expect(3);
    run.stderr_has("body too large");
    assert_eq!(snapshot(&env.path("out")), before);

    let liar = Server::http(|_, w| {
        let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
    });
    let run = fetch_url(&env, &liar.url("/huge"), &[]);
    run.expect(3);
    run.stderr_has("body too large: 10000000 bytes");
}

#[test]
fn a_server_that_trickles_bytes_hits_the_deadline() {
    let env = Env::new();
    let server = Server::http(|_, w| {
        let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
        for _ in 0..100 {
            if w.write_all(b"A").and_then(|_| w.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let started = std::time::Instant::now();
    let run = fetch_url(&env, &server.url("/slow"), &["--timeout", "1"]);
    run.expect(3);
    run.stderr_has("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the deadline must bound the whole download"
    );
    assert_out_empty(&env);
}

#[test]
fn a_connection_cut_mid_body_is_a_download_failure_and_is_retried() {
    let env = Env::new();
    let pem_text = g2_pem();
    let server = Server::http(move |_, w| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            pem_text.len()
        );
        let _ = w.write_all(head.as_bytes());
        let _ = w.write_all(&pem_text.as_bytes()[..300]);
    });
    let run = env.fetch(&server.url("/cut")).retries(1).run();
    run.expect(3);
    assert_eq!(
        server.hits(),
        2,
        "a cut connection may pass on a second try"
    );
    run.stderr_has("retrying");
    assert_out_empty(&env);
}

#[test]
fn https_with_the_given_ca_works_and_an_untrusted_ca_fails() {
    let env = Env::new();
    let ca = TestChain::direct("rootcert test CA");
    ca.write_to(&env.path("ca.pem"));
    let other = TestChain::direct("some other CA");
    other.write_to(&env.path("other-ca.pem"));
    let body = g2_pem();
    let server = Server::https(&ca, move |_, w| respond(w, "200 OK", &[], body.as_bytes()));

    let other_ca = env.path("other-ca.pem");
    let run = env
        .fetch(&server.url("/g2.pem"))
        .retries(2)
        .args(&["--ca-file", other_ca.to_str().unwrap()])
        .run();
    run.expect(3);
    run.stderr_has("UnknownIssuer");
    run.stderr_has("pass its CA with --ca-file");
    assert!(
        !run.stderr.contains("retrying"),
        "a TLS rejection must not be retried:\n{}",
        run.stderr
    );
    assert_out_empty(&env);

    fetch_url(
        &env,
        &server.url("/g2.pem"),
        &["--ca-file", env.path("ca.pem").to_str().unwrap()],
    )
    .expect(0);
    assert_eq!(openssl_fingerprint(&env.default_out()), G2_SHA256);
}

#[test]
fn http_proxy_from_the_environment_is_honoured() {
    let env = Env::new();
    let body = g2_pem();
    let proxy = Server::http(move |_, w| respond(w, "200 OK", &[], body.as_bytes()));
    let run = Run::from(
        env.fetch("http://certs.example.invalid/G2.pem")
            .retries(0)
            .command()
            .env("HTTP_PROXY", proxy.url(""))
            .output()
            .unwrap(),
    );
    run.expect(0);
    assert_eq!(
        proxy.requests()[0].target,
        "http://certs.example.invalid/G2.pem"
    );
}

#[test]
fn no_proxy_bypasses_the_proxy_for_listed_hosts() {
    let env = Env::new();
    let direct = Server::serving(g2_pem());
    let run = Run::from(
        env.fetch(&direct.url("/g2.pem"))
            .retries(0)
            .command()
            .env("HTTP_PROXY", closed_port_url(""))
            .env("NO_PROXY", "127.0.0.1")
            .output()
            .unwrap(),
    );
    run.expect(0);
    assert_eq!(direct.hits(), 1);
}

#[test]
fn a_refused_connection_is_not_retried_and_is_one_line() {
    let env = Env::new();
    let url = closed_port_url("/g2.pem");
    let run = env.fetch(&url).retries(3).run();
    run.expect(3);
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("trying"),
        "no next source to try: {}",
        run.stderr
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(&url))
        .expect("the URL is named");
    assert!(
        line.contains("could not connect: Connection refused"),
        "{line}"
    );
    assert!(!line.contains("client error"), "no hyper layers: {line}");
    assert_out_empty(&env);
}

#[test]
fn retries_are_bounded() {
    let env = Env::new();
    let run = env.run(&["fetch", "--retries", "11", "--offline"]);
    run.expect(2);
    run.stderr_has("11");
    env.run(&["fetch", "--retries", "10", "--offline"])
        .expect(0);
}
