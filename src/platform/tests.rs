//! The interface's promises, in terms every OS shares (no modes, no symlinks): these run
//! wherever the unit tests run.

use std::ffi::OsStr;
use std::fs;

use super::*;

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn creates_places_and_replaces_leaving_no_temporary() {
    let base = tempfile::tempdir().unwrap();
    let path = base.path().join("a").join("b").join("root.pem");
    let Resolved {
        mut dir,
        missing,
        name,
    } = resolve(&path).unwrap();
    assert_eq!(missing, [OsStr::new("a"), OsStr::new("b")]);
    assert_eq!(name, "root.pem");
    for component in &missing {
        dir = dir.create_dir(component).unwrap();
    }
    assert!(dir.identity(&name).is_none());
    assert!(dir.open_file(&name).unwrap().is_none());

    let mut temp = dir.create_temp().unwrap();
    temp.write_all(b"one").unwrap();
    temp.sync().unwrap();
    dir.place_new(&temp, &name).unwrap();
    drop(temp);
    let first = dir.identity(&name).expect("placed");
    assert_eq!(fs::read(&path).unwrap(), b"one");

    // A new file never replaces one that is there.
    let mut temp = dir.create_temp().unwrap();
    temp.write_all(b"two").unwrap();
    assert!(matches!(
        dir.place_new(&temp, &name),
        Err(PlaceError::Exists)
    ));
    assert_eq!(fs::read(&path).unwrap(), b"one");
    dir.replace(&temp, &name).unwrap();
    drop(temp);
    dir.sync();
    assert_eq!(fs::read(&path).unwrap(), b"two");
    assert_ne!(dir.identity(&name), Some(first));
    assert_eq!(names_in(path.parent().unwrap()), ["root.pem"]);

    let (mut file, info) = dir.open_file(&name).unwrap().expect("a file");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
    assert_eq!((bytes.as_slice(), info.size), (b"two".as_slice(), 3));
    assert_eq!(Some(info.identity), dir.identity(&name));
}

#[test]
fn a_dropped_temporary_leaves_nothing() {
    let base = tempfile::tempdir().unwrap();
    let dir = resolve(&base.path().join("x")).unwrap().dir;
    let mut temp = dir.create_temp().unwrap();
    temp.write_all(b"abandoned").unwrap();
    drop(temp);
    assert!(names_in(base.path()).is_empty());
}

#[test]
fn directories_are_not_regular_files() {
    let base = tempfile::tempdir().unwrap();
    fs::create_dir(base.path().join("sub")).unwrap();
    let dir = resolve(&base.path().join("sub")).unwrap().dir;
    assert!(matches!(
        dir.open_file(OsStr::new("sub")),
        Err(OpenError::NotRegular(Kind::Directory))
    ));
    assert!(matches!(
        open_regular(&base.path().join("sub")),
        Err(OpenError::NotRegular(Kind::Directory))
    ));
}

#[test]
fn stale_temporaries_go_and_nothing_else() {
    let base = tempfile::tempdir().unwrap();
    fs::write(base.path().join(".rootcert-0123456789abcdef.tmp"), "x").unwrap();
    fs::write(base.path().join("unrelated.tmp"), "x").unwrap();
    fs::write(base.path().join("root.pem"), "x").unwrap();
    let dir = resolve(&base.path().join("root.pem")).unwrap().dir;
    dir.remove_stale_temporaries(OsStr::new("root.pem"));
    assert_eq!(names_in(base.path()), ["root.pem", "unrelated.tmp"]);
}

#[test]
fn one_run_at_a_time_holds_a_directory() {
    let base = tempfile::tempdir().unwrap();
    let path = base.path().join("root.pem");
    let dir = resolve(&path).unwrap().dir;
    let lock = dir.lock().unwrap();
    let other = |path: PathBuf| {
        std::thread::spawn(move || resolve(&path).unwrap().dir.try_lock().is_some())
            .join()
            .unwrap()
    };
    assert!(!other(path.clone()), "a second run got the lock");
    drop(lock);
    assert!(other(path), "the lock was not released");
}

#[test]
fn unicode_paths_print_as_they_are() {
    let path = Path::new("dir").join("crème brûlée.pem");
    assert_eq!(
        path_text(&path),
        path.to_str().unwrap(),
        "no escaping of valid text"
    );
}
