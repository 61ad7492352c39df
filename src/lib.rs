//! rootcert: download a root certificate, verify it against its SHA-256 pin, and save it
//! atomically as PEM that libpq (`sslrootcert`) accepts.
//!
//! The binary is a thin layer over [`fetch`]; every module can be used on its own.
#![warn(unreachable_pub)]

pub mod catalog;
pub mod cert;
pub mod cli;
pub mod download;
pub mod error;
pub mod fetch;
pub mod fingerprint;
pub mod output;
pub mod parse;
pub mod save;
pub mod system_store;

use cli::{Cli, Command};
use error::Error;

/// Runs one parsed command line; the caller turns an error into its exit code.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Fetch(args) => {
            let options = fetch::FetchOptions::from_args(args)?;
            let report = fetch::run(&options)?;
            fetch::print_report(&report, &options);
            Ok(())
        }
    }
}
