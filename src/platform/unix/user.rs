//! The running process and its user on Linux and macOS: signals held during a save, user
//! and group ids by name, the open-file limit, the home directory, the shell, and where
//! the user's trust files are by default.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::error::Error;
use crate::hint::Setting;
use crate::platform::unix_variant as variant;
use crate::platform::{Permissions, StoreLocation};

/// Holds back SIGINT, SIGTERM and SIGHUP (delivered right after, and ending the run).
pub(in crate::platform) struct HeldInterrupts {
    previous: libc::sigset_t,
}

impl HeldInterrupts {
    pub(in crate::platform) fn hold() -> HeldInterrupts {
        // SAFETY: plain signal-mask calls on a zeroed set.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(&mut set, signal);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut previous);
            HeldInterrupts { previous }
        }
    }
}

impl Drop for HeldInterrupts {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `hold`.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}

pub(in crate::platform) fn libpq_default_file() -> Option<PathBuf> {
    let home = directories::BaseDirs::new()?.home_dir().to_path_buf();
    Some(home.join(".postgresql").join("root.crt"))
}

pub(in crate::platform) fn default_store_locations() -> Vec<StoreLocation> {
    match variant::store_paths() {
        Some((file, dir)) => crate::platform::file_locations(file, dir),
        None => vec![StoreLocation {
            label: variant::NATIVE_STORE.to_string(),
            file: None,
            dir: None,
        }],
    }
}

pub(in crate::platform) fn check_permissions(_: &Permissions) -> Result<(), Error> {
    Ok(())
}

pub(in crate::platform) fn user_id(name: &str) -> Result<u32, Error> {
    // SAFETY: getpwnam returns null or a pointer into static storage, read at once.
    id_of(Setting::Owner, "user", name, |c| unsafe {
        libc::getpwnam(c).as_ref().map(|entry| entry.pw_uid)
    })
}

pub(in crate::platform) fn group_id(name: &str) -> Result<u32, Error> {
    // SAFETY: getgrnam returns null or a pointer into static storage, read at once.
    id_of(Setting::Group, "group", name, |c| unsafe {
        libc::getgrnam(c).as_ref().map(|entry| entry.gr_gid)
    })
}

/// A number as it is, else the id `lookup` finds for the name.
fn id_of(
    setting: Setting,
    what: &str,
    name: &str,
    lookup: impl Fn(*const libc::c_char) -> Option<u32>,
) -> Result<u32, Error> {
    let bad = |problem: String| Error::BadSetting { setting, problem };
    if let Ok(id) = name.parse::<u32>() {
        // chown reads -1 (4294967295) as "leave it as it is": refuse it, not ignore it.
        if id == u32::MAX {
            return Err(bad(format!(
                " {id} is the id chown reads as \"no change\": give a real {what}"
            )));
        }
        return Ok(id);
    }
    let c_name =
        std::ffi::CString::new(name).map_err(|_| bad(format!(" '{name}' is not a {what} name")))?;
    lookup(c_name.as_ptr()).ok_or_else(|| bad(format!(" '{name}': no such {what}")))
}

pub(in crate::platform) fn open_file_limit(wanted: u64) -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let soft = limit.current.unwrap_or(u64::MAX);
    if soft >= wanted {
        return soft;
    }
    let raised = wanted.min(limit.maximum.unwrap_or(u64::MAX));
    limit.current = Some(raised);
    match setrlimit(Resource::Nofile, limit) {
        Ok(()) => raised,
        Err(_) => soft,
    }
}

pub(in crate::platform) fn caller_uid() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
}

pub(in crate::platform) fn owner_and_mode(meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.uid(), meta.mode()))
}

pub(in crate::platform) fn passwd_home() -> Option<PathBuf> {
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
    Some(PathBuf::from(OsStr::from_bytes(dir.to_bytes())))
}

pub(in crate::platform) fn shell_command(command: &str) -> std::process::Command {
    let mut shell = std::process::Command::new("/bin/sh");
    shell.args(["-c", command]);
    shell
}
