//! The coach of `COACH_PACK_DIR` (its `*.toml` packs and `messages/*.toml`), or the built-in
//! packs when it is unset: builds of different commits compare on the same packs while others
//! edit them. Shared by examples/dump_outputs.rs and benches/coach_speed.rs (`#[path]` module).

use std::fs;
use std::path::{Path, PathBuf};

use coach::Coach;

fn toml_texts(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(p).expect("pack readable"))
        })
        .collect()
}

fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect()
}

pub fn load_coach() -> Coach {
    let Some(dir) = std::env::var_os("COACH_PACK_DIR") else {
        return Coach::builtin().expect("built-in packs load");
    };
    let dir = Path::new(&dir);
    let (packs, messages) = (toml_texts(dir), toml_texts(&dir.join("messages")));
    Coach::from_sources(&as_refs(&packs), &as_refs(&messages)).expect("packs load")
}
