//! TLS from the first byte, with the ALPN protocols the caller names: PostgreSQL 17's
//! direct TLS (`sslnegotiation=direct`, ALPN `postgresql`), or any `tls://` service.

use super::{Preamble, Step, Stream};

pub(super) struct DirectTls {
    pub(super) alpn: Vec<String>,
    /// PostgreSQL (for the message when the server hangs up at once).
    pub(super) postgres: bool,
}

impl Preamble for DirectTls {
    fn before_tls(&self, _stream: &mut dyn Stream, _at: &str) -> Result<(), Step> {
        Ok(())
    }

    fn alpn(&self) -> Vec<Vec<u8>> {
        self.alpn.iter().map(|p| p.as_bytes().to_vec()).collect()
    }

    fn closed_hint(&self) -> Option<crate::hint::Hint> {
        self.postgres.then_some(crate::hint::Hint::TryWithoutDirect)
    }

    fn closed_at_handshake(&self, at: &str) -> String {
        if self.postgres {
            format!(
                "{at} closed the connection at the start of direct TLS: the server may predate \
                 PostgreSQL 17, or a pooler in front of it may not support direct TLS"
            )
        } else {
            format!(
                "{at} closed the connection at the start of TLS: does it speak TLS at once on \
                 that port{}?",
                if self.alpn.is_empty() {
                    String::new()
                } else {
                    format!(", and ALPN {}", self.alpn.join(","))
                }
            )
        }
    }
}
