//! macOS: no unnamed files, so the new file is written under a random temporary name in
//! the destination's directory (`O_CREAT | O_EXCL | O_NOFOLLOW`), then linked or renamed
//! into place; the same path Linux takes on a file system without `O_TMPFILE`, and tested
//! there. Flushes go to the disk itself with `F_FULLFSYNC` (a plain `fsync` on macOS
//! stops at the drive's cache): Rust's `sync_data` uses it for files, and `sync_dir` here
//! for the directory.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use rustix::io::Errno;

pub(super) fn open_unnamed(_dir: &OwnedFd) -> io::Result<Option<OwnedFd>> {
    Ok(None)
}

/// Never called: every temporary file here has a name.
pub(super) fn link_unnamed(_file: &File, _dir: &OwnedFd, _name: &OsStr) -> Result<(), Errno> {
    Err(Errno::NOTSUP)
}

pub(super) fn sync_dir(dir: &OwnedFd) {
    if rustix::fs::fcntl_fullfsync(dir).is_err() {
        let _ = rustix::fs::fsync(dir);
    }
}

/// The keychain, read by rustls-native-certs.
pub(super) fn store_paths() -> Option<(Option<PathBuf>, Option<PathBuf>)> {
    None
}

pub(super) const NATIVE_STORE: &str = "macOS keychain";
