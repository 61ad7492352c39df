//! Everything that differs between operating systems, behind one interface.
//!
//! The rest of the crate names no OS. It asks this module to reach a destination without
//! following a link someone else could plant, to write a temporary file beside it and put
//! it in place atomically, to hold interrupts meanwhile, to set ownership and mode, for a
//! path as text, for the file libpq reads by default and for where the OS keeps its trust
//! store. Each promise is kept with what the OS has:
//!
//! - `unix.rs` (Linux and macOS): every step relative to an open directory handle
//!   (`openat` with `O_NOFOLLOW`), an advisory `flock` on the directory, signals masked.
//!   `linux.rs` writes the new file unnamed (`O_TMPFILE`) and links it in; `macos.rs`
//!   writes a named temporary in the same directory (`O_EXCL`, random name) and flushes
//!   with `F_FULLFSYNC`.
//! - `windows.rs`: reparse points (symlinks, junctions) are never followed at the
//!   destination nor in a directory rootcert creates; the temporary is renamed over the
//!   destination through its own handle, never copied; ACLs are inherited from the
//!   directory, so `--owner`/`--group`/`--mode` are refused.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Error;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as os;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as unix_variant;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
use macos as unix_variant;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as os;
#[cfg(any(windows, test))]
mod windows_rules;

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
compile_error!("rootcert runs on Linux, macOS and Windows");

/// The name rootcert's temporary files start and end with, so that the next run can find
/// what a killed one left.
const TEMP_PREFIX: &str = ".rootcert-";
const TEMP_SUFFIX: &str = ".tmp";

fn temporary_name() -> OsString {
    OsString::from(format!(
        "{TEMP_PREFIX}{:016x}{TEMP_SUFFIX}",
        fastrand::u64(..)
    ))
}

/// Whether `name` is one of rootcert's temporary names.
fn is_temporary_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// What a directory entry is when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Directory,
    Device,
    Fifo,
    Socket,
    /// A symlink, or on Windows a reparse point that stands for another name (a junction
    /// too).
    Link,
    Other,
}

impl Kind {
    /// The kind as a message names it: "a directory", "a FIFO"...
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Directory => "a directory",
            Kind::Device => "a device",
            Kind::Fifo => "a FIFO",
            Kind::Socket => "a socket",
            Kind::Link => "a symlink",
            Kind::Other => "not a regular file",
        }
    }
}

/// Which file, in which version: equal identities mean the same file, unchanged. The
/// change time is part of it because a file number can be reused at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    device: u64,
    file: u128,
    changed: (i64, i64),
}

/// POSIX owner, group and mode. Windows files have ACLs instead, so they have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    /// The permission bits (`0o7777` at most).
    pub(crate) mode: u32,
}

/// A regular file as opened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileInfo {
    pub(crate) identity: Identity,
    pub(crate) size: u64,
    pub(crate) access: Option<Access>,
}

/// A destination reached safely, nothing created yet.
pub(crate) struct Resolved {
    /// The deepest directory on the way that exists.
    pub(crate) dir: Dir,
    /// The directories still to create below it, in order.
    pub(crate) missing: Vec<OsString>,
    /// The file's name in the last directory.
    pub(crate) name: OsString,
}

/// Resolves `path` (absolute) to a directory handle and a name, creating nothing.
///
/// - Unix: one component at a time, each relative to the handle of the one before; a
///   symlink (on the way or at the destination) is followed only when it belongs to the
///   user running rootcert or to root, the kernel's `protected_symlinks` rule.
/// - Windows: the directories that exist are taken as the OS resolves them (they belong
///   to the machine's layout); a symlink or junction at the destination is refused.
///
/// `shown` is the path as the user gave it, for messages.
pub(crate) fn resolve(path: &Path) -> Result<Resolved, Error> {
    os::resolve(path)
}

/// Why a file could not be opened for reading.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// A directory, device, FIFO or socket: rootcert never reads or replaces those. Or a
    /// link, where links are not followed (on Unix: one that appeared after `resolve`).
    NotRegular(Kind),
    Io(io::Error),
}

/// Why a directory could not be created and entered.
#[derive(Debug)]
pub(crate) enum CreateDirError {
    /// Created, then replaced by a link or a file before rootcert entered it.
    Replaced,
    Io(io::Error),
}

/// Why a new file could not be given its name.
#[derive(Debug)]
pub(crate) enum PlaceError {
    /// Something appeared at the name: it is kept, never replaced.
    Exists,
    Io(io::Error),
}

/// A directory held open: every operation on a name in it happens relative to this
/// handle, so a directory renamed or swapped after `resolve` is not followed.
pub(crate) struct Dir(os::Dir);

impl Dir {
    /// Opens the regular file `name` for reading: never through a link, never blocking on
    /// a FIFO or a device. `Ok(None)` when nothing is there.
    pub(crate) fn open_file(&self, name: &OsStr) -> Result<Option<(File, FileInfo)>, OpenError> {
        self.0.open_file(name)
    }

    /// The identity of what is at `name` now (a link's own, not its target's).
    pub(crate) fn identity(&self, name: &OsStr) -> Option<Identity> {
        self.0.identity(name)
    }

    /// Creates the directory `name` (0755 on Unix; the parent's inherited ACL on
    /// Windows), or takes the one that appeared meanwhile, and enters it without
    /// following a link.
    pub(crate) fn create_dir(&self, name: &OsStr) -> Result<Dir, CreateDirError> {
        self.0.create_dir(name).map(Dir)
    }

    /// Serializes rootcert runs that save into this directory; released when dropped.
    pub(crate) fn lock(&self) -> io::Result<DirLock> {
        self.0
            .lock(true)?
            .map(DirLock)
            .ok_or_else(|| io::Error::new(io::ErrorKind::WouldBlock, "the directory lock is held"))
    }

    /// The lock when no other run holds it now.
    pub(crate) fn try_lock(&self) -> Option<DirLock> {
        self.0.lock(false).ok().flatten().map(DirLock)
    }

    /// Removes the temporary files killed runs left here (`.rootcert-*.tmp`, and on Unix
    /// the `.NAME.*.tmp` older versions made). Call it with the lock held, so no running
    /// rootcert owns them.
    pub(crate) fn remove_stale_temporaries(&self, name: &OsStr) {
        self.0.remove_stale_temporaries(name)
    }

    /// A new file in this directory, for writing, that nobody else can open meanwhile
    /// and that is never at the destination's name until [`Dir::place_new`] or
    /// [`Dir::replace`]. Where the OS can (Linux's `O_TMPFILE`) it has no name at all.
    pub(crate) fn create_temp(&self) -> io::Result<Temp> {
        self.0.create_temp().map(Temp)
    }

    /// Gives `temp` the name `name`, which must not exist: a file that appeared there at
    /// the last moment is kept, never replaced.
    pub(crate) fn place_new(&self, temp: &Temp, name: &OsStr) -> Result<(), PlaceError> {
        self.0.place_new(&temp.0, name)
    }

    /// Puts `temp` at `name` in one step: a reader sees the old file or the new one,
    /// never a mix, never nothing. Never a copy.
    pub(crate) fn replace(&self, temp: &Temp, name: &OsStr) -> io::Result<()> {
        self.0.replace(&temp.0, name)
    }

    /// Makes the names given in this directory durable. Best effort: some file systems
    /// refuse.
    pub(crate) fn sync(&self) {
        self.0.sync()
    }
}

/// Held while rootcert saves into a directory.
pub(crate) struct DirLock(#[allow(dead_code)] os::DirLock);

/// A file being written for a save; dropped without being placed, it leaves nothing.
pub(crate) struct Temp(os::Temp);

impl Temp {
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(self.0.file(), bytes)
    }

    /// Gives the file the owner and mode asked for, else those of the file it replaces
    /// (`kept`), else 0644 and the user running rootcert. A replaced file's owner is kept
    /// where the OS allows it (only root may give a file away); an owner asked for must be
    /// set. On Windows the file has the ACL it inherited from its directory.
    pub(crate) fn set_permissions(
        &self,
        permissions: Permissions,
        kept: Option<Access>,
    ) -> io::Result<()> {
        self.0.set_permissions(permissions, kept)
    }

    /// The content (and on Windows the file's metadata) on disk.
    pub(crate) fn sync(&self) -> io::Result<()> {
        self.0.sync()
    }
}

/// Held back interrupts: SIGINT, SIGTERM and SIGHUP on Unix, Ctrl+C and Ctrl+Break on
/// Windows. One that arrives meanwhile takes effect when this is dropped, so an
/// interrupted save still finishes and leaves no temporary name behind.
pub(crate) struct HeldInterrupts(#[allow(dead_code)] os::HeldInterrupts);

pub(crate) fn hold_interrupts() -> HeldInterrupts {
    HeldInterrupts(os::HeldInterrupts::hold())
}

/// Opens `path` for reading if it is a regular file, following links as any reader does
/// but never blocking on a FIFO or a device. Returns the file and its size.
pub(crate) fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    os::open_regular(path)
}

/// A path as text: exactly as it is when it is Unicode; otherwise each byte (Unix) or
/// unpaired UTF-16 surrogate (Windows) that is not as `\xNN` or `\u{DXXX}`, so that no
/// two paths print alike and nothing is lost.
pub(crate) fn path_text(path: &Path) -> String {
    os::path_text(path.as_os_str())
}

/// The file libpq reads when `sslrootcert` is not set: `~/.postgresql/root.crt` on Unix
/// (HOME), `postgresql\root.crt` in the roaming application data folder on Windows (what
/// libpq asks `SHGetFolderPath(CSIDL_APPDATA)` for).
pub(crate) fn libpq_default_file() -> Option<PathBuf> {
    os::libpq_default_file()
}

/// Where the OS trust store is read: a bundle file, a directory of files, or (with
/// neither) the OS's own store through rustls-native-certs.
pub(crate) struct StoreLocation {
    pub(crate) label: String,
    pub(crate) file: Option<PathBuf>,
    pub(crate) dir: Option<PathBuf>,
}

/// `SSL_CERT_FILE`/`SSL_CERT_DIR` when set; else on Linux the bundle and directory OpenSSL
/// would use (bundle first: one read, not many), on macOS the keychain, on Windows the
/// certificate store.
pub(crate) fn store_locations() -> Vec<StoreLocation> {
    let env_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let env_dir = std::env::var_os("SSL_CERT_DIR").map(PathBuf::from);
    if env_file.is_some() || env_dir.is_some() {
        return file_locations(env_file, env_dir);
    }
    os::default_store_locations()
}

/// A bundle and a directory, bundle first.
fn file_locations(file: Option<PathBuf>, dir: Option<PathBuf>) -> Vec<StoreLocation> {
    let file = file.map(|f| StoreLocation {
        label: f.display().to_string(),
        file: Some(f),
        dir: None,
    });
    let dir = dir.map(|d| StoreLocation {
        label: d.display().to_string(),
        file: None,
        dir: Some(d),
    });
    file.into_iter().chain(dir).collect()
}

/// Refuses what this OS cannot do with a saved file's permissions, before anything is
/// downloaded: on Windows, any owner, group or mode (ACLs are inherited instead).
pub(crate) fn check_permissions(permissions: &Permissions) -> Result<(), Error> {
    os::check_permissions(permissions)
}

/// A user name or numeric id, as chown takes it.
pub(crate) fn user_id(name: &str) -> Result<u32, Error> {
    os::user_id(name)
}

/// A group name or numeric id, as chgrp takes it.
pub(crate) fn group_id(name: &str) -> Result<u32, Error> {
    os::group_id(name)
}

/// Raises the soft limit on open files toward `wanted` (never past the hard limit) when
/// it is lower, and returns the limit in force. Windows has no such limit on sockets:
/// `u64::MAX`.
pub(crate) fn open_file_limit(wanted: u64) -> u64 {
    os::open_file_limit(wanted)
}

/// The effective user id, which owners are compared with; none on Windows.
pub(crate) fn caller_uid() -> Option<u32> {
    os::caller_uid()
}

/// A file's owner and mode bits; none on Windows, which decides with ACLs (a saved file
/// inherits its directory's).
pub(crate) fn owner_and_mode(meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    os::owner_and_mode(meta)
}

/// The user's home in the password database, which the JVM (`user.home`) and Go
/// (`user.Current().HomeDir`) use whatever `$HOME` says; Windows has no password database
/// (its clients use the profile folders, handled where they do).
pub(crate) fn passwd_home() -> Option<PathBuf> {
    os::passwd_home()
}

/// The system shell running `command`: `/bin/sh -c` on Unix, `cmd.exe /C` on Windows.
pub fn shell_command(command: &str) -> std::process::Command {
    os::shell_command(command)
}

/// Makes every temporary file a named one, as on macOS, so that Linux tests cover that
/// path too.
#[cfg(test)]
pub(crate) fn force_named_temporaries(on: bool) {
    #[cfg(target_os = "linux")]
    linux::WITHOUT_TMPFILE.store(on, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(target_os = "linux"))]
    let _ = on;
}

#[cfg(test)]
mod tests;

/// The mode, owner and group a saved file must have; unset ones keep the replaced file's
/// (a new file: 0644, the user running rootcert). Windows has none of these: a saved file
/// there gets its directory's inherited ACL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permissions {
    /// File mode bits (0o644 and the like).
    pub mode: Option<u32>,
    /// Owner, as a user id.
    pub uid: Option<u32>,
    /// Group, as a group id.
    pub gid: Option<u32>,
}

impl Permissions {
    /// Permissions from a mode and the names (or numeric ids) of an owner and a group, as
    /// `chown` takes them. On Windows any of them is a usage error that says what to do
    /// instead.
    pub fn from_names(
        mode: Option<u32>,
        owner: Option<&str>,
        group: Option<&str>,
    ) -> Result<Permissions, Error> {
        let permissions = Permissions {
            mode,
            uid: owner.map(user_id).transpose()?,
            gid: group.map(group_id).transpose()?,
        };
        check_permissions(&permissions)?;
        Ok(permissions)
    }
}
