//! PostgreSQL's SSLRequest: an 8-byte packet (length 8, code 80877103); the server answers
//! `S` and the TLS handshake follows on the same socket, or `N` when TLS is off.

use super::{Preamble, Step, Stream};

const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

pub(super) struct SslRequest;

impl Preamble for SslRequest {
    fn before_tls(&self, stream: &mut dyn Stream, at: &str) -> Result<(), Step> {
        stream.write_all(&SSL_REQUEST).map_err(Step::Io)?;
        let mut answer = [0u8; 1];
        stream.read_exact(&mut answer).map_err(Step::Io)?;
        match answer[0] {
            b'S' => Ok(()),
            b'N' => Err(Step::Refused(format!(
                "the server at {at} does not accept TLS (ssl = off?)"
            ))),
            other => Err(Step::Refused(format!(
                "{at} answered the SSLRequest with {:?}, not S or N: is this a PostgreSQL server?",
                other as char
            ))),
        }
    }

    fn alpn(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn closed_at_handshake(&self, at: &str) -> String {
        format!("{at} closed the connection during the TLS handshake")
    }
}
