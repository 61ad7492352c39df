//! Linux: the new file is written without a name (`O_TMPFILE`) and linked in once it is
//! complete, so a run killed before that leaves nothing behind.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

/// Tests take the path of a file system without `O_TMPFILE` (none is at hand here); it
/// is also the path macOS always takes.
#[cfg(test)]
pub(super) static WITHOUT_TMPFILE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// An unnamed file in `dir`, or `None` where the file system cannot make one.
pub(super) fn open_unnamed(dir: &OwnedFd) -> io::Result<Option<OwnedFd>> {
    #[cfg(test)]
    if WITHOUT_TMPFILE.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(None);
    }
    match rustix::fs::openat(
        dir,
        ".",
        OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    ) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Gives the unnamed `file` the name `name` in `dir`; EEXIST when `name` exists.
pub(super) fn link_unnamed(file: &File, dir: &OwnedFd, name: &OsStr) -> Result<(), Errno> {
    match rustix::fs::linkat(file, "", dir, name, AtFlags::EMPTY_PATH) {
        // Without CAP_DAC_READ_SEARCH, link through /proc instead.
        Err(Errno::NOENT | Errno::PERM) => {
            let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
            rustix::fs::linkat(
                rustix::fs::CWD,
                proc_path.as_str(),
                dir,
                name,
                AtFlags::SYMLINK_FOLLOW,
            )
        }
        other => other,
    }
}

/// Durable names. Best effort: some file systems refuse to fsync a directory.
pub(super) fn sync_dir(dir: &OwnedFd) {
    let _ = rustix::fs::fsync(dir);
}

/// The bundle and directory OpenSSL would use (the probe rustls-native-certs uses too).
pub(super) fn store_paths() -> Option<(Option<PathBuf>, Option<PathBuf>)> {
    let probe = openssl_probe::probe();
    Some((probe.cert_file, probe.cert_dir.into_iter().next()))
}

/// Never used on Linux: the store is always a bundle or a directory.
pub(super) const NATIVE_STORE: &str = "system store";
