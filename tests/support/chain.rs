//! A test PKI, generated per test run with rcgen.

use super::*;

/// A root CA, optionally an intermediate, and a server certificate issued under them, made
/// with rcgen. [`TestChain::direct`] and [`TestChain::new`] are the two shapes tests use.
pub struct TestChain {
    pub root_pem: String,
    /// Lower-case hex SHA-256 of the root's DER.
    pub root_sha256: String,
    /// What the server sends: leaf then any intermediate, with the leaf's key.
    pub server: pg::ServerTls,
    /// The server certificate's notAfter, in seconds since the epoch.
    pub leaf_not_after: i64,
    leaf_pem: String,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

/// What [`TestChain::build`] makes: see the setters.
pub struct ChainSpec {
    root_name: String,
    intermediate: bool,
    names: Vec<String>,
    leaf_expired: bool,
    leaf_valid_until: Option<(i32, u8, u8)>,
}

impl ChainSpec {
    /// Puts an intermediate CA between the root and the leaf.
    pub fn intermediate(mut self) -> Self {
        self.intermediate = true;
        self
    }

    /// The leaf's subjectAltNames (the first is also its CN).
    pub fn names(mut self, names: &[&str]) -> Self {
        self.names = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// Makes the leaf valid only in 2020.
    pub fn leaf_expired(mut self, expired: bool) -> Self {
        self.leaf_expired = expired;
        self
    }

    /// Makes the leaf expire at the start of that day (UTC).
    pub fn leaf_valid_until(mut self, year: i32, month: u8, day: u8) -> Self {
        self.leaf_valid_until = Some((year, month, day));
        self
    }

    pub fn build(self) -> TestChain {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
            date_time_ymd,
        };
        let ca_params = |name: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            params
        };
        let root =
            CertifiedIssuer::self_signed(ca_params(&self.root_name), KeyPair::generate().unwrap())
                .unwrap();
        let intermediate = self.intermediate.then(|| {
            CertifiedIssuer::signed_by(
                ca_params(&format!("{} intermediate", self.root_name)),
                KeyPair::generate().unwrap(),
                &root,
            )
            .unwrap()
        });
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(self.names.clone()).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, self.names[0].as_str());
        if self.leaf_expired {
            leaf.not_before = date_time_ymd(2020, 1, 1);
            leaf.not_after = date_time_ymd(2021, 1, 1);
        }
        if let Some((year, month, day)) = self.leaf_valid_until {
            leaf.not_after = date_time_ymd(year, month, day);
        }
        let leaf_not_after = leaf.not_after.unix_timestamp();
        let (leaf, chain_pem, server_chain) = match &intermediate {
            Some(intermediate) => {
                let leaf = leaf.signed_by(&leaf_key, intermediate).unwrap();
                let pem = format!("{}{}", leaf.pem(), intermediate.pem());
                let ders = vec![leaf.der().clone(), intermediate.der().clone()];
                (leaf, pem, ders)
            }
            None => {
                let leaf = leaf.signed_by(&leaf_key, &root).unwrap();
                let pem = leaf.pem();
                let ders = vec![leaf.der().clone()];
                (leaf, pem, ders)
            }
        };
        use sha2::Digest;
        TestChain {
            root_sha256: hex::encode(sha2::Sha256::digest(root.der())),
            root_pem: root.pem(),
            server: pg::ServerTls {
                chain_pem,
                key_pem: leaf_key.serialize_pem(),
            },
            leaf_not_after,
            leaf_pem: leaf.pem(),
            server_chain,
            server_key: leaf_key.serialize_der(),
        }
    }
}

impl TestChain {
    pub fn builder(root_name: &str) -> ChainSpec {
        ChainSpec {
            root_name: root_name.to_string(),
            intermediate: false,
            names: vec!["localhost".to_string()],
            leaf_expired: false,
            leaf_valid_until: None,
        }
    }

    /// A root and a server certificate for `localhost` and `127.0.0.1` signed by it, for
    /// the local HTTPS servers.
    pub fn direct(root_name: &str) -> TestChain {
        TestChain::builder(root_name)
            .names(&["localhost", "127.0.0.1"])
            .build()
    }

    /// root -> intermediate -> server certificate for `DNS:localhost`, as PostgreSQL tests
    /// need.
    pub fn new(root_name: &str, leaf_expired: bool) -> TestChain {
        TestChain::builder(root_name)
            .intermediate()
            .leaf_expired(leaf_expired)
            .build()
    }

    /// The server (leaf) certificate: not a CA, not self-signed.
    pub fn server_pem(&self) -> String {
        self.leaf_pem.clone()
    }

    pub fn server_sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.server_chain[0]))
    }

    /// The root's SHA-256 as `openssl x509 -fingerprint` prints it (upper-case, colons).
    pub fn root_fingerprint(&self) -> String {
        self.root_sha256
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap().to_uppercase())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Writes the root as PEM.
    pub fn write_to(&self, path: &Path) {
        std::fs::write(path, &self.root_pem).unwrap();
    }

    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .unwrap();
        Arc::new(config)
    }

    /// A server config that presents the server certificate but signs with another key.
    pub fn server_config_with_another_key(&self) -> Arc<rustls::ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let other = rcgen::KeyPair::generate().unwrap().serialize_der();
        let key = provider
            .key_provider
            .load_private_key(rustls::pki_types::PrivateKeyDer::Pkcs8(other.into()))
            .unwrap();
        let certified = rustls::sign::CertifiedKey::new(self.server_chain.clone(), key);
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(WrongKey(Arc::new(certified))));
        Arc::new(config)
    }
}

/// Serves one certificate chain with a key that is not the certificate's: the handshake
/// signature cannot verify, as when someone replays a server's certificate without its key.
#[derive(Debug)]
struct WrongKey(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for WrongKey {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}
