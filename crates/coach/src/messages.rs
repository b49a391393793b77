//! The texts shown to agents and supervisors (messages/<screen language>.toml): a title and an
//! explanation per finding, good move, signal, anger level, score criterion and stage.

use std::collections::{BTreeMap, HashMap};

use text::{FxBuildHasher, Lang};

use crate::error::CoachError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText {
    pub title: String,
    pub explain: String,
}

#[derive(Debug, Default)]
pub(crate) struct MessageFile {
    pub ui: BTreeMap<String, String>,
    /// Section ("finding") → name ("apology_but") → text. Looked up for every finding, with
    /// keys from the packs: a fast hash.
    pub entries: HashMap<String, HashMap<String, MessageText, FxBuildHasher>, FxBuildHasher>,
}

#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub files: HashMap<Lang, MessageFile, FxBuildHasher>,
}

const SECTIONS: &[&str] = &[
    "finding",
    "good_move",
    "signal",
    "level",
    "criterion",
    "stage",
];

fn parse_file(file: &str, source: &str, into: &mut MessageFile) -> Result<(), CoachError> {
    let problem = |p: String| CoachError::Messages {
        file: file.to_owned(),
        problem: p,
    };
    let table: toml::Table = toml::from_str(source).map_err(|e| problem(e.to_string()))?;
    for (section, value) in table {
        let entries = value
            .as_table()
            .ok_or_else(|| problem(format!("[{section}] must be a table")))?;
        if section == "ui" {
            for (key, text) in entries {
                let text = text
                    .as_str()
                    .ok_or_else(|| problem(format!("ui.{key} must be text")))?;
                into.ui.insert(key.clone(), text.to_owned());
            }
            continue;
        }
        if !SECTIONS.contains(&section.as_str()) {
            return Err(problem(format!(
                "unknown section [{section}] (expected ui, {})",
                SECTIONS.join(", ")
            )));
        }
        for (name, entry) in entries {
            let key = format!("{section}.{name}");
            let field = |field: &str| -> Result<String, CoachError> {
                entry
                    .get(field)
                    .and_then(toml::Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| problem(format!("[{key}] needs a text field {field:?}")))
            };
            let text = MessageText {
                title: field("title")?,
                explain: field("explain")?,
            };
            into.entries
                .entry(section.clone())
                .or_default()
                .insert(name.clone(), text);
        }
    }
    Ok(())
}

impl Catalog {
    /// `sources`: (file name such as "ro.toml", TOML text). Later files add to and override earlier
    /// ones of the same language, so an organisation can reword a built-in explanation.
    pub fn load(sources: &[(&str, &str)]) -> Result<Catalog, CoachError> {
        let mut catalog = Catalog::default();
        for (file, source) in sources {
            let stem = file.strip_suffix(".toml").unwrap_or(file);
            let lang: Lang = stem.parse().map_err(|_| CoachError::Messages {
                file: file.to_string(),
                problem: "the file name must be a screen language: en.toml, ro.toml, el.toml, zh-Hans.toml, zh-Hant.toml or tl.toml".into(),
            })?;
            parse_file(file, source, catalog.files.entry(lang).or_default())?;
        }
        Ok(catalog)
    }

    /// The text for `section.name` in `ui`, falling back to English.
    pub fn text(&self, ui: Lang, section: &str, name: &str) -> Option<&MessageText> {
        [ui, Lang::En].iter().find_map(|lang| {
            self.files
                .get(lang)
                .and_then(|file| file.entries.get(section))
                .and_then(|entries| entries.get(name))
        })
    }

    pub fn ui(&self, ui: Lang, key: &str) -> String {
        [ui, Lang::En]
            .iter()
            .find_map(|lang| self.files.get(lang).and_then(|file| file.ui.get(key)))
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
}
