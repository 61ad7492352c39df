//! The running process and its user on Windows: Ctrl+C held during a save, no user or
//! group ids (owner, group and mode do not exist), the shell, and where the user's trust
//! files are by default.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use windows_sys::Win32::System::Console::{CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler};

use crate::error::Error;
use crate::hint::Setting;
use crate::platform::{Permissions, StoreLocation};

/// How a process ends on Ctrl+C, as the default handler ends it.
const STATUS_CONTROL_C_EXIT: u32 = 0xC000_013A;

/// Owner, group and mode cannot be given on Windows, and why.
pub(super) fn no_ownership() -> Error {
    Error::Unsupported {
        settings: vec![Setting::Owner, Setting::Group, Setting::Mode],
        problem: " do not exist on Windows: a saved file gets the ACL its directory passes on \
                  to new files. To choose who may read or change the trust file, set an \
                  inheritable ACL on its directory (icacls DIR /grant ...) and save there"
            .into(),
    }
}

/// Set by the console handler while interrupts are held.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

unsafe extern "system" fn note_interrupt(event: u32) -> windows_sys::core::BOOL {
    if event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT {
        INTERRUPTED.store(true, Ordering::SeqCst);
        return 1;
    }
    0
}

/// Ctrl+C and Ctrl+Break are noted instead of ending the process; dropped, the run ends
/// as Ctrl+C would have ended it.
pub(in crate::platform) struct HeldInterrupts;

impl HeldInterrupts {
    pub(in crate::platform) fn hold() -> HeldInterrupts {
        // SAFETY: installs a handler that only stores to an atomic.
        unsafe { SetConsoleCtrlHandler(Some(note_interrupt), 1) };
        HeldInterrupts
    }
}

impl Drop for HeldInterrupts {
    fn drop(&mut self) {
        // SAFETY: removes the handler `hold` installed.
        unsafe { SetConsoleCtrlHandler(Some(note_interrupt), 0) };
        if INTERRUPTED.swap(false, Ordering::SeqCst) {
            std::process::exit(STATUS_CONTROL_C_EXIT as i32);
        }
    }
}

/// libpq asks `SHGetFolderPath(CSIDL_APPDATA)`; `directories` asks for the same folder
/// (`FOLDERID_RoamingAppData`), not the `APPDATA` variable, which may differ.
pub(in crate::platform) fn libpq_default_file() -> Option<PathBuf> {
    let appdata = directories::BaseDirs::new()?.config_dir().to_path_buf();
    Some(appdata.join("postgresql").join("root.crt"))
}

pub(in crate::platform) fn default_store_locations() -> Vec<StoreLocation> {
    vec![StoreLocation {
        label: "Windows certificate store".to_string(),
        file: None,
        dir: None,
    }]
}

pub(in crate::platform) fn check_permissions(permissions: &Permissions) -> Result<(), Error> {
    if *permissions == Permissions::default() {
        return Ok(());
    }
    Err(no_ownership())
}

pub(in crate::platform) fn user_id(_name: &str) -> Result<u32, Error> {
    Err(no_ownership())
}

pub(in crate::platform) fn group_id(_name: &str) -> Result<u32, Error> {
    Err(no_ownership())
}

pub(in crate::platform) fn open_file_limit(_wanted: u64) -> u64 {
    u64::MAX
}

pub(in crate::platform) fn caller_uid() -> Option<u32> {
    None
}

pub(in crate::platform) fn owner_and_mode(_meta: &std::fs::Metadata) -> Option<(u32, u32)> {
    None
}

pub(in crate::platform) fn passwd_home() -> Option<PathBuf> {
    None
}

pub(in crate::platform) fn shell_command(command: &str) -> std::process::Command {
    use std::os::windows::process::CommandExt;
    let mut shell = std::process::Command::new("cmd.exe");
    // cmd.exe parses its command line itself: pass the command as written.
    shell.arg("/C").raw_arg(command);
    shell
}
