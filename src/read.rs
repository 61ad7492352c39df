//! Reading local inputs safely: only regular files (or standard input), never more than a
//! stated limit, and never blocking on a FIFO or a device.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::error::Error;
use crate::hint::{Hint, Setting};
use crate::platform::{self, OpenError};
use crate::quote::path_text;

/// The largest certificate or trust file rootcert reads.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The largest OS trust-store bundle rootcert reads (Debian's is about 220 KiB).
pub(crate) const MAX_STORE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a local input could not be read; the message names the path and the fix.
#[derive(Debug)]
pub(crate) struct ReadError {
    pub(crate) message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads `path` if it is a regular file of at most `limit` bytes. Opening never blocks,
/// so a FIFO or a device is refused instead of read.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let error = |message: String| ReadError { message };
    let (file, size) = platform::open_regular(path).map_err(|e| {
        error(match e {
            OpenError::NotRegular(kind) => format!(
                "cannot read {}: it is {}, not a regular file",
                path_text(path),
                kind.name()
            ),
            OpenError::Io(e) => format!("cannot read {}: {e}", path_text(path)),
        })
    })?;
    if size > limit {
        return Err(error(too_large(path, size, limit)));
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(format!("cannot read {}: {e}", path_text(path))))?;
    if bytes.len() as u64 > limit {
        return Err(error(too_large(path, bytes.len() as u64, limit)));
    }
    Ok(bytes)
}

/// Standard input, at most `limit` bytes, within `timeout` (a pipe nobody writes to
/// would otherwise wait forever).
pub(crate) fn read_stdin(limit: u64, timeout: Duration) -> Result<Vec<u8>, Error> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let result = std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map(|_| bytes);
        let _ = sender.send(result);
    });
    match receiver.recv_timeout(timeout) {
        Ok(Ok(bytes)) if bytes.len() as u64 > limit => Err(Error::File(format!(
            "standard input holds more than {} KiB, far more than a certificate file",
            limit / 1024
        ))),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(Error::File(format!("cannot read standard input: {e}"))),
        Err(_) => Err(Error::File(format!(
            "standard input sent nothing to its end within {} s",
            timeout.as_secs_f64()
        ))
        .with_hint(Hint::SetBy(Setting::Timeout))),
    }
}

fn too_large(path: &Path, size: u64, limit: u64) -> String {
    format!(
        "{} is {size} bytes, more than the {} KiB rootcert reads from a file of certificates, \
         targets or settings",
        path_text(path),
        limit / 1024
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_fifos_and_large_files() {
        let err = read_file(Path::new("/dev/zero"), MAX_FILE_BYTES).unwrap_err();
        assert!(err.message.contains("a device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let err = read_file(&fifo, MAX_FILE_BYTES).unwrap_err();
        assert!(err.message.contains("a FIFO"), "{err}");
        let big = dir.path().join("big");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(2 * 1024 * 1024 * 1024).unwrap();
        let err = read_file(&big, MAX_FILE_BYTES).unwrap_err();
        assert!(err.message.contains("more than the 1024 KiB"), "{err}");
        let missing = read_file(&dir.path().join("nope"), MAX_FILE_BYTES).unwrap_err();
        assert!(missing.message.contains("No such file"), "{missing}");
    }
}
