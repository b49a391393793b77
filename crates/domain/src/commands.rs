//! The inputs of every command, and their validation. Validation trims and normalises (e-mail
//! lower-cased, phone reduced to `+` and digits, blank optional text dropped) and refuses bad input
//! with an error naming the field, before anything is written.

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{AgentId, CustomerId, DepartmentId};
use crate::incident_render::Discussion;
use crate::lifecycle::{Resolution, Status};
use crate::model::{Channel, Direction, Money, Priority, Role};
use crate::paging::Cursor;

/// The six languages Calmdesk speaks, as BCP 47 tags.
pub const LANGUAGES: [&str; 6] = ["en", "ro", "zh-Hans", "zh-Hant", "tl", "el"];

/// Size limits of stored text, in characters (not bytes, so Chinese is not penalised).
pub struct Limits;

impl Limits {
    pub const NAME: usize = 200;
    pub const SUBJECT: usize = 500;
    pub const BODY: usize = 100_000;
    pub const QUERY: usize = 500;
    /// Category, cause, remedy sought, author, and similar short labels.
    pub const LABEL: usize = 200;
    pub const NOTE: usize = 2_000;
    pub const RECORD_TEXT: usize = 10_000;
    pub const LIST_ITEMS: usize = 200;
    pub const PAGE_MAX: u32 = 200;
    pub const PAGE_DEFAULT: u32 = 50;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub annual_value: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub customer: NewCustomer,
    pub channel: Channel,
    pub subject: String,
    /// The customer's first message, stored as an inbound message on the case's channel.
    pub message: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub remedy_sought: Option<String>,
    #[serde(default)]
    pub safety_flag: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    pub direction: Direction,
    /// Defaults to the case's channel.
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub author: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub to: Status,
    /// Required when moving to `resolved`. Optional when moving to `resolution_proposed`: the kind
    /// of solution proposed (RO-10), total (`confirmed`, the default) or `pending`, which the
    /// confirmation request to the customer words accordingly. Refused otherwise.
    #[serde(default)]
    pub resolution: Option<Resolution>,
}

/// Sets who owns the case. Both fields are replaced (a `None` clears it). With a `note` this is a
/// transfer (TL-7): the hand-off note is recorded in the "transferred" event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assign {
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Changes some of a case's attributes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateCase {
    pub subject: Option<String>,
    pub category: Option<String>,
    pub cause: Option<String>,
    pub priority: Option<Priority>,
    pub safety_flag: Option<bool>,
    pub language: Option<String>,
    pub remedy_sought: Option<String>,
}

/// RO-11: problem, what was discussed and offered (including refused offers), solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecordInput {
    pub problem: String,
    /// Plain texts, or offers: `{"text": "…", "offer": "made" | "accepted" | "refused"}`.
    #[serde(default)]
    pub discussions: Vec<Discussion>,
    #[serde(default)]
    pub solution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgent {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDepartment {
    pub name: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

/// Lists and searches cases, newest first. `q` matches every word (AND) in the subject, the
/// messages and the customer's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseFilter {
    pub q: Option<String>,
    pub status: Option<Status>,
    pub assignee: Option<AgentId>,
    pub department: Option<DepartmentId>,
    pub customer: Option<CustomerId>,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            q: None,
            status: None,
            assignee: None,
            department: None,
            customer: None,
            limit: Limits::PAGE_DEFAULT,
            cursor: None,
        }
    }
}

impl NewCustomer {
    /// A customer known only by name; contact details and the rest are added as fields.
    pub fn named(name: impl Into<String>) -> Self {
        NewCustomer {
            name: name.into(),
            email: None,
            phone: None,
            language: None,
            annual_value: None,
        }
    }

    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewCustomer {
            name: required_text("customer.name", &self.name, Limits::NAME)?,
            email: email("customer.email", self.email)?,
            phone: phone("customer.phone", self.phone)?,
            language: language("customer.language", self.language)?,
            annual_value: self
                .annual_value
                .map(|money| money_value("customer.annual_value", money))
                .transpose()?,
        })
    }
}

impl NewCase {
    /// A complaint with what every case needs; category, priority, language and the rest unset.
    pub fn new(
        customer: NewCustomer,
        channel: Channel,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        NewCase {
            customer,
            channel,
            subject: subject.into(),
            message: message.into(),
            category: None,
            cause: None,
            priority: None,
            language: None,
            remedy_sought: None,
            safety_flag: false,
        }
    }

    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewCase {
            customer: self.customer.validate()?,
            channel: self.channel,
            subject: required_text("subject", &self.subject, Limits::SUBJECT)?,
            message: body("message", self.message)?,
            category: optional_text("category", self.category, Limits::LABEL)?,
            cause: optional_text("cause", self.cause, Limits::LABEL)?,
            priority: self.priority,
            language: language("language", self.language)?,
            remedy_sought: optional_text("remedy_sought", self.remedy_sought, Limits::LABEL)?,
            safety_flag: self.safety_flag,
        })
    }
}

impl NewMessage {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewMessage {
            direction: self.direction,
            channel: self.channel,
            author: optional_text("author", self.author, Limits::NAME)?,
            body: body("body", self.body)?,
        })
    }
}

impl Transition {
    pub fn validate(self) -> Result<Self, DomainError> {
        match (self.to, self.resolution) {
            (Status::Resolved, None) => Err(DomainError::invalid(
                "resolution",
                "required when moving to resolved: confirmed or pending",
            )),
            (to, Some(_)) if !matches!(to, Status::Resolved | Status::ResolutionProposed) => {
                Err(DomainError::invalid(
                    "resolution",
                    format!(
                        "only allowed when moving to resolved or resolution_proposed, not to {to}"
                    ),
                ))
            }
            _ => Ok(self),
        }
    }
}

impl Assign {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(Assign {
            agent_id: self.agent_id,
            department_id: self.department_id,
            note: optional_text("note", self.note, Limits::NOTE)?,
        })
    }
}

impl UpdateCase {
    pub fn validate(self) -> Result<Self, DomainError> {
        let update = UpdateCase {
            subject: self
                .subject
                .map(|s| required_text("subject", &s, Limits::SUBJECT))
                .transpose()?,
            category: optional_text("category", self.category, Limits::LABEL)?,
            cause: optional_text("cause", self.cause, Limits::LABEL)?,
            priority: self.priority,
            safety_flag: self.safety_flag,
            language: language("language", self.language)?,
            remedy_sought: optional_text("remedy_sought", self.remedy_sought, Limits::LABEL)?,
        };
        if update == UpdateCase::default() {
            return Err(DomainError::invalid("update", "names no field to change"));
        }
        Ok(update)
    }
}

impl IncidentRecordInput {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(IncidentRecordInput {
            problem: required_text("problem", &self.problem, Limits::RECORD_TEXT)?,
            discussions: discussion_list(self.discussions)?,
            solution: optional_text("solution", Some(self.solution), Limits::RECORD_TEXT)?
                .unwrap_or_default(),
        })
    }
}

impl NewAgent {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewAgent {
            name: required_text("name", &self.name, Limits::NAME)?,
            role: self.role,
            department_id: self.department_id,
            phone: phone("phone", self.phone)?,
            email: email("email", self.email)?,
            languages: language_list("languages", self.languages)?,
        })
    }
}

impl NewDepartment {
    pub fn validate(self) -> Result<Self, DomainError> {
        Ok(NewDepartment {
            name: required_text("name", &self.name, Limits::NAME)?,
            categories: text_list("categories", self.categories, Limits::LABEL)?,
            languages: language_list("languages", self.languages)?,
        })
    }
}

impl CaseFilter {
    pub fn validate(self) -> Result<Self, DomainError> {
        check_limit(self.limit)?;
        Ok(CaseFilter {
            q: optional_text("q", self.q, Limits::QUERY)?,
            ..self
        })
    }
}

pub(crate) fn check_limit(limit: u32) -> Result<(), DomainError> {
    if (1..=Limits::PAGE_MAX).contains(&limit) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "limit",
            format!("must be between 1 and {}, got {limit}", Limits::PAGE_MAX),
        ))
    }
}

/// Refuses NUL (PostgreSQL cannot store it) and text longer than `max` characters.
fn check_text(field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.contains('\0') {
        return Err(DomainError::invalid(
            field,
            "must not contain NUL characters",
        ));
    }
    let length = text.chars().count();
    if length > max {
        return Err(DomainError::invalid(
            field,
            format!("is {length} characters long; at most {max} allowed"),
        ));
    }
    Ok(())
}

pub(crate) fn required_text(field: &str, text: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_text(field, trimmed, max)?;
    Ok(trimmed.to_owned())
}

pub(crate) fn optional_text(
    field: &str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(trimmed) => {
            check_text(field, trimmed, max)?;
            Ok(Some(trimmed.to_owned()))
        }
    }
}

/// Message bodies keep their exact text (line breaks, indentation), only blank ones are refused.
pub(crate) fn body(field: &str, text: String) -> Result<String, DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_text(field, &text, Limits::BODY)?;
    Ok(text)
}

fn text_list(field: &str, items: Vec<String>, max: usize) -> Result<Vec<String>, DomainError> {
    if items.len() > Limits::LIST_ITEMS {
        return Err(DomainError::invalid(
            field,
            format!(
                "has {} items; at most {} allowed",
                items.len(),
                Limits::LIST_ITEMS
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| required_text(&format!("{field}[{i}]"), item, max))
        .collect()
}

/// Each bullet's text is required (trimmed, at most `Limits::NOTE`); an offer keeps its outcome.
/// The field of a bad plain bullet is `discussions[i]`, of a bad offer `discussions[i].text`.
fn discussion_list(items: Vec<Discussion>) -> Result<Vec<Discussion>, DomainError> {
    let texts = items.iter().map(|d| d.text.clone()).collect();
    let checked = text_list("discussions", texts, Limits::NOTE).map_err(|err| match err {
        DomainError::InvalidField { field, reason } => {
            let offer = field
                .strip_prefix("discussions[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                .is_some_and(|i| items[i].offer.is_some());
            DomainError::InvalidField {
                field: if offer {
                    format!("{field}.text")
                } else {
                    field
                },
                reason,
            }
        }
        other => other,
    })?;
    Ok(checked
        .into_iter()
        .zip(&items)
        .map(|(text, item)| Discussion {
            text,
            offer: item.offer,
        })
        .collect())
}

fn email(field: &str, email: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(email) = optional_text(field, email, 254)? else {
        return Ok(None);
    };
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(DomainError::invalid(
            field,
            format!("`{email}` is not an e-mail address like name@example.com"),
        ));
    }
    Ok(Some(email.to_lowercase()))
}

/// Keeps a leading `+` and the digits, so "+40 721-000 000" and "+40721000000" are one customer.
fn phone(field: &str, phone: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(phone) = optional_text(field, phone, 40)? else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || " +-.()/".contains(c);
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let plus_only_first = phone.rfind('+').is_none_or(|i| i == 0);
    if !phone.chars().all(allowed) || !plus_only_first || !(5..=20).contains(&digits.len()) {
        return Err(DomainError::invalid(
            field,
            format!("`{phone}` is not a phone number (5 to 20 digits, optional leading +)"),
        ));
    }
    let plus = if phone.starts_with('+') { "+" } else { "" };
    Ok(Some(format!("{plus}{digits}")))
}

fn language(field: &str, language: Option<String>) -> Result<Option<String>, DomainError> {
    match optional_text(field, language, 16)? {
        None => Ok(None),
        Some(tag) => LANGUAGES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(&tag))
            .map(|known| Some((*known).to_owned()))
            .ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!("`{tag}` is not one of {}", LANGUAGES.join(", ")),
                )
            }),
    }
}

fn language_list(field: &str, languages: Vec<String>) -> Result<Vec<String>, DomainError> {
    let mut known = Vec::new();
    for (i, tag) in languages.into_iter().enumerate() {
        let item = format!("{field}[{i}]");
        let tag = language(&item, Some(tag))?
            .ok_or_else(|| DomainError::invalid(item, "must not be empty"))?;
        if !known.contains(&tag) {
            known.push(tag);
        }
    }
    Ok(known)
}

fn money_value(field: &str, money: Money) -> Result<Money, DomainError> {
    if money.amount_minor < 0 {
        return Err(DomainError::invalid(
            format!("{field}.amount_minor"),
            "must not be negative",
        ));
    }
    let currency = money.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(DomainError::invalid(
            format!("{field}.currency"),
            format!("`{}` is not an ISO 4217 code like EUR", money.currency),
        ));
    }
    Ok(Money {
        amount_minor: money.amount_minor,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_case() -> NewCase {
        NewCase {
            customer: NewCustomer {
                name: "  Maria Popescu ".into(),
                email: Some("Maria@Example.RO".into()),
                phone: Some("+40 721-000 000".into()),
                language: Some("RO".into()),
                annual_value: Some(Money {
                    amount_minor: 540_000,
                    currency: "ron".into(),
                }),
            },
            channel: Channel::Email,
            subject: " Comanda întârziată ".into(),
            message: "Vreau banii înapoi.\n".into(),
            category: Some(" ".into()),
            cause: None,
            priority: None,
            language: Some("ro".into()),
            remedy_sought: Some("refund".into()),
            safety_flag: false,
        }
    }

    fn field_of(result: Result<impl std::fmt::Debug, DomainError>) -> String {
        match result {
            Err(DomainError::InvalidField { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn valid_case_is_normalised() {
        let case = new_case().validate().unwrap();
        assert_eq!(case.customer.name, "Maria Popescu");
        assert_eq!(case.customer.email.as_deref(), Some("maria@example.ro"));
        assert_eq!(case.customer.phone.as_deref(), Some("+40721000000"));
        assert_eq!(case.customer.language.as_deref(), Some("ro"));
        assert_eq!(case.customer.annual_value.unwrap().currency, "RON");
        assert_eq!(case.subject, "Comanda întârziată");
        assert_eq!(
            case.message, "Vreau banii înapoi.\n",
            "bodies keep their text"
        );
        assert_eq!(case.category, None, "blank optional text is dropped");
    }

    #[test]
    fn each_bad_case_field_is_named() {
        type Breakage = Box<dyn Fn(&mut NewCase)>;
        let cases: Vec<(&str, Breakage)> = vec![
            ("customer.name", Box::new(|c| c.customer.name = " ".into())),
            (
                "customer.name",
                Box::new(|c| c.customer.name = "x".repeat(201)),
            ),
            (
                "customer.email",
                Box::new(|c| c.customer.email = Some("maria".into())),
            ),
            (
                "customer.email",
                Box::new(|c| c.customer.email = Some("a@b@c".into())),
            ),
            (
                "customer.email",
                Box::new(|c| c.customer.email = Some("a b@c.ro".into())),
            ),
            (
                "customer.phone",
                Box::new(|c| c.customer.phone = Some("call me".into())),
            ),
            (
                "customer.phone",
                Box::new(|c| c.customer.phone = Some("12".into())),
            ),
            (
                "customer.phone",
                Box::new(|c| c.customer.phone = Some("12+345678".into())),
            ),
            (
                "customer.language",
                Box::new(|c| c.customer.language = Some("fr".into())),
            ),
            (
                "customer.annual_value.currency",
                Box::new(|c| c.customer.annual_value.as_mut().unwrap().currency = "euro".into()),
            ),
            (
                "customer.annual_value.amount_minor",
                Box::new(|c| c.customer.annual_value.as_mut().unwrap().amount_minor = -1),
            ),
            ("subject", Box::new(|c| c.subject = "\n\t ".into())),
            ("subject", Box::new(|c| c.subject = "退".repeat(501))),
            ("subject", Box::new(|c| c.subject = "a\0b".into())),
            ("message", Box::new(|c| c.message = "   ".into())),
            ("message", Box::new(|c| c.message = "x".repeat(100_001))),
            ("category", Box::new(|c| c.category = Some("c".repeat(201)))),
            (
                "language",
                Box::new(|c| c.language = Some("klingon".into())),
            ),
        ];
        for (field, break_it) in cases {
            let mut case = new_case();
            break_it(&mut case);
            assert_eq!(field_of(case.validate()), field);
        }
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut case = new_case();
        case.subject = "退".repeat(500);
        assert!(
            case.validate().is_ok(),
            "500 Han characters are 1,500 bytes"
        );
    }

    #[test]
    fn message_needs_a_body() {
        let msg = NewMessage {
            direction: Direction::Outbound,
            channel: None,
            author: Some(" ".into()),
            body: " ".into(),
        };
        assert_eq!(field_of(msg.validate()), "body");
    }

    #[test]
    fn resolved_needs_a_resolution_and_nothing_else_takes_one() {
        let to_resolved = Transition {
            to: Status::Resolved,
            resolution: None,
        };
        assert_eq!(field_of(to_resolved.validate()), "resolution");
        let closing_with_resolution = Transition {
            to: Status::Closed,
            resolution: Some(Resolution::Confirmed),
        };
        assert_eq!(field_of(closing_with_resolution.validate()), "resolution");
        let pending = Transition {
            to: Status::Resolved,
            resolution: Some(Resolution::Pending),
        };
        assert_eq!(pending.validate(), Ok(pending));
        // RO-10: a proposal may say which kind of solution it is, or leave it (total).
        for resolution in [None, Some(Resolution::Pending), Some(Resolution::Confirmed)] {
            let proposal = Transition {
                to: Status::ResolutionProposed,
                resolution,
            };
            assert_eq!(proposal.validate(), Ok(proposal));
        }
        let investigating_with_resolution = Transition {
            to: Status::Investigating,
            resolution: Some(Resolution::Pending),
        };
        assert_eq!(
            field_of(investigating_with_resolution.validate()),
            "resolution"
        );
    }

    #[test]
    fn update_must_change_something() {
        assert_eq!(field_of(UpdateCase::default().validate()), "update");
        let blank_only = UpdateCase {
            category: Some("  ".into()),
            ..UpdateCase::default()
        };
        assert_eq!(field_of(blank_only.validate()), "update");
        let raise = UpdateCase {
            priority: Some(Priority::Urgent),
            ..UpdateCase::default()
        };
        assert!(raise.validate().is_ok());
    }

    #[test]
    fn incident_record_names_the_bad_discussion_item() {
        let record = IncidentRecordInput {
            problem: "Toaster broke after a week".into(),
            discussions: vec!["Offered a voucher; refused".into(), " ".into()],
            solution: String::new(),
        };
        assert_eq!(field_of(record.validate()), "discussions[1]");
        // RO-11: offers keep their outcome through validation; a blank offer names its text.
        use crate::incident_render::OfferOutcome;
        let offer = |text: &str, outcome| Discussion {
            text: text.into(),
            offer: Some(outcome),
        };
        let record = IncidentRecordInput {
            problem: "Toaster broke after a week".into(),
            discussions: vec![
                "Called back".into(),
                offer("  A voucher of 20 EUR ", OfferOutcome::Refused),
            ],
            solution: String::new(),
        };
        let valid = record.validate().unwrap();
        assert_eq!(
            valid.discussions,
            [
                Discussion::from("Called back"),
                offer("A voucher of 20 EUR", OfferOutcome::Refused)
            ]
        );
        let blank_offer = IncidentRecordInput {
            discussions: vec!["Called back".into(), offer(" ", OfferOutcome::Made)],
            ..valid
        };
        assert_eq!(field_of(blank_offer.validate()), "discussions[1].text");
        let empty_problem = IncidentRecordInput {
            problem: "".into(),
            discussions: vec![],
            solution: "".into(),
        };
        assert_eq!(field_of(empty_problem.validate()), "problem");
    }

    #[test]
    fn agent_and_department_languages_are_checked_and_deduplicated() {
        let agent = NewAgent {
            name: "Ana".into(),
            role: Role::Agent,
            department_id: None,
            phone: None,
            email: None,
            languages: vec!["ro".into(), "EN".into(), "ro".into()],
        };
        assert_eq!(agent.validate().unwrap().languages, vec!["ro", "en"]);
        let department = NewDepartment {
            name: "Returns".into(),
            categories: vec!["refund".into()],
            languages: vec!["zh-Hans".into(), "xx".into()],
        };
        assert_eq!(field_of(department.validate()), "languages[1]");
    }

    #[test]
    fn filter_limits_page_size_and_query_length() {
        let zero = CaseFilter {
            limit: 0,
            ..CaseFilter::default()
        };
        assert_eq!(field_of(zero.validate()), "limit");
        let huge = CaseFilter {
            limit: 201,
            ..CaseFilter::default()
        };
        assert_eq!(field_of(huge.validate()), "limit");
        let long_q = CaseFilter {
            q: Some("q".repeat(501)),
            ..CaseFilter::default()
        };
        assert_eq!(field_of(long_q.validate()), "q");
        let blank_q = CaseFilter {
            q: Some("  ".into()),
            ..CaseFilter::default()
        };
        assert_eq!(blank_q.validate().unwrap().q, None);
    }

    #[test]
    fn new_case_json_accepts_the_minimal_public_shape() {
        let json = r#"{"customer": {"name": "王芳", "email": "wf@example.cn", "phone": "13800138000"},
                       "channel": "email", "subject": "退款", "message": "我要退款"}"#;
        let case: NewCase = serde_json::from_str(json).unwrap();
        assert_eq!(case.clone().validate().unwrap().customer.name, "王芳");
        assert_eq!(case.priority, None);
    }
}
