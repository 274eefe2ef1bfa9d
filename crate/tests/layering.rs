//! The crate's top-level modules form layers: none imports, through any chain of others, a module
//! that imports it back. A circle means that neither module can be read, tested or moved without
//! the other; the fix is to move what both use down into the module that owns it (as `read` and
//! `kernels` were moved out of `train` and `model`). Read from the source: every `crate::NAME`
//! and `super::…::NAME` that reaches the crate's root, outside comments.
//! `cargo test --test layering -- --nocapture` prints the graph.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which top-level module each edge goes to, and the files that make it.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("crate/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (line, doc and block comments).
fn code(text: &str) -> String {
    let without_blocks = text
        .split("/*")
        .enumerate()
        .fold(String::new(), |mut out, (i, part)| {
            out.push_str(if i == 0 {
                part
            } else {
                part.split_once("*/").map_or("", |(_, rest)| rest)
            });
            out
        });
    without_blocks
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers a path that reaches the crate's root names next: after `crate::`, and after
/// as many `super::` as the file is deep. `crate::{a, b::c}` names `a` and `b`.
fn root_names(code: &str, depth: usize) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut prefixes = vec!["crate::".to_string()];
    if depth > 0 {
        prefixes.push("super::".repeat(depth));
    }
    let mut names = Vec::new();
    for prefix in &prefixes {
        for (at, _) in code.match_indices(prefix.as_str()) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `kiln::crate::` cannot occur; `x::super::` is a deeper `super`
            }
            let rest = &code[at + prefix.len()..];
            match rest.strip_prefix('{') {
                Some(group) => {
                    let group = group.split('}').next().unwrap_or("");
                    names.extend(group.split(',').map(ident));
                }
                None => names.push(ident(rest)),
            }
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let modules: BTreeSet<String> = code(&lib)
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod "))
        .map(|l| l.trim_end_matches(';').trim().to_string())
        .collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let mut path: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if path.last().is_some_and(|p| p == "mod") {
            path.pop();
        }
        let Some(from) = path.first().filter(|m| modules.contains(*m)) else {
            continue; // lib.rs, and main.rs with the CLI (its own crate)
        };
        let text = std::fs::read_to_string(&file).expect("a source file");
        for to in root_names(&code(&text), path.len()) {
            if to != *from && modules.contains(&to) {
                let edge = graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default();
                edge.insert(relative.display().to_string());
            }
        }
    }
    graph
}

/// A chain of imports from `from` back to `to`, if there is one.
fn path_back(
    graph: &Graph,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if from == to {
        return Some(vec![to.to_string()]);
    }
    if !seen.insert(from.to_string()) {
        return None;
    }
    for next in graph.get(from).into_iter().flat_map(|edges| edges.keys()) {
        if let Some(mut rest) = path_back(graph, next, to, seen) {
            rest.insert(0, from.to_string());
            return Some(rest);
        }
    }
    None
}

#[test]
fn no_top_level_module_imports_itself_through_others() {
    let graph = graph();
    let mut circles = Vec::new();
    for (from, edges) in &graph {
        println!(
            "{from} -> {}",
            edges.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        for (to, files) in edges {
            if let Some(back) = path_back(&graph, to, from, &mut BTreeSet::new()) {
                let files = files.iter().cloned().collect::<Vec<_>>().join(", ");
                circles.push(format!(
                    "{from} -> {} (the first step in {files})",
                    back.join(" -> ")
                ));
            }
        }
    }
    assert!(
        graph.contains_key("train"),
        "the graph was not read: {graph:?}"
    );
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}
