//! What the engine tells staff in notifications, in the six languages (`texts/<language>.toml`).
//! Customer notices and the safety procedure come from `domain::notices`; these are the staff
//! alerts that only the engine sends. Templates are literal text with `{named}` placeholders.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use domain::notices::supported_language;

const SOURCES: [(&str, &str); 6] = [
    ("en", include_str!("../texts/en.toml")),
    ("ro", include_str!("../texts/ro.toml")),
    ("zh-Hans", include_str!("../texts/zh-Hans.toml")),
    ("zh-Hant", include_str!("../texts/zh-Hant.toml")),
    ("tl", include_str!("../texts/tl.toml")),
    ("el", include_str!("../texts/el.toml")),
];

/// One language's texts by dotted key (`sla_warning.subject`).
type Table = BTreeMap<String, String>;

static TABLES: LazyLock<Vec<(&'static str, Table)>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(language, source)| {
            let value: toml::Table =
                toml::from_str(source).unwrap_or_else(|err| panic!("texts/{language}.toml: {err}"));
            let mut table = Table::new();
            flatten("", &value, &mut table);
            (*language, table)
        })
        .collect()
});

fn flatten(prefix: &str, value: &toml::Table, out: &mut Table) {
    for (name, item) in value {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match item {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            toml::Value::String(text) => {
                out.insert(key, text.trim_end_matches('\n').to_owned());
            }
            other => panic!("engine texts: {key} must be text, not {}", other.type_str()),
        }
    }
}

/// Staff texts in one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StaffTexts {
    table: &'static Table,
}

impl StaffTexts {
    /// The texts for a language tag; unknown tags get English.
    pub(crate) fn for_language(tag: &str) -> StaffTexts {
        let wanted = supported_language(tag);
        let tables = &*TABLES;
        let table = tables
            .iter()
            .find(|(language, _)| *language == wanted)
            .unwrap_or(&tables[0]);
        StaffTexts { table: &table.1 }
    }

    /// The text under `key` with its placeholders filled in. Keys are fixed by the English file,
    /// which the tests check every language against.
    pub(crate) fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        let template = self
            .table
            .get(key)
            .unwrap_or_else(|| panic!("engine text {key} is checked by the tests"));
        fill(template, values)
    }

    /// A notification's subject and body: the `<section>.subject` and `<section>.body` texts.
    pub(crate) fn subject_and_body(
        &self,
        section: &str,
        values: &[(&str, &str)],
    ) -> (String, String) {
        (
            self.text(&format!("{section}.subject"), values),
            self.text(&format!("{section}.body"), values),
        )
    }
}

/// Replaces each `{name}` in one pass, so a value that itself contains braces (a customer's
/// comment) is never read as a placeholder.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if values.iter().any(|(n, _)| *n == name) => {
                let value = values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
                out.push_str(value.unwrap_or_default());
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    #[test]
    fn every_language_has_the_english_keys_and_placeholders() {
        let tables = &*TABLES;
        let (_, english) = &tables[0];
        assert_eq!(tables.len(), domain::LANGUAGES.len());
        for (language, table) in tables.iter() {
            assert!(domain::LANGUAGES.contains(language));
            let keys: Vec<&String> = table.keys().collect();
            let english_keys: Vec<&String> = english.keys().collect();
            assert_eq!(keys, english_keys, "{language}");
            for (key, text) in table {
                assert_eq!(
                    placeholders(text),
                    placeholders(&english[key]),
                    "{language}: {key}"
                );
                assert!(!text.trim().is_empty(), "{language}: {key}");
            }
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_reparsed() {
        let texts = StaffTexts::for_language("ro-RO");
        let (subject, body) = texts.subject_and_body(
            "low_satisfaction",
            &[("case_id", "7"), ("score", "2"), ("comment", "{score} {x}")],
        );
        assert_eq!(
            subject,
            "Cazul 7: clientul a notat ajutorul nostru cu 2 din 5"
        );
        assert!(
            body.ends_with("Comentariul clientului: {score} {x}"),
            "{body}"
        );
        assert_eq!(fill("a {b} {c", &[("b", "1")]), "a 1 {c");
        assert!(
            StaffTexts::for_language("xx")
                .text("no_comment", &[])
                .contains("no comment")
        );
    }
}
