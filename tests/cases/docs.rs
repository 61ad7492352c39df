//! README.md and the other documents, kept true: every fenced block names its language, and
//! every `rootcert ...` line of a shell block is accepted by the built binary's argument
//! parser (the subcommand, each flag and each value's form). A block that is output, a
//! synopsis or a command for another machine is marked `text` and is not run.

use std::path::{Path, PathBuf};

use crate::support::*;

fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md"]
        .iter()
        .map(|name| root.join(name))
        .chain([root.join("recipes/README.md")])
        .collect();
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `(language, first line number, lines)` of each fenced block.
fn blocks(text: &str) -> Vec<(String, usize, Vec<String>)> {
    let mut found = Vec::new();
    let mut open: Option<(String, usize, Vec<String>)> = None;
    for (number, line) in text.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => open = Some((info.trim().to_string(), number + 1, Vec::new())),
            (Some(_), Some(_)) => found.push(open.take().unwrap()),
            (Some((_, _, lines)), None) => lines.push(line.to_string()),
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    found
}

/// The rootcert invocations of a shell block: continuation lines joined, and each cut before
/// a pipe, a redirection, `&&` or a comment (what follows is not rootcert's to parse).
fn invocations(lines: &[String]) -> Vec<String> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in lines {
        match line.trim_end().strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .iter()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("sudo ").unwrap_or(line);
            if !line.starts_with("rootcert ") {
                return None;
            }
            let end = [" | ", " > ", " >> ", " 2>", " && ", " #"]
                .iter()
                .filter_map(|stop| line.find(stop))
                .min()
                .unwrap_or(line.len());
            Some(line[..end].trim_end().to_string())
        })
        .collect()
}

#[test]
fn readme_and_docs_blocks_name_their_language_and_their_commands_parse() {
    let (program, prefix) = rootcert_program();
    if under_wine() || !prefix.is_empty() {
        return; // the shell below runs the binary itself, on Unix
    }
    let home = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in documents() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        for (language, line, lines) in blocks(&text) {
            if language.is_empty() {
                failures.push(format!("{name}:{line}: a fenced block without a language"));
                continue;
            }
            if !matches!(language.as_str(), "sh" | "bash" | "shell") {
                continue;
            }
            for command in invocations(&lines) {
                // The shell expands ~, $VAR and quotes as a reader's would; `--help` last
                // makes clap parse everything before it and then stop.
                let output = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(format!(
                        "rootcert() {{ \"$ROOTCERT_DOC_BIN\" \"$@\" --help; }}; {command}"
                    ))
                    .env("ROOTCERT_DOC_BIN", &program)
                    .env("HOME", home.path())
                    .env_remove("ROOTCERT_DIR")
                    .current_dir(home.path())
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                ran += 1;
                if !output.status.success() {
                    failures.push(format!(
                        "{name}:{line}: `{command}` is not accepted:\n{}",
                        String::from_utf8_lossy(&output.stderr)
                    ));
                }
            }
        }
    }
    assert!(
        ran > 20,
        "only {ran} commands found: is the block parser broken?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
