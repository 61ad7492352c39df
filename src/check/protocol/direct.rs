//! PostgreSQL 17's direct TLS (`sslnegotiation=direct`): TLS from the first byte, with
//! ALPN `postgresql`, no SSLRequest.

use super::{Protocol, Step, Stream};

pub(super) struct DirectTls;

impl Protocol for DirectTls {
    fn before_tls(&self, _stream: &mut dyn Stream, _at: &str) -> Result<(), Step> {
        Ok(())
    }

    fn alpn(&self) -> Vec<Vec<u8>> {
        vec![b"postgresql".to_vec()]
    }

    fn closed_at_handshake(&self, at: &str) -> String {
        format!(
            "{at} closed the connection at the start of direct TLS: the server may predate \
             PostgreSQL 17, or a pooler in front of it may not support direct TLS (try without \
             --direct)"
        )
    }
}
