//! rootcert: download a root certificate, verify it against its SHA-256 pin, and save it
//! atomically as PEM that libpq (`sslrootcert`) accepts.
//!
//! The binary is a thin layer over [`fetch`]; every module can be used on its own.
#![warn(unreachable_pub)]

pub mod catalog;
pub mod cert;
pub mod check;
pub mod cli;
mod dn;
pub mod download;
pub mod error;
pub mod fetch;
pub mod fingerprint;
pub mod inspect;
pub mod libpq;
pub mod list;
pub mod output;
pub mod parse;
pub mod read;
pub mod save;
pub mod system_store;
mod time;
pub mod verify;

use cli::{Cli, Command};
use error::Error;

/// Runs one parsed command line and returns its exit code; the caller reports an error.
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Fetch(args) => {
            let options = fetch::FetchOptions::from_args(args)?;
            let report = fetch::run(&options)?;
            fetch::print_report(&report, &options);
            Ok(error::exit::OK)
        }
        Command::Verify(args) => verify::run(&args),
        Command::Inspect(args) => inspect::run(&args).map(|()| error::exit::OK),
        Command::Check(args) => check::run(&args),
        Command::List(args) => {
            list::run(&args);
            Ok(error::exit::OK)
        }
    }
}
