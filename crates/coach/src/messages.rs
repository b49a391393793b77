//! The texts shown to agents and supervisors (messages/<screen language>.toml): a title and an
//! explanation per finding, good move, signal, anger level, score criterion and stage.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use text::{FxBuildHasher, Lang};

use crate::error::{CoachError, MessagesProblem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText {
    pub title: String,
    pub explain: String,
}

#[derive(Debug, Default)]
pub(crate) struct MessageFile {
    pub ui: BTreeMap<String, String>,
    /// Error sentences by code (`[errors]`), with `{placeholders}`.
    pub errors: BTreeMap<String, String>,
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

/// The sections of plain texts by key: `[ui]` labels and `[errors]` sentences.
fn plain_section<'a>(
    into: &'a mut MessageFile,
    section: &str,
) -> Option<&'a mut BTreeMap<String, String>> {
    match section {
        "ui" => Some(&mut into.ui),
        "errors" => Some(&mut into.errors),
        _ => None,
    }
}

fn parse_file(file: &str, source: &str, into: &mut MessageFile) -> Result<(), CoachError> {
    let problem = |problem: MessagesProblem| CoachError::Messages {
        file: file.to_owned(),
        problem,
    };
    let table: toml::Table =
        toml::from_str(source).map_err(|e| problem(MessagesProblem::Toml(e.to_string())))?;
    for (section, value) in table {
        let entries = value.as_table().ok_or_else(|| {
            problem(MessagesProblem::NotATable {
                section: section.clone(),
            })
        })?;
        if let Some(texts) = plain_section(into, &section) {
            for (key, text) in entries {
                let text = text.as_str().ok_or_else(|| {
                    problem(MessagesProblem::NotText {
                        section: section.clone(),
                        key: key.clone(),
                    })
                })?;
                texts.insert(key.clone(), text.to_owned());
            }
            continue;
        }
        if !SECTIONS.contains(&section.as_str()) {
            return Err(problem(MessagesProblem::UnknownSection {
                section: section.clone(),
                expected: format!("ui, errors, {}", SECTIONS.join(", ")),
            }));
        }
        for (name, entry) in entries {
            let key = format!("{section}.{name}");
            let field = |field: &str| -> Result<String, CoachError> {
                entry
                    .get(field)
                    .and_then(toml::Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        problem(MessagesProblem::MissingField {
                            key: key.clone(),
                            field: field.to_owned(),
                        })
                    })
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

/// The built-in message files, parsed once: errors must be sayable even when an organisation's
/// own files are what failed to load.
static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::load(crate::builtin_messages()).unwrap_or_else(|_| Catalog::default())
});

/// The error sentence `code` in `ui` (English when that language lacks it), placeholders filled.
/// Without any sentence for `code` the values are listed, so nothing is ever lost.
pub(crate) fn error_text(ui: Lang, code: &str, values: &[(&str, &str)]) -> String {
    let template = [ui, Lang::En].iter().find_map(|lang| {
        BUILTIN
            .files
            .get(lang)
            .and_then(|file| file.errors.get(code))
    });
    match template {
        Some(template) => fill(template, values),
        None => {
            let listed: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{code}: {}", listed.join(", "))
        }
    }
}

/// `{name}` → its value, left to right in one pass: a value holding braces (a file name, a
/// parser's message) is copied, never read as a placeholder. Unknown names stay as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut pieces = template.split('{');
    out.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        let value = piece
            .split_once('}')
            .and_then(|(name, rest)| Some((values.iter().find(|(k, _)| *k == name)?.1, rest)));
        match value {
            Some((value, rest)) => {
                out.push_str(value);
                out.push_str(rest);
            }
            None => {
                out.push('{');
                out.push_str(piece);
            }
        }
    }
    out
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
                problem: MessagesProblem::FileName,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|piece| piece.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_language_has_every_error_with_the_english_placeholders() {
        let english = &BUILTIN.files[&Lang::En].errors;
        assert!(english.len() >= 10, "{english:?}");
        for lang in Lang::ALL.iter().filter(|l| **l != Lang::Und) {
            let errors = &BUILTIN.files[lang].errors;
            let keys: Vec<&String> = errors.keys().collect();
            assert_eq!(keys, english.keys().collect::<Vec<_>>(), "{lang:?}");
            for (key, text) in errors {
                assert_eq!(
                    placeholders(text),
                    placeholders(&english[key]),
                    "{lang:?} {key}"
                );
                assert!(!text.trim().is_empty(), "{lang:?} {key}");
                let words = fill(text, &[])
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .count()
                    > placeholders(text).iter().map(|p| p.len()).sum::<usize>();
                if *lang != Lang::En && words {
                    assert_ne!(text, &english[key], "{lang:?} {key} is not translated");
                }
            }
        }
    }

    #[test]
    fn errors_render_in_the_screen_language_with_their_values() {
        let err = CoachError::rule("acme-ro.toml", "ro.abuse.9", "unclosed \"(\"");
        assert_eq!(err.code(), "rule");
        assert_eq!(
            err.to_string(),
            "acme-ro.toml: rule ro.abuse.9: unclosed \"(\""
        );
        let greek = err.message(Lang::El);
        assert!(
            greek.contains("acme-ro.toml") && greek.contains("ro.abuse.9"),
            "{greek}"
        );
        assert_ne!(greek, err.to_string());
        let bad = Catalog::load(&[("xx.toml", "")]).unwrap_err();
        assert_eq!(bad.code(), "messages_file_name");
        assert!(
            bad.message(Lang::ZhHans).contains("xx.toml"),
            "{}",
            bad.message(Lang::ZhHans)
        );
    }

    #[test]
    fn fill_copies_values_without_reading_them() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "2")]),
            "{b} and 2"
        );
        assert_eq!(fill("x {unknown} {", &[]), "x {unknown} {");
        assert_eq!(
            error_text(Lang::Ro, "no_such_code", &[("k", "v")]),
            "no_such_code: k=v"
        );
    }
}
