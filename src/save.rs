//! Atomic saves: a reader of the destination sees the old file or the new one, never a
//! partial one, and a failure leaves the destination exactly as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Mode of a trust file: readable by the services that need it.
#[cfg(unix)]
const MODE: u32 = 0o644;

/// Writes `contents` to `path` atomically: a temporary file in the same directory, fsync,
/// mode 0644, rename over the target, fsync the directory. Missing parents are created.
/// A symlink at `path` is followed, so a managed link keeps pointing where it did.
pub fn save_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let path = resolve_symlink(path);
    let parent = parent_of(&path);
    check_parent(&path)?;
    fs::create_dir_all(parent).map_err(|e| {
        Error::Destination(format!(
            "cannot create directory {}: {e}; choose another path with --out",
            parent.display()
        ))
    })?;
    let cannot_write = |e: std::io::Error| {
        Error::Destination(format!(
            "cannot write {}: {e}; choose another path with --out",
            path.display()
        ))
    };
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(cannot_write)?;
    temp.write_all(contents).map_err(cannot_write)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(MODE))
            .map_err(cannot_write)?;
    }
    temp.as_file().sync_all().map_err(cannot_write)?;
    // On failure the NamedTempFile inside the error is dropped, which deletes it.
    temp.persist(&path).map_err(|e| cannot_write(e.error))?;
    sync_dir(parent);
    Ok(())
}

/// Refuses a destination whose parent exists but is not a directory, before any download.
pub fn check_parent(path: &Path) -> Result<(), Error> {
    for ancestor in parent_of(path).ancestors() {
        match fs::metadata(ancestor) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(Error::Destination(format!(
                    "cannot save to {}: {} is not a directory; choose another path with --out",
                    path.display(),
                    ancestor.display()
                )));
            }
            Err(_) => continue,
        }
    }
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn resolve_symlink(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Makes the rename durable. Best effort: some file systems refuse to fsync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/root.pem");
        save_atomically(&path, b"one").unwrap();
        save_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let entries: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(entries.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
    }

    #[test]
    fn parent_that_is_a_file_is_a_destination_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = save_atomically(&file.join("sub/root.pem"), b"x").unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::DESTINATION);
        assert!(err.to_string().contains("is not a directory"), "{err}");
        assert_eq!(fs::read(&file).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn follows_a_symlink_instead_of_replacing_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.pem");
        let link = dir.path().join("link.pem");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        save_atomically(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
