//! The home directories clients take their default files from: `$HOME` (libpq, asyncpg),
//! and the password database's entry for the user, which the JVM (`user.home`) and Go
//! (`user.Current().HomeDir`) use whatever `$HOME` says.

use std::path::PathBuf;

/// The user's home in the password database.
#[cfg(unix)]
pub(crate) fn passwd_home() -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `entry` and `buffer`, both ours and large enough or
    // reported as ERANGE; `found` points at `entry` or is null.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() || entry.pw_dir.is_null() {
        return None;
    }
    // SAFETY: pw_dir points into `buffer`, NUL-terminated by getpwuid_r.
    let dir = unsafe { std::ffi::CStr::from_ptr(entry.pw_dir) };
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(dir.to_bytes())))
}

/// Windows has no password database; its clients use `%APPDATA%` (handled where they do).
#[cfg(not(unix))]
pub(crate) fn passwd_home() -> Option<PathBuf> {
    None
}
