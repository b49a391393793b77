//! What the process engine says, in the six languages: customer notices (acknowledgement, delay
//! notice, follow-up, solution confirmation), the safety procedure shown to staff, and the staff
//! texts of routing and incident records.
//!
//! The wording lives in `templates/<language>.toml`, one file per language, embedded in the
//! binary. A deployment may load its own wording with [`Catalog::from_sources`]; it is checked
//! against the built-in English: the same keys, and per key the same placeholders, in every
//! language — so a notice can never go out with a hole in it.

mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::commands::LANGUAGES;
use crate::ids::CaseId;
use crate::lifecycle::Resolution;
use template::Template;

const BUILTIN: [(&str, &str); 6] = [
    ("en", include_str!("../../templates/en.toml")),
    ("ro", include_str!("../../templates/ro.toml")),
    ("zh-Hans", include_str!("../../templates/zh-Hans.toml")),
    ("zh-Hant", include_str!("../../templates/zh-Hant.toml")),
    ("tl", include_str!("../../templates/tl.toml")),
    ("el", include_str!("../../templates/el.toml")),
];

const DATETIME_KEY: &str = "dates.datetime";
const DATE_PLACEHOLDERS: [&str; 10] = [
    "weekday",
    "day",
    "month",
    "month_number",
    "year",
    "hour24",
    "hour12",
    "minute",
    "am_pm",
    "offset",
];
/// The name lists of a language file and how many entries each must have.
const NAME_LISTS: [(&str, usize); 4] = [
    ("dates.months", 12),
    ("dates.weekdays", 7),
    ("dates.am_pm", 2),
    ("feedback_page.scores", 5),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("texts for {language:?}: not valid TOML: {message}")]
    Toml { language: String, message: String },
    #[error("texts for {language:?}: Calmdesk speaks only {}", LANGUAGES.join(", "))]
    UnknownLanguage { language: String },
    #[error("texts for {language:?} are given twice")]
    DuplicateLanguage { language: String },
    #[error("texts for {language:?} are missing")]
    MissingLanguage { language: &'static str },
    #[error("texts for {language:?}: {key} is missing")]
    MissingText { language: String, key: String },
    #[error("texts for {language:?}: {key} is not a text Calmdesk uses")]
    UnexpectedText { language: String, key: String },
    #[error("texts for {language:?}: {key} must be text")]
    NotText { language: String, key: String },
    #[error("texts for {language:?}: {key}: {reason}")]
    BadTemplate {
        language: String,
        key: String,
        reason: String,
    },
    #[error(
        "texts for {language:?}: {key} must use the placeholders {expected:?}, found {found:?}"
    )]
    Placeholders {
        language: String,
        key: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error("texts for {language:?}: {key} must list {expected} names")]
    NameList {
        language: String,
        key: String,
        expected: usize,
    },
}

/// The texts of one language.
#[derive(Debug, Clone)]
pub struct Texts {
    language: &'static str,
    templates: BTreeMap<String, Template>,
    names: BTreeMap<String, Vec<String>>,
}

/// The texts of all six languages.
#[derive(Debug, Clone)]
pub struct Catalog {
    languages: Vec<Texts>,
}

/// A customer notice or staff procedure to put into words.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// ISO 10002: the case id and the applicable deadline.
    Acknowledgement {
        customer_name: &'a str,
        case_id: CaseId,
        deadline: Timestamp,
    },
    /// TL-8: the answer will be late; here is the new expected date.
    Delay {
        customer_name: &'a str,
        case_id: CaseId,
        new_deadline: Timestamp,
    },
    /// CLEAR-R4: "About your earlier problem … do you have any other comments?"
    FollowUp {
        customer_name: &'a str,
        case_id: CaseId,
        subject: &'a str,
        link: &'a str,
    },
    /// RO-10: confirm a total ("everything works now — right?") or pending solution.
    ConfirmSolution {
        customer_name: &'a str,
        case_id: CaseId,
        resolution: Resolution,
        solution: &'a str,
        link: &'a str,
    },
    /// TL-10, for staff: what to do when someone's safety is at risk.
    SafetyProcedure {
        case_id: CaseId,
        security_contact: &'a str,
        emergency_number: &'a str,
    },
}

/// The words of the page behind a satisfaction or confirmation link (CLEAR-R4, RO-10), which the
/// customer opens without an account. Plain text: the web layer escapes it into its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackPageTexts {
    pub language: &'static str,
    pub satisfaction_title: String,
    pub satisfaction_question: String,
    /// The meaning of the scores 1 to 5, "very dissatisfied" first.
    pub scores: Vec<String>,
    pub confirmation_title: String,
    pub confirmation_question: String,
    pub confirm_yes: String,
    pub confirm_no: String,
    /// RO-10, a pending solution ("I'm sending you a box"): the customer confirms the next steps
    /// agreed, not that everything works.
    pub confirmation_pending_title: String,
    pub confirmation_pending_question: String,
    pub confirm_pending_yes: String,
    pub confirm_pending_no: String,
    pub comment: String,
    pub send: String,
    pub thanks_title: String,
    pub thanks_body: String,
    pub already_answered: String,
}

/// A notice in words: plain text (the mail layer escapes it for HTML if it needs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedNotice {
    pub language: &'static str,
    pub subject: String,
    pub body: String,
}

impl Catalog {
    /// The wording shipped with Calmdesk.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN_CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
            Catalog::from_sources(&BUILTIN).expect("the built-in texts are checked by the tests")
        });
        &BUILTIN_CATALOG
    }

    /// Loads wording from `(language tag, TOML text)` pairs, one per language, all six required.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Catalog, NoticeError> {
        let reference = parse_language("en", BUILTIN[0].1)?;
        let mut parsed: BTreeMap<&'static str, Texts> = BTreeMap::new();
        for (tag, text) in sources {
            let language = LANGUAGES
                .iter()
                .copied()
                .find(|known| known == tag)
                .ok_or_else(|| NoticeError::UnknownLanguage {
                    language: (*tag).to_owned(),
                })?;
            let texts = parse_language(language, text)?;
            check_against(&texts, &reference)?;
            if parsed.insert(language, texts).is_some() {
                return Err(NoticeError::DuplicateLanguage {
                    language: language.to_owned(),
                });
            }
        }
        let languages = LANGUAGES
            .iter()
            .map(|&language| {
                parsed
                    .remove(language)
                    .ok_or(NoticeError::MissingLanguage { language })
            })
            .collect::<Result<_, _>>()?;
        Ok(Catalog { languages })
    }

    /// The texts for a customer's or agent's language; a regional tag finds its language
    /// (`ro-RO` → ro, `zh-TW` → zh-Hant, `fil` → tl) and anything unknown falls back to English.
    pub fn texts(&self, language: Option<&str>) -> &Texts {
        let wanted = language.map_or("en", supported_language);
        self.languages
            .iter()
            .find(|texts| texts.language == wanted)
            .unwrap_or(&self.languages[0])
    }
}

/// Maps a BCP 47 tag onto one of the six languages (English when none fits).
pub fn supported_language(tag: &str) -> &'static str {
    known_language(tag).unwrap_or("en")
}

/// The one of the six languages a BCP 47 tag names, or `None` for any other language — so a
/// list of preferences (`Accept-Language: de, ro;q=0.5`) can move on to its next entry.
pub fn known_language(tag: &str) -> Option<&'static str> {
    let lowered = tag.trim().to_ascii_lowercase();
    let mut subtags = lowered.split(['-', '_']);
    let primary = subtags.next().unwrap_or_default();
    let rest: Vec<&str> = subtags.collect();
    Some(match primary {
        "en" => "en",
        "ro" | "mo" => "ro",
        "el" => "el",
        "tl" | "fil" => "tl",
        "zh" if rest.contains(&"hant") => "zh-Hant",
        "zh" if rest.contains(&"hans") => "zh-Hans",
        "zh" if rest.iter().any(|r| matches!(*r, "tw" | "hk" | "mo")) => "zh-Hant",
        "zh" => "zh-Hans",
        _ => return None,
    })
}

impl Texts {
    pub fn language(&self) -> &'static str {
        self.language
    }

    /// A date and time as people write it in this language, in `zone`, with its UTC offset:
    /// "Thursday 26 November 2026, 17:00 (UTC+2)", "2026年11月26日（星期四）17:00（UTC+2）".
    pub fn format_datetime(&self, at: Timestamp, zone: &TimeZone) -> String {
        let local = zone.to_datetime(at);
        let weekday = usize::try_from(local.weekday().to_monday_zero_offset()).unwrap_or(0);
        let month = usize::try_from(local.month() - 1).unwrap_or(0);
        let hour = local.hour();
        let hour12 = match hour % 12 {
            0 => 12,
            h => h,
        };
        let (day, month_number, year) = (
            local.day().to_string(),
            local.month().to_string(),
            local.year().to_string(),
        );
        let (hour24, hour12, minute) = (
            format!("{hour:02}"),
            hour12.to_string(),
            format!("{:02}", local.minute()),
        );
        let offset = format_offset(zone.to_offset(at).seconds());
        self.text(
            DATETIME_KEY,
            &[
                ("weekday", &self.names["dates.weekdays"][weekday]),
                ("day", &day),
                ("month", &self.names["dates.months"][month]),
                ("month_number", &month_number),
                ("year", &year),
                ("hour24", &hour24),
                ("hour12", &hour12),
                ("minute", &minute),
                ("am_pm", &self.names["dates.am_pm"][usize::from(hour >= 12)]),
                ("offset", &offset),
            ],
        )
    }

    /// Puts a notice into words; dates are shown in `zone` (the customer's, or the calendar's).
    pub fn notice(&self, notice: &Notice<'_>, zone: &TimeZone) -> RenderedNotice {
        let (section, values): (&str, Vec<(&str, String)>) = match *notice {
            Notice::Acknowledgement {
                customer_name,
                case_id,
                deadline,
            } => (
                "acknowledgement",
                vec![
                    ("customer_name", customer_name.to_owned()),
                    ("case_id", case_id.to_string()),
                    ("deadline", self.format_datetime(deadline, zone)),
                ],
            ),
            Notice::Delay {
                customer_name,
                case_id,
                new_deadline,
            } => (
                "delay_notice",
                vec![
                    ("customer_name", customer_name.to_owned()),
                    ("case_id", case_id.to_string()),
                    ("new_deadline", self.format_datetime(new_deadline, zone)),
                ],
            ),
            Notice::FollowUp {
                customer_name,
                case_id,
                subject,
                link,
            } => (
                "follow_up",
                vec![
                    ("customer_name", customer_name.to_owned()),
                    ("case_id", case_id.to_string()),
                    ("subject", subject.to_owned()),
                    ("link", link.to_owned()),
                ],
            ),
            Notice::ConfirmSolution {
                customer_name,
                case_id,
                resolution,
                solution,
                link,
            } => (
                match resolution {
                    Resolution::Confirmed => "confirm_total",
                    Resolution::Pending => "confirm_pending",
                },
                vec![
                    ("customer_name", customer_name.to_owned()),
                    ("case_id", case_id.to_string()),
                    ("solution", solution.to_owned()),
                    ("link", link.to_owned()),
                ],
            ),
            Notice::SafetyProcedure {
                case_id,
                security_contact,
                emergency_number,
            } => (
                "safety_procedure",
                vec![
                    ("case_id", case_id.to_string()),
                    ("security_contact", security_contact.to_owned()),
                    ("emergency_number", emergency_number.to_owned()),
                ],
            ),
        };
        let values: Vec<(&str, &str)> = values
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        RenderedNotice {
            language: self.language,
            subject: self.text(&format!("{section}.subject"), &values),
            body: self.text(&format!("{section}.body"), &values),
        }
    }

    /// The feedback page for case `case_id` in this language.
    pub fn feedback_page(&self, case_id: CaseId) -> FeedbackPageTexts {
        let case_id = case_id.to_string();
        let with_case = [("case_id", case_id.as_str())];
        let text = |key: &str| self.text(&format!("feedback_page.{key}"), &with_case);
        FeedbackPageTexts {
            language: self.language,
            satisfaction_title: text("satisfaction_title"),
            satisfaction_question: text("satisfaction_question"),
            scores: self.names["feedback_page.scores"].clone(),
            confirmation_title: text("confirmation_title"),
            confirmation_question: text("confirmation_question"),
            confirm_yes: text("confirm_yes"),
            confirm_no: text("confirm_no"),
            confirmation_pending_title: text("confirmation_pending_title"),
            confirmation_pending_question: text("confirmation_pending_question"),
            confirm_pending_yes: text("confirm_pending_yes"),
            confirm_pending_no: text("confirm_pending_no"),
            comment: text("comment"),
            send: text("send"),
            thanks_title: text("thanks_title"),
            thanks_body: text("thanks_body"),
            already_answered: text("already_answered"),
        }
    }

    /// A text by key. Keys are fixed by the built-in English file, which every catalog is
    /// checked against, so a key used by this crate is always present.
    pub(crate) fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.templates
            .get(key)
            .map(|template| template.render(values))
            .unwrap_or_else(|| panic!("text {key} is checked at load and cannot be missing"))
    }

    /// A text of the HTTP error answers, `problems.<key>` (e.g. `not-found.title`), or `None`
    /// when there is no such text — the web layer then keeps its data verbatim.
    pub fn problem(&self, key: &str, values: &[(&str, &str)]) -> Option<String> {
        self.templates
            .get(&format!("problems.{key}"))
            .map(|template| template.render(values))
    }

    /// Joins list items the way this language does ("a, b" or "甲、乙").
    pub(crate) fn join(&self, items: &[String]) -> String {
        items.join(&self.text("general.list_separator", &[]))
    }
}

fn format_offset(seconds: i32) -> String {
    if seconds == 0 {
        return "UTC".to_owned();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    if minutes == 0 {
        format!("UTC{sign}{hours}")
    } else {
        format!("UTC{sign}{hours}:{minutes:02}")
    }
}

fn parse_language(language: &'static str, source: &str) -> Result<Texts, NoticeError> {
    let table: toml::Table = toml::from_str(source).map_err(|err| NoticeError::Toml {
        language: language.to_owned(),
        message: err.message().to_owned(),
    })?;
    let mut texts = Texts {
        language,
        templates: BTreeMap::new(),
        names: BTreeMap::new(),
    };
    flatten(language, "", &table, &mut texts)?;
    Ok(texts)
}

fn flatten(
    language: &str,
    prefix: &str,
    table: &toml::Table,
    texts: &mut Texts,
) -> Result<(), NoticeError> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let not_text = || NoticeError::NotText {
            language: language.to_owned(),
            key: key.clone(),
        };
        match value {
            toml::Value::Table(inner) => flatten(language, &key, inner, texts)?,
            // Bodies are written as multi-line strings; the line break before the closing quotes
            // is layout, not content.
            toml::Value::String(text) => {
                let template =
                    Template::parse(text.trim_end_matches(['\n', '\r'])).map_err(|reason| {
                        NoticeError::BadTemplate {
                            language: language.to_owned(),
                            key: key.clone(),
                            reason,
                        }
                    })?;
                texts.templates.insert(key, template);
            }
            toml::Value::Array(items) => {
                let names = items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned).ok_or_else(not_text))
                    .collect::<Result<_, _>>()?;
                texts.names.insert(key, names);
            }
            _ => return Err(not_text()),
        }
    }
    Ok(())
}

fn check_against(texts: &Texts, reference: &Texts) -> Result<(), NoticeError> {
    let language = || texts.language.to_owned();
    let keys = |t: &Texts| -> BTreeSet<String> {
        t.templates.keys().chain(t.names.keys()).cloned().collect()
    };
    let (have, want) = (keys(texts), keys(reference));
    if let Some(key) = want.difference(&have).next() {
        return Err(NoticeError::MissingText {
            language: language(),
            key: key.clone(),
        });
    }
    if let Some(key) = have.difference(&want).next() {
        return Err(NoticeError::UnexpectedText {
            language: language(),
            key: key.clone(),
        });
    }
    for (key, expected) in NAME_LISTS {
        let Some(names) = texts.names.get(key) else {
            return Err(NoticeError::NotText {
                language: language(),
                key: key.to_owned(),
            });
        };
        if names.len() != expected {
            return Err(NoticeError::NameList {
                language: language(),
                key: key.to_owned(),
                expected,
            });
        }
    }
    for (key, template) in &texts.templates {
        let Some(reference_template) = reference.templates.get(key) else {
            return Err(NoticeError::NotText {
                language: language(),
                key: key.clone(),
            });
        };
        let found = template.placeholders();
        let expected: BTreeSet<&str> = if key == DATETIME_KEY {
            DATE_PLACEHOLDERS.into_iter().collect()
        } else {
            reference_template.placeholders()
        };
        let fits = if key == DATETIME_KEY {
            found.is_subset(&expected)
        } else {
            found == expected
        };
        if !fits {
            let list = |set: &BTreeSet<&str>| set.iter().map(|s| (*s).to_owned()).collect();
            return Err(NoticeError::Placeholders {
                language: language(),
                key: key.clone(),
                expected: list(&expected),
                found: list(&found),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::resolve_time_zone;

    fn zone(name: &str) -> TimeZone {
        resolve_time_zone(name).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn sample_notices() -> Vec<Notice<'static>> {
        let case_id = CaseId(4711);
        vec![
            Notice::Acknowledgement {
                customer_name: "Ana Popescu",
                case_id,
                deadline: at("2026-11-26T15:00:00Z"),
            },
            Notice::Delay {
                customer_name: "Ana Popescu",
                case_id,
                new_deadline: at("2026-12-01T15:00:00Z"),
            },
            Notice::FollowUp {
                customer_name: "Ana Popescu",
                case_id,
                subject: "Late parcel",
                link: "https://help.example/s/abc",
            },
            Notice::ConfirmSolution {
                customer_name: "Ana Popescu",
                case_id,
                resolution: Resolution::Confirmed,
                solution: "we reinstalled the app.",
                link: "https://help.example/c/abc",
            },
            Notice::ConfirmSolution {
                customer_name: "Ana Popescu",
                case_id,
                resolution: Resolution::Pending,
                solution: "we send you a box for the warranty repair.",
                link: "https://help.example/c/abc",
            },
            Notice::SafetyProcedure {
                case_id,
                security_contact: "+40 21 000 0000",
                emergency_number: "112",
            },
        ]
    }

    #[test]
    fn every_text_exists_in_all_six_languages_with_the_same_placeholders() {
        let reference = parse_language("en", BUILTIN[0].1).unwrap();
        for (tag, source) in BUILTIN {
            let texts = parse_language(LANGUAGES.iter().find(|l| **l == tag).unwrap(), source)
                .unwrap_or_else(|err| panic!("{err}"));
            check_against(&texts, &reference).unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(
                texts.templates.keys().collect::<Vec<_>>(),
                reference.templates.keys().collect::<Vec<_>>(),
                "{tag}"
            );
        }
        let catalog = Catalog::builtin();
        for language in LANGUAGES {
            assert_eq!(catalog.texts(Some(language)).language(), language);
        }
    }

    #[test]
    fn every_notice_renders_completely_in_every_language() {
        let catalog = Catalog::builtin();
        let bucharest = zone("Europe/Bucharest");
        let mut bodies = BTreeSet::new();
        for language in LANGUAGES {
            let texts = catalog.texts(Some(language));
            for notice in sample_notices() {
                let rendered = texts.notice(&notice, &bucharest);
                assert_eq!(rendered.language, language);
                for text in [&rendered.subject, &rendered.body] {
                    assert!(
                        !text.contains('{') && !text.contains('}'),
                        "{language}: {text}"
                    );
                    assert!(!text.trim().is_empty());
                }
                assert!(
                    rendered.subject.contains("C-004711") || rendered.body.contains("C-004711"),
                    "{language}: {rendered:?}"
                );
                assert!(!rendered.body.ends_with('\n'));
                bodies.insert(rendered.body);
            }
        }
        // Nothing is left untranslated: 6 notices × 6 languages, all different.
        assert_eq!(bodies.len(), 36);
    }

    #[test]
    fn acknowledgement_carries_case_id_and_deadline_in_the_customers_language_and_zone() {
        let catalog = Catalog::builtin();
        let notice = sample_notices()[0];
        let en = catalog
            .texts(Some("en"))
            .notice(&notice, &zone("Europe/Bucharest"));
        assert_eq!(en.subject, "We have received your complaint (C-004711)");
        assert!(en.body.starts_with("Dear Ana Popescu,\n\n"), "{}", en.body);
        assert!(
            en.body
                .contains("by Thursday 26 November 2026, 17:00 (UTC+2) at the latest")
        );
        let ro = catalog
            .texts(Some("ro-RO"))
            .notice(&notice, &zone("Europe/Bucharest"));
        assert!(
            ro.body
                .contains("până joi, 26 noiembrie 2026, ora 17:00 (UTC+2)"),
            "{}",
            ro.body
        );
        let el = catalog
            .texts(Some("el"))
            .notice(&notice, &zone("Europe/Athens"));
        assert!(
            el.body
                .contains("έως Πέμπτη 26 Νοεμβρίου 2026, 17:00 (UTC+2)"),
            "{}",
            el.body
        );
        let zh = catalog
            .texts(Some("zh-Hans"))
            .notice(&notice, &zone("Asia/Shanghai"));
        assert!(
            zh.body.contains("2026年11月26日（星期四）23:00（UTC+8）"),
            "{}",
            zh.body
        );
        let tl = catalog
            .texts(Some("tl"))
            .notice(&notice, &zone("Asia/Manila"));
        assert!(
            tl.body
                .contains("Huwebes, Nobyembre 26, 2026, 11:00 PM (UTC+8)"),
            "{}",
            tl.body
        );
    }

    #[test]
    fn dates_follow_daylight_saving_and_twelve_hour_clocks() {
        let texts = Catalog::builtin().texts(Some("tl"));
        let manila = zone("Asia/Manila");
        assert_eq!(
            texts.format_datetime(at("2026-01-04T16:05:00Z"), &manila),
            "Lunes, Enero 5, 2026, 12:05 AM (UTC+8)"
        );
        let en = Catalog::builtin().texts(Some("en"));
        assert_eq!(
            en.format_datetime(at("2026-07-01T09:30:00Z"), &zone("Europe/Bucharest")),
            "Wednesday 1 July 2026, 12:30 (UTC+3)"
        );
        assert_eq!(
            en.format_datetime(at("2026-07-01T09:30:00Z"), &zone("Asia/Kolkata")),
            "Wednesday 1 July 2026, 15:00 (UTC+5:30)"
        );
        assert_eq!(
            en.format_datetime(at("2026-07-01T09:30:00Z"), &TimeZone::UTC),
            "Wednesday 1 July 2026, 09:30 (UTC)"
        );
        assert_eq!(format_offset(-3 * 3600), "UTC-3");
    }

    #[test]
    fn follow_up_asks_clear_r4s_question_and_traditional_chinese_differs() {
        let catalog = Catalog::builtin();
        let notice = sample_notices()[2];
        let utc = TimeZone::UTC;
        let en = catalog.texts(Some("en")).notice(&notice, &utc);
        assert!(en.subject.starts_with("About your earlier problem"));
        assert!(en.body.contains("do you have any other comments?"));
        assert!(
            en.body.contains("\"Late parcel\"") && en.body.contains("https://help.example/s/abc")
        );
        let hans = catalog.texts(Some("zh-CN")).notice(&notice, &utc);
        let hant = catalog.texts(Some("zh-TW")).notice(&notice, &utc);
        assert!(hans.body.contains("意见") && hant.body.contains("意見"));
    }

    #[test]
    fn the_feedback_page_names_the_case_in_every_language() {
        let catalog = Catalog::builtin();
        for language in LANGUAGES {
            let page = catalog.texts(Some(language)).feedback_page(CaseId(4711));
            assert_eq!(page.language, language);
            for question in [&page.satisfaction_question, &page.confirmation_question] {
                assert!(question.contains("C-004711"), "{language}: {question}");
            }
            assert_eq!(page.scores.len(), 5);
            let all = [
                &page.satisfaction_title,
                &page.confirmation_title,
                &page.confirm_yes,
                &page.confirm_no,
                &page.comment,
                &page.send,
                &page.thanks_title,
                &page.thanks_body,
                &page.already_answered,
            ];
            assert!(all.iter().all(|text| !text.trim().is_empty()), "{language}");
        }
        let greek = catalog.texts(Some("el")).feedback_page(CaseId(1));
        assert_eq!(greek.confirm_no, "Όχι ακόμη");
    }

    #[test]
    fn language_tags_find_their_language_or_english() {
        for (tag, expected) in [
            ("en-GB", "en"),
            ("RO", "ro"),
            ("el-GR", "el"),
            ("fil-PH", "tl"),
            ("zh-Hant-HK", "zh-Hant"),
            ("zh-HK", "zh-Hant"),
            ("zh", "zh-Hans"),
            ("zh-SG", "zh-Hans"),
            ("und", "en"),
            ("de", "en"),
        ] {
            assert_eq!(supported_language(tag), expected, "{tag}");
        }
        assert_eq!(Catalog::builtin().texts(None).language(), "en");
        // Only the six are known, so a list of preferences can skip the others.
        assert_eq!(known_language("en-US"), Some("en"));
        assert_eq!(known_language("zh-TW"), Some("zh-Hant"));
        assert_eq!(known_language("de"), None);
        assert_eq!(known_language("*"), None);
    }

    #[test]
    fn problem_texts_are_looked_up_without_panicking() {
        let romanian = Catalog::builtin().texts(Some("ro"));
        assert_eq!(
            romanian
                .problem("invalid-utf8.detail", &[("offset", "7")])
                .as_deref(),
            Some("corpul cererii nu mai este UTF-8 valid după octetul 7")
        );
        assert_eq!(romanian.problem("not-found.spaceship", &[]), None);
    }

    fn with_replaced(language: &str, from: &str, to: &str) -> Vec<(&'static str, String)> {
        BUILTIN
            .iter()
            .map(|(tag, text)| {
                let text = if *tag == language {
                    assert!(text.contains(from), "{from}");
                    text.replacen(from, to, 1)
                } else {
                    (*text).to_owned()
                };
                (*tag, text)
            })
            .collect()
    }

    fn load(sources: &[(&'static str, String)]) -> Result<Catalog, NoticeError> {
        let borrowed: Vec<(&str, &str)> = sources.iter().map(|(t, s)| (*t, s.as_str())).collect();
        Catalog::from_sources(&borrowed)
    }

    #[test]
    fn custom_wording_is_checked_against_the_builtin_keys_and_placeholders() {
        let dropped = with_replaced(
            "ro",
            "Am primit reclamația dumneavoastră ({case_id})",
            "Am primit",
        );
        assert_eq!(
            load(&dropped).unwrap_err(),
            NoticeError::Placeholders {
                language: "ro".into(),
                key: "acknowledgement.subject".into(),
                expected: vec!["case_id".into()],
                found: vec![],
            }
        );
        let renamed = with_replaced("el", "{new_deadline}", "{deadline}");
        assert!(
            matches!(load(&renamed).unwrap_err(), NoticeError::Placeholders { key, .. } if key == "delay_notice.body")
        );
        let missing = with_replaced("tl", "phone = \"Telepono\"", "");
        assert_eq!(
            load(&missing).unwrap_err(),
            NoticeError::MissingText {
                language: "tl".into(),
                key: "incident.phone".into()
            }
        );
        let extra = with_replaced("en", "[general]", "[general]\nmotto = \"hi\"");
        assert!(matches!(
            load(&extra).unwrap_err(),
            NoticeError::UnexpectedText { .. }
        ));
        let short = with_replaced("zh-Hant", "\"星期日\"", "");
        let short = short
            .into_iter()
            .map(|(t, s)| (t, s.replace(", ]", "]")))
            .collect::<Vec<_>>();
        assert!(matches!(
            load(&short).unwrap_err(),
            NoticeError::NameList { expected: 7, .. }
        ));
        let broken = with_replaced("en", "{case_id})\"", "{case_id)\"");
        assert!(matches!(
            load(&broken).unwrap_err(),
            NoticeError::BadTemplate { .. }
        ));
        let date = with_replaced("ro", "ora {hour24}", "ora {hour}");
        assert!(
            matches!(load(&date).unwrap_err(), NoticeError::Placeholders { key, .. } if key == DATETIME_KEY)
        );
    }

    #[test]
    fn custom_wording_needs_all_six_languages_once() {
        let all: Vec<(&'static str, String)> =
            BUILTIN.iter().map(|(t, s)| (*t, (*s).to_owned())).collect();
        assert!(load(&all).is_ok());
        assert_eq!(
            load(&all[..5]).unwrap_err(),
            NoticeError::MissingLanguage { language: "el" }
        );
        let mut twice = all.clone();
        twice.push(all[1].clone());
        assert!(matches!(
            load(&twice).unwrap_err(),
            NoticeError::DuplicateLanguage { .. }
        ));
        let mut german = all.clone();
        german[0].0 = "de";
        let err = load(&german).unwrap_err();
        assert!(err.to_string().contains("zh-Hant"), "{err}");
        let mut bad = all;
        bad[2].1 = "[general\n".to_owned();
        assert!(matches!(load(&bad).unwrap_err(), NoticeError::Toml { .. }));
    }

    #[test]
    fn the_safety_procedure_tells_staff_to_call_security_first() {
        let catalog = Catalog::builtin();
        let notice = sample_notices()[5];
        for language in LANGUAGES {
            let body = catalog
                .texts(Some(language))
                .notice(&notice, &TimeZone::UTC)
                .body;
            assert!(
                body.contains("+40 21 000 0000") && body.contains("112"),
                "{language}"
            );
            let steps = body
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
                .count();
            assert_eq!(steps, 6, "{language}");
        }
    }
}
