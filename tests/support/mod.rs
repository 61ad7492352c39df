//! Shared test helpers: the real binary in a clean environment, local HTTP(S) servers on
//! 127.0.0.1, a test CA, and the certificate fixtures in their many encodings.
#![allow(dead_code)]

pub mod mariadb;
pub mod matrix;
pub mod pg;
pub mod pki;
pub mod prom;
pub mod snapshots;
pub mod suites;

mod chain;
mod env;
mod server;
mod snippets;

pub use chain::*;
pub use env::*;
pub use server::*;
pub use snippets::*;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

pub const G2_SHA256: &str = "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F";
pub const ISRG_SHA256: &str = "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6";
pub const MS2017_SHA256: &str = "C7:41:F7:0F:4B:2A:8D:88:BF:2E:71:C1:41:22:EF:53:EF:10:EB:A0:CF:A5:E6:4C:FA:20:F4:18:85:30:73:E0";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

pub fn g2_pem() -> String {
    fixture_text("DigiCertGlobalRootG2.crt.pem")
}

pub fn isrg_pem() -> String {
    fixture_text("isrgrootx1.pem")
}

pub fn ms2017_pem() -> String {
    fixture_text("MicrosoftRSARootCertificateAuthority2017.crt.pem")
}

pub fn der_of(pem_text: &str) -> Vec<u8> {
    pem::parse(pem_text).unwrap().into_contents()
}
