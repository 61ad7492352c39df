//! Plain-TLS servers: ones that answer, and ones that never do.

use super::*;

/// A plain-TLS server on 127.0.0.1 serving `tls` to every connection, which it holds until
/// the client closes. It counts the connections open now, and the most that were at once
/// between their accept and the server's first answer: a span within the client's check,
/// so that peak never exceeds the checks the client ran at once.
pub struct TlsServer {
    pub port: u16,
    open: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    pub accepted: Arc<AtomicUsize>,
}

impl TlsServer {
    pub fn start(tls: &ServerTls) -> TlsServer {
        Self::start_with(tls, Duration::ZERO)
    }

    /// Like `start`, holding each connection `delay` before the handshake.
    pub fn start_with(tls: &ServerTls, delay: Duration) -> TlsServer {
        let certs: Vec<rustls::pki_types::CertificateDer<'static>> =
            pem::parse_many(&tls.chain_pem)
                .unwrap()
                .into_iter()
                .map(|p| p.into_contents().into())
                .collect();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            pem::parse(&tls.key_pem).unwrap().into_contents().into(),
        );
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (o, p, a) = (open.clone(), peak.clone(), accepted.clone());
        let handshaking = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, open, peak) = (config.clone(), o.clone(), p.clone());
                let handshaking = handshaking.clone();
                a.fetch_add(1, Ordering::SeqCst);
                let now = handshaking.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                open.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    std::thread::sleep(delay);
                    // The client waits for our answer until now, so this span is inside
                    // its check (after the handshake, it may already have moved on).
                    handshaking.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                    let conn = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(conn, stream);
                    let mut sink = [0u8; 256];
                    while matches!(tls.read(&mut sink), Ok(n) if n > 0) {}
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        TlsServer {
            port,
            open,
            peak,
            accepted,
        }
    }

    /// The most connections it held at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub fn open_now(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

/// A port on 127.0.0.1 that accepts connections and never answers (held until dropped).
pub struct Silent {
    pub port: u16,
    _listener: TcpListener,
}

/// `n` ports on 127.0.0.1 that accept connections and never answer, each held until the
/// client closes it; they count how many were held at once across all of them.
pub struct SilentFleet {
    pub ports: Vec<u16>,
    open: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl SilentFleet {
    pub fn start(n: usize) -> SilentFleet {
        let open = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let ports = (0..n)
            .map(|_| {
                let listener = TcpListener::bind("127.0.0.1:0").unwrap();
                let port = listener.local_addr().unwrap().port();
                let (open, peak) = (open.clone(), peak.clone());
                std::thread::spawn(move || {
                    for mut stream in listener.incoming().flatten() {
                        let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        let open = open.clone();
                        std::thread::spawn(move || {
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            let mut sink = [0u8; 256];
                            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                            open.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                });
                port
            })
            .collect();
        SilentFleet { ports, open, peak }
    }

    /// The most connections held at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub fn open_now(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Never accepted: the kernel completes the TCP handshake (backlog) and nobody reads.
        Silent {
            port,
            _listener: listener,
        }
    }
}
