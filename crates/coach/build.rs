//! Embeds every rule pack and message file found under `playbooks/` into the library, so that a
//! pack added by a language helper or an organisation is built in without editing code.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

fn embed_list(name: &str, files: &[PathBuf]) -> String {
    let mut out = format!("pub(crate) const {name}: &[(&str, &str)] = &[\n");
    for file in files {
        let file_name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name");
        out.push_str(&format!(
            "    ({file_name:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    out
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let playbooks = root.join("playbooks");
    let messages = playbooks.join("messages");
    println!("cargo:rerun-if-changed={}", playbooks.display());
    println!("cargo:rerun-if-changed={}", messages.display());
    let source = embed_list("BUILTIN_PACKS", &toml_files(&playbooks))
        + &embed_list("BUILTIN_MESSAGES", &toml_files(&messages));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    fs::write(out, source).expect("write builtin.rs");
}
