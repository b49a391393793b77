//! The case taxonomy: the categories a complaint may be filed under (what it is about, used for
//! routing — TL-7) and the causes found in the root-cause review (why it happened — CLEAR-R2/R3).
//! An organisation configures its own; the built-in one is `data/taxonomy.toml`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{DomainError, LANGUAGES};

const BUILTIN: &str = include_str!("../data/taxonomy.toml");
const MAX_KEY_CHARS: usize = 64;

/// One category or cause: a stable key stored on cases, and its label per UI language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub key: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Term {
    /// The label in `language`, else the English one, else the key itself.
    pub fn label(&self, language: &str) -> &str {
        self.labels
            .get(language)
            .or_else(|| self.labels.get("en"))
            .map_or(self.key.as_str(), String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub categories: Vec<Term>,
    pub causes: Vec<Term>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TaxonomyError {
    #[error("taxonomy: {list} is empty; list at least one")]
    Empty { list: &'static str },
    #[error(
        "taxonomy: {list} key {key:?} must be 1–{MAX_KEY_CHARS} characters of a–z, 0–9, _ or -, starting with a letter or digit"
    )]
    BadKey { list: &'static str, key: String },
    #[error("taxonomy: {list} key {key:?} is listed twice")]
    Duplicate { list: &'static str, key: String },
    #[error("taxonomy: {list} key {key:?} has a label for {language:?}, which is not one of {}", LANGUAGES.join(", "))]
    UnknownLanguage {
        list: &'static str,
        key: String,
        language: String,
    },
    #[error("taxonomy: cannot read it: {0}")]
    Syntax(String),
}

impl Taxonomy {
    /// The taxonomy shipped with Calmdesk, labelled in all six languages.
    pub fn builtin() -> Taxonomy {
        Taxonomy::from_toml(BUILTIN).expect("the built-in taxonomy is valid (tested)")
    }

    pub fn from_toml(text: &str) -> Result<Taxonomy, TaxonomyError> {
        let taxonomy: Taxonomy =
            toml::from_str(text).map_err(|err| TaxonomyError::Syntax(err.message().to_owned()))?;
        taxonomy.validated()
    }

    /// Checks a taxonomy that came from configuration, so mistakes stop the start-up.
    pub fn validated(self) -> Result<Taxonomy, TaxonomyError> {
        check_terms("categories", &self.categories)?;
        check_terms("causes", &self.causes)?;
        Ok(self)
    }

    /// A case's `category`: absent, or one of the configured keys.
    pub fn check_category(&self, value: Option<&str>) -> Result<(), DomainError> {
        check_value("category", &self.categories, value)
    }

    /// A case's `cause`: absent, or one of the configured keys.
    pub fn check_cause(&self, value: Option<&str>) -> Result<(), DomainError> {
        check_value("cause", &self.causes, value)
    }
}

fn check_terms(list: &'static str, terms: &[Term]) -> Result<(), TaxonomyError> {
    if terms.is_empty() {
        return Err(TaxonomyError::Empty { list });
    }
    let mut seen = BTreeSet::new();
    for term in terms {
        let key = &term.key;
        let well_formed = key.chars().count() <= MAX_KEY_CHARS
            && key
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !well_formed {
            return Err(TaxonomyError::BadKey {
                list,
                key: key.clone(),
            });
        }
        if !seen.insert(key) {
            return Err(TaxonomyError::Duplicate {
                list,
                key: key.clone(),
            });
        }
        if let Some(language) = term
            .labels
            .keys()
            .find(|language| !LANGUAGES.contains(&language.as_str()))
        {
            return Err(TaxonomyError::UnknownLanguage {
                list,
                key: key.clone(),
                language: language.clone(),
            });
        }
    }
    Ok(())
}

fn check_value(field: &str, terms: &[Term], value: Option<&str>) -> Result<(), DomainError> {
    match value {
        Some(value) if !terms.iter().any(|term| term.key == value) => {
            let known: Vec<&str> = terms.iter().map(|term| term.key.as_str()).collect();
            Err(DomainError::invalid(
                field,
                format!(
                    "`{value}` is not in the taxonomy; use one of {}",
                    known.join(", ")
                ),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_taxonomy_is_labelled_in_all_six_languages() {
        let taxonomy = Taxonomy::builtin();
        for term in taxonomy.categories.iter().chain(&taxonomy.causes) {
            for language in LANGUAGES {
                assert!(
                    term.labels
                        .get(language)
                        .is_some_and(|l| !l.trim().is_empty()),
                    "{} has no {language} label",
                    term.key
                );
            }
        }
    }

    #[test]
    fn unknown_values_are_refused_naming_the_field_and_the_choices() {
        let taxonomy = Taxonomy::builtin();
        assert_eq!(taxonomy.check_category(None), Ok(()));
        assert_eq!(taxonomy.check_category(Some("delivery")), Ok(()));
        assert_eq!(taxonomy.check_cause(Some("courier")), Ok(()));
        match taxonomy.check_category(Some("Delivery")) {
            Err(DomainError::InvalidField { field, reason }) => {
                assert_eq!(field, "category");
                assert!(reason.contains("`Delivery`") && reason.contains("delivery, quality"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            taxonomy.check_cause(Some("delivery")),
            Err(DomainError::InvalidField { field, .. }) if field == "cause"
        ));
    }

    #[test]
    fn configuration_mistakes_are_named() {
        let one = |list: &str, key: &str, labels: &str| {
            let other = if list == "categories" {
                "causes"
            } else {
                "categories"
            };
            format!(
                "[[{list}]]\nkey = \"{key}\"\nlabels = {{ {labels} }}\n[[{other}]]\nkey = \"x\"\n"
            )
        };
        assert_eq!(
            Taxonomy::from_toml(&one("categories", "Bad Key", "")),
            Err(TaxonomyError::BadKey {
                list: "categories",
                key: "Bad Key".into()
            })
        );
        assert_eq!(
            Taxonomy::from_toml(&one("causes", "late", "fr = \"retard\"")),
            Err(TaxonomyError::UnknownLanguage {
                list: "causes",
                key: "late".into(),
                language: "fr".into()
            })
        );
        let twice = "categories = [{ key = \"a\" }, { key = \"a\" }]\ncauses = [{ key = \"b\" }]";
        assert_eq!(
            Taxonomy::from_toml(twice),
            Err(TaxonomyError::Duplicate {
                list: "categories",
                key: "a".into()
            })
        );
        assert_eq!(
            Taxonomy::from_toml("categories = []\ncauses = [{ key = \"b\" }]"),
            Err(TaxonomyError::Empty { list: "categories" })
        );
        assert!(matches!(
            Taxonomy::from_toml("categories = 3"),
            Err(TaxonomyError::Syntax(_))
        ));
    }

    #[test]
    fn labels_fall_back_to_english_then_the_key() {
        let taxonomy =
            Taxonomy::from_toml("categories = [{ key = \"late\", labels = { en = \"Late\" } }, { key = \"bare\" }]\ncauses = [{ key = \"b\" }]")
                .unwrap();
        assert_eq!(taxonomy.categories[0].label("el"), "Late");
        assert_eq!(taxonomy.categories[1].label("ro"), "bare");
        assert_eq!(Taxonomy::builtin().categories[0].label("el"), "Παράδοση");
    }
}
