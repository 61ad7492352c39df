//! The MySQL/MariaDB protocol up to TLS and politely past it. The server speaks first: a
//! greeting (protocol 10) whose capabilities say whether it offers TLS (`CLIENT_SSL`), or
//! an ERR packet (host blocked, too many connections). The client answers with the short
//! SSLRequest packet and the TLS handshake follows on the same socket.
//!
//! A client that hangs up there counts as an aborted handshake, and `max_connect_errors`
//! of those (default 100) block the probing host. So after the handshake rootcert logs in
//! as a client without an account would (user `rootcert`, no password) and takes the
//! server's "access denied", which MySQL and MariaDB count as an authentication error,
//! not a handshake error. A server that offers no TLS gets the same plain-text login.

use std::cell::Cell;

use super::{Preamble, Step, Stream};

const CLIENT_LONG_PASSWORD: u32 = 0x1;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SSL: u32 = 0x800;
const CLIENT_TRANSACTIONS: u32 = 0x2000;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x80000;
const MAX_PACKET: u32 = 16 * 1024 * 1024;
/// The largest packet read from a server: a greeting is under 200 bytes, an ERR or an auth
/// switch a few hundred. A server that announces more is not believed (nor allocated for).
const MAX_SERVER_PACKET: usize = 16 * 1024;
/// utf8mb4_general_ci
const CHARSET: u8 = 45;
const PROBE_USER: &[u8] = b"rootcert";

/// The MySQL handshake; remembers what it agreed before TLS for the login after it.
pub(super) struct MysqlPreamble {
    capabilities: Cell<u32>,
    sequence: Cell<u8>,
}

impl MysqlPreamble {
    pub(super) fn new() -> Self {
        MysqlPreamble {
            capabilities: Cell::new(0),
            sequence: Cell::new(0),
        }
    }

    /// The first 32 bytes of a HandshakeResponse41, which is also the SSLRequest.
    fn header(&self) -> Vec<u8> {
        let mut packet = Vec::with_capacity(64);
        packet.extend_from_slice(&self.capabilities.get().to_le_bytes());
        packet.extend_from_slice(&MAX_PACKET.to_le_bytes());
        packet.push(CHARSET);
        packet.extend_from_slice(&[0; 23]);
        packet
    }

    /// The login of a user without an account, which the server refuses without counting
    /// it as an aborted connection; then reads the answer (and any auth switch) to the end.
    fn log_in_and_leave(&self, stream: &mut dyn Stream) -> Result<(), Step> {
        let mut packet = self.header();
        packet.extend_from_slice(PROBE_USER);
        packet.push(0);
        packet.push(0); // empty auth response (CLIENT_SECURE_CONNECTION: length byte)
        if self.capabilities.get() & CLIENT_PLUGIN_AUTH != 0 {
            packet.extend_from_slice(b"mysql_native_password\0");
        }
        self.send(stream, &packet)?;
        for _ in 0..4 {
            let reply = self.receive(stream)?;
            match reply.first() {
                // Access denied, as expected, or logged in: say goodbye.
                Some(0xff) => return Ok(()),
                Some(0x00) => {
                    self.sequence.set(0);
                    return self.send(stream, &[0x01]); // COM_QUIT
                }
                // Auth switch or more data: answer with an empty password.
                _ => self.send(stream, &[])?,
            }
        }
        Ok(())
    }

    fn send(&self, stream: &mut dyn Stream, payload: &[u8]) -> Result<(), Step> {
        let len = u32::try_from(payload.len())
            .expect("small packet")
            .to_le_bytes();
        let mut packet = vec![len[0], len[1], len[2], self.sequence.get()];
        packet.extend_from_slice(payload);
        self.sequence.set(self.sequence.get().wrapping_add(1));
        stream.write_all(&packet).map_err(Step::Io)?;
        stream.flush().map_err(Step::Io)
    }

    fn receive(&self, stream: &mut dyn Stream) -> Result<Vec<u8>, Step> {
        let mut header = [0u8; 4];
        stream.read_exact(&mut header).map_err(Step::Io)?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        self.sequence.set(header[3].wrapping_add(1));
        if len > MAX_SERVER_PACKET {
            return Err(Step::Refused(format!(
                "the server announced a {len}-byte packet where a MySQL greeting or answer of \
                 a few hundred bytes belongs (more than {MAX_SERVER_PACKET} bytes are not \
                 read): is it a MySQL or MariaDB server?"
            )));
        }
        let mut payload = vec![0u8; len];
        stream.read_exact(&mut payload).map_err(Step::Io)?;
        Ok(payload)
    }
}

/// The server's first packet, read as a greeting or an ERR.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Greeting {
    Hello { version: String, capabilities: u32 },
    Error { code: u16, message: String },
    Unknown(String),
}

pub(crate) fn parse_greeting(payload: &[u8]) -> Greeting {
    match payload.first() {
        Some(0xff) if payload.len() >= 3 => {
            let code = u16::from_le_bytes([payload[1], payload[2]]);
            let mut message = &payload[3..];
            if message.first() == Some(&b'#') && message.len() >= 6 {
                message = &message[6..];
            }
            Greeting::Error {
                code,
                message: crate::quote::one_line(&String::from_utf8_lossy(message)).into_owned(),
            }
        }
        Some(10) => {
            let rest = &payload[1..];
            let Some(nul) = rest.iter().position(|&b| b == 0) else {
                return Greeting::Unknown("a greeting without a version".into());
            };
            let version =
                crate::quote::one_line(&String::from_utf8_lossy(&rest[..nul])).into_owned();
            // conn id (4), auth data (8), filler (1), capabilities low (2), charset (1),
            // status (2), capabilities high (2)
            let at = nul + 1 + 4 + 8 + 1;
            let low = rest.get(at..at + 2);
            let high = rest.get(at + 5..at + 7);
            let capabilities = match (low, high) {
                (Some(l), Some(h)) => {
                    u32::from(u16::from_le_bytes([l[0], l[1]]))
                        | (u32::from(u16::from_le_bytes([h[0], h[1]])) << 16)
                }
                (Some(l), None) => u32::from(u16::from_le_bytes([l[0], l[1]])),
                _ => return Greeting::Unknown("a greeting cut short".into()),
            };
            Greeting::Hello {
                version,
                capabilities,
            }
        }
        Some(other) => Greeting::Unknown(format!("protocol version {other}")),
        None => Greeting::Unknown("an empty packet".into()),
    }
}

impl Preamble for MysqlPreamble {
    fn before_tls(&self, stream: &mut dyn Stream, at: &str) -> Result<(), Step> {
        let payload = self.receive(stream).map_err(|step| match step {
            Step::Io(e) if super::timed_out(&e) => Step::Refused(format!(
                "{at} sent no MySQL greeting before the deadline: is it a MySQL or MariaDB \
                 server? (PostgreSQL and TLS services wait for the client to speak first)"
            )),
            other => other,
        })?;
        let (version, server) = match parse_greeting(&payload) {
            Greeting::Hello {
                version,
                capabilities,
            } => (version, capabilities),
            Greeting::Error { code, message } => {
                let fix = match code {
                    1129 => {
                        " (fix: on the server, `mariadb-admin flush-hosts` or `FLUSH HOSTS`; then find what aborts connections from this host)"
                    }
                    1130 => " (fix: the server has no account for this client's address)",
                    1040 => " (fix: wait, or raise max_connections)",
                    _ => "",
                };
                return Err(Step::Refused(format!(
                    "{at} answered with ERROR {code} instead of a greeting: {message}{fix}"
                )));
            }
            Greeting::Unknown(what) => {
                return Err(Step::Refused(format!(
                    "{at} sent {what}, not a MySQL greeting: is this a MySQL or MariaDB server?"
                )));
            }
        };
        let wanted = CLIENT_LONG_PASSWORD
            | CLIENT_PROTOCOL_41
            | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH;
        if server & CLIENT_PROTOCOL_41 == 0 {
            return Err(Step::Refused(format!(
                "{at} runs {version}, which predates the 4.1 protocol and TLS"
            )));
        }
        if server & CLIENT_SSL == 0 {
            self.capabilities.set(server & wanted);
            // Leave as a refused client would, so the probe does not count as aborted.
            let _ = self.log_in_and_leave(stream);
            return Err(Step::Refused(format!(
                "the server at {at} ({version}) does not offer TLS (have_ssl is DISABLED: set \
                 ssl-cert and ssl-key in its configuration)"
            )));
        }
        self.capabilities.set(server & (wanted | CLIENT_SSL));
        self.send(stream, &self.header())
    }

    fn after_tls(&self, tls: &mut dyn Stream) -> Result<(), Step> {
        self.log_in_and_leave(tls)
    }

    fn alpn(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn closed_at_handshake(&self, at: &str) -> String {
        format!("{at} closed the connection during the TLS handshake")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings() {
        let mariadb = b"\n5.5.5-10.11.19-MariaDB\0\x06\0\0\0]PYNZ[9K\0\xfe\xff\x08\x02\0\xff\x81\x15\0\0\0\0\0\0\x1d\0\0\0M!Z&K&zV}4*r\0mysql_native_password\0";
        match parse_greeting(mariadb) {
            Greeting::Hello {
                version,
                capabilities,
            } => {
                assert_eq!(version, "5.5.5-10.11.19-MariaDB");
                assert_ne!(capabilities & CLIENT_SSL, 0);
                assert_ne!(capabilities & CLIENT_PLUGIN_AUTH, 0);
            }
            other => panic!("{other:?}"),
        }
        let blocked = b"\xffi\x04Host '127.0.0.2' is blocked";
        assert_eq!(
            parse_greeting(blocked),
            Greeting::Error {
                code: 1129,
                message: "Host '127.0.0.2' is blocked".into()
            }
        );
        assert!(matches!(parse_greeting(b"\x09x"), Greeting::Unknown(_)));
        assert!(matches!(parse_greeting(b"\n5.7\0\0"), Greeting::Unknown(_)));
    }
}
