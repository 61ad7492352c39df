//! Snapshot files under tests/snapshots/: what a command printed, reviewed like code.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test cli`.

use std::path::PathBuf;

use super::Run;

/// Asserts that `text` is `tests/snapshots/NAME`, or writes it there under UPDATE_SNAPSHOTS.
#[track_caller]
pub fn assert_snapshot(name: &str, text: &str, what: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        text, expected,
        "{what} changed; review, then UPDATE_SNAPSHOTS=1"
    );
}

/// Keys whose values change from run to run whatever the input (the clock).
const VOLATILE_KEYS: &[&str] = &["days_left"];

/// `json` pretty-printed with what changes between runs replaced: each `(found, stands_for)`
/// pair in every string (temporary paths, ports), and the values of [`VOLATILE_KEYS`] and
/// of `generated` keys (such as the fingerprints and serials of certificates made per run).
pub fn normalised_json(
    json: &serde_json::Value,
    replace: &[(&str, &str)],
    generated: &[&str],
) -> String {
    fn walk(value: &mut serde_json::Value, replace: &[(&str, &str)], generated: &[&str]) {
        match value {
            serde_json::Value::String(text) => {
                for (found, stands_for) in replace {
                    *text = text.replace(found, stands_for);
                }
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|v| walk(v, replace, generated))
            }
            serde_json::Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    let key = key.as_str();
                    if VOLATILE_KEYS.contains(&key) || generated.contains(&key) {
                        *field = format!("<{key}>").into();
                    } else {
                        walk(field, replace, generated);
                    }
                }
            }
            _ => {}
        }
    }
    let mut json = json.clone();
    walk(&mut json, replace, generated);
    let mut text = serde_json::to_string_pretty(&json).unwrap();
    text.push('\n');
    text
}

/// Asserts that a run's JSON is `tests/snapshots/json/NAME.json` once normalised.
#[track_caller]
pub fn assert_json_snapshot(name: &str, run: &Run, replace: &[(&str, &str)]) {
    assert_generated_json_snapshot(name, run, replace, &[]);
}

/// The same, for runs that meet certificates made per run: `generated` names the keys
/// whose values change with them.
#[track_caller]
pub fn assert_generated_json_snapshot(
    name: &str,
    run: &Run,
    replace: &[(&str, &str)],
    generated: &[&str],
) {
    let text = normalised_json(&run.json(), replace, generated);
    let what = format!("the JSON of {name}");
    assert_snapshot(&format!("json/{name}.json"), &text, &what);
}
