//! How `check` reaches the TLS handshake: a TCP connection, whatever the protocol says
//! before TLS starts (PostgreSQL's SSLRequest, or nothing for direct TLS), then a rustls
//! handshake that records the server's chain. A new protocol is a new file here with a
//! [`Preamble`] implementation.

mod direct;
pub(crate) mod mysql;
mod postgres;

use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, ProtocolVersion, SignatureScheme};

use crate::check::Protocol;
use crate::error::Error;

/// What the handshake yields: the chain as the server sent it, and how the session went.
pub(crate) struct Session {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) tls_version: String,
    /// Why the server's handshake signature could not be verified, when it could not.
    pub(crate) unverified_signature: Option<String>,
}

/// The bytes a protocol exchanges on the socket before TLS starts (and after, to close),
/// and what it asks of TLS.
pub(crate) trait Preamble {
    /// Runs the exchange before the handshake (nothing for direct TLS).
    fn before_tls(&self, stream: &mut dyn Stream, at: &str) -> Result<(), Step>;
    /// Ends the session the way the protocol's clients do, over TLS, so the server does
    /// not count the probe as an aborted connection (MySQL's `max_connect_errors`).
    fn after_tls(&self, _tls: &mut dyn Stream) -> Result<(), Step> {
        Ok(())
    }
    /// ALPN protocols to offer.
    fn alpn(&self) -> Vec<Vec<u8>>;
    /// What a connection closed at the first handshake byte means for this protocol.
    fn closed_at_handshake(&self, at: &str) -> String;
    /// What to try instead when the connection was closed at the first handshake byte.
    fn closed_hint(&self) -> Option<crate::hint::Hint> {
        None
    }
}

/// A connection to the server: a socket, or (for fuzzing) bytes in memory.
pub(crate) trait Stream: std::io::Read + std::io::Write {}
impl<T: std::io::Read + std::io::Write> Stream for T {}

/// Why a protocol step failed: I/O (turned into a message by the caller) or a message.
pub(crate) enum Step {
    Io(std::io::Error),
    Refused(String),
}

/// The preamble for a target: PostgreSQL's SSLRequest or direct TLS, MySQL's handshake,
/// or TLS at once, with these ALPN protocols.
pub(crate) fn for_target(protocol: Protocol, direct: bool, alpn: &[String]) -> Box<dyn Preamble> {
    match protocol {
        Protocol::Postgres if !direct => Box::new(postgres::SslRequest),
        Protocol::Mysql => Box::new(mysql::MysqlPreamble::new()),
        Protocol::Postgres | Protocol::Tls => Box::new(direct::DirectTls {
            alpn: alpn.to_vec(),
            postgres: protocol == Protocol::Postgres,
        }),
    }
}

/// Connects to `host:port`, runs `preamble`, and records the chain of a TLS handshake for
/// `server_name`, all within `timeout` per connect and per read.
pub(crate) fn handshake(
    host: &str,
    port: u16,
    server_name: &str,
    preamble: &dyn Preamble,
    timeout: Duration,
    bind: Option<IpAddr>,
) -> Result<Session, Error> {
    let no_tls = |message: String| Error::Network {
        message,
        attempts: Vec::new(),
    };
    let at = format!("{host}:{port}");
    let deadline = std::time::Instant::now() + timeout;
    let left = || deadline.saturating_duration_since(std::time::Instant::now());
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| no_tls(format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last_error = None;
    let mut stream = None;
    for addr in &addrs {
        if left().is_zero() {
            last_error = Some(format!("no answer within {} s", timeout.as_secs_f64()));
            break;
        }
        match connect(addr, bind, left()) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    let stream = stream.ok_or_else(|| {
        no_tls(format!(
            "cannot connect to {at}: {} (is the server running and listening on that address?)",
            last_error.unwrap_or_else(|| "no address".into())
        ))
    })?;
    // A request-reply exchange of small packets: Nagle would hold the MySQL login behind
    // the unacknowledged TLS Finished for a delayed ACK.
    stream
        .set_nodelay(true)
        .map_err(|e| no_tls(format!("{at}: cannot set TCP_NODELAY: {e}")))?;
    let mut stream = Deadline { stream, deadline };
    exchange(&mut stream, &at, server_name, preamble, timeout)
}

/// A socket whose reads and writes all end by one deadline: a server that sends a byte
/// at a time cannot hold a target longer than `--timeout`.
struct Deadline {
    stream: TcpStream,
    deadline: std::time::Instant,
}

impl Deadline {
    fn arm(&self) -> std::io::Result<()> {
        let left = self
            .deadline
            .saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.set_write_timeout(Some(left))
    }
}

impl std::io::Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.stream.read(buf)
    }
}

impl std::io::Write for Deadline {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.arm()?;
        self.stream.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// A TCP connection from `bind` (any local address when `None`).
fn connect(
    addr: &SocketAddr,
    bind: Option<IpAddr>,
    timeout: Duration,
) -> std::io::Result<TcpStream> {
    let Some(local) = bind else {
        return TcpStream::connect_timeout(addr, timeout);
    };
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(*addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.bind(&SocketAddr::new(local, 0).into())?;
    socket.connect_timeout(&(*addr).into(), timeout)?;
    Ok(socket.into())
}

/// The preamble and the TLS handshake over `stream`, recording the chain.
pub(crate) fn exchange(
    mut stream: &mut dyn Stream,
    at: &str,
    server_name: &str,
    preamble: &dyn Preamble,
    timeout: Duration,
) -> Result<Session, Error> {
    let no_tls = |message: String| Error::Network {
        message,
        attempts: Vec::new(),
    };
    let io_error = |e: std::io::Error| {
        if timed_out(&e) {
            no_tls(format!(
                "{at} did not answer within {} s",
                timeout.as_secs_f64()
            ))
        } else {
            no_tls(format!("{at}: {e}"))
        }
    };
    preamble.before_tls(stream, at).map_err(|step| match step {
        Step::Io(e) => io_error(e),
        Step::Refused(message) => no_tls(message),
    })?;

    let mut provider = rustls::crypto::ring::default_provider();
    // P-256 first: PostgreSQL's default ssl_ecdh_curve is prime256v1 only, and every TLS
    // 1.3 server supports it, so the first key share is taken without a HelloRetryRequest
    // (a round trip and a second key pair).
    provider
        .kx_groups
        .sort_by_key(|group| group.name() != rustls::NamedGroup::secp256r1);
    let provider = Arc::new(provider);
    let capture = Arc::new(CaptureChain {
        chain: Mutex::new(Vec::new()),
        signature_error: Mutex::new(None),
        provider: provider.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    config.alpn_protocols = preamble.alpn();
    // Every probe is a first contact: no session to resume, and the default cache makes
    // room for 256 sessions in each connection's config (measured: 3.5 KiB a connection,
    // times a fleet's worth of connections at once).
    config.resumption = rustls::client::Resumption::disabled();
    let name = tls_server_name(server_name);
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut stream).map_err(|e| {
            if timed_out(&e) {
                io_error(e)
            } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
                let closed = no_tls(preamble.closed_at_handshake(at));
                match preamble.closed_hint() {
                    Some(hint) => closed.with_hint(hint),
                    None => closed,
                }
            } else {
                no_tls(format!("TLS handshake with {at} failed: {e}"))
            }
        })?;
    }
    let tls_version = match conn.protocol_version() {
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    // Best effort: the verdict does not depend on how the server takes the goodbye.
    let _ = preamble.after_tls(&mut rustls::Stream::new(&mut conn, &mut stream));
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
    let chain = std::mem::take(&mut *capture.chain.lock().expect("not poisoned"));
    if chain.is_empty() {
        return Err(no_tls(format!("{at} sent no certificate")));
    }
    let unverified_signature = capture.signature_error.lock().expect("not poisoned").take();
    Ok(Session {
        chain,
        tls_version,
        unverified_signature,
    })
}

/// The name rustls needs: libpq sends the host as SNI only when it is not an address, and
/// an address as libpq reads it (`127.1` too) sends none. A host rustls cannot use as a
/// name is also sent as none; the name check is ours, not rustls's.
fn tls_server_name(host: &str) -> ServerName<'static> {
    let none = |ip: IpAddr| ServerName::IpAddress(ip.into());
    match crate::libpq::parse_ip(host) {
        Some(ip) => none(ip),
        None => ServerName::try_from(host.to_string())
            .unwrap_or_else(|_| none(IpAddr::from([0, 0, 0, 0]))),
    }
}

/// A socket read or write that hit its timeout (Unix reports WouldBlock for that).
fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Records the server's chain and accepts it, so the report can always show it. The
/// handshake signature is verified; when that fails (a key ring cannot use, such as RSA
/// 1024, or a certificate webpki cannot parse) the failure is recorded for the judge
/// instead of ending the handshake, so the verdict can name the real cause.
#[derive(Debug)]
struct CaptureChain {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    signature_error: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl CaptureChain {
    fn record(
        &self,
        cert: &CertificateDer<'_>,
        result: Result<HandshakeSignatureValid, rustls::Error>,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Err(e) = result {
            // A signature that does not verify ends the session, as in every client. ring
            // reports a key it refuses (RSA under 2048 bits) the same way, so that one, like
            // a certificate webpki cannot read, is recorded for the judge instead.
            let bad_signature = matches!(
                e,
                rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
            );
            if bad_signature && !ring_refuses_key(cert) {
                return Err(e);
            }
            *self.signature_error.lock().expect("not poisoned") = Some(e.to_string());
        }
        Ok(HandshakeSignatureValid::assertion())
    }
}

/// An RSA key below ring's 2048-bit floor: its signatures cannot be checked here.
fn ring_refuses_key(cert: &CertificateDer<'_>) -> bool {
    let Ok(cert) = crate::cert::Certificate::from_der(cert) else {
        return true;
    };
    matches!(
        crate::libpq::facts::key_of(&cert),
        (crate::libpq::facts::KeyKind::Rsa | crate::libpq::facts::KeyKind::RsaPss, Some(bits)) if bits < 2048
    )
}

impl ServerCertVerifier for CaptureChain {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().expect("not poisoned");
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.record(
            cert,
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            ),
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.record(
            cert,
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            ),
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Runs the PostgreSQL exchanges (SSLRequest, direct TLS), the MySQL one, and the TLS handshake against
/// a server that answers with `reply` whatever is sent: for fuzzing what servers send.
pub(crate) fn replay(reply: &[u8]) {
    struct Replay(std::io::Cursor<Vec<u8>>);
    impl std::io::Read for Replay {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }
    impl std::io::Write for Replay {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    for (protocol, direct) in [
        (Protocol::Postgres, false),
        (Protocol::Postgres, true),
        (Protocol::Mysql, false),
    ] {
        let mut server = Replay(std::io::Cursor::new(reply.to_vec()));
        let _ = exchange(
            &mut server,
            "fuzz:5432",
            "db.example.com",
            for_target(protocol, direct, &["postgresql".into()]).as_ref(),
            Duration::from_secs(1),
        );
    }
}
