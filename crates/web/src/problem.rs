//! The ONE place where every failure becomes an RFC 9457 `application/problem+json` answer.
//! Handlers and extractors return [`ApiError`]; nothing else builds an error response.
//!
//! `title` and the fixed sentences of `detail` come in the request's language (`Accept-Language`,
//! answered with `Content-Language`); the texts live with the other UI strings in
//! `crates/domain/templates/<language>.toml`, section `problems`. What programs read — `type`,
//! `status`, `field`, `allowed` — and the data inside a detail never change with the language.

use app::AppError;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::notices::{Catalog, Texts};
use domain::{DomainError, Status, StoreError, Timestamp};
use engine::{DelayNoticeRefusal, EngineError};
use jiff::tz::TimeZone;
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything a request can fail with, from the transport (body, query, route) to the use case.
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    /// The body is not JSON at all (or stops early).
    MalformedJson {
        line: usize,
        column: usize,
        reason: String,
    },
    /// The body is JSON but a field is missing, of the wrong type or an unknown value.
    JsonField {
        field: String,
        reason: String,
    },
    InvalidUtf8 {
        valid_up_to: usize,
    },
    PayloadTooLarge {
        limit: usize,
    },
    /// The body could not be read for another reason (client went away, bad chunking).
    UnreadableBody(String),
    /// A path segment or query parameter.
    BadParameter {
        field: String,
        reason: ParamReason,
    },
    UnknownRoute {
        path: String,
    },
    MethodNotAllowed,
    /// The body comes in a media type the route does not read.
    UnsupportedMediaType {
        accepted: &'static str,
    },
    /// A failure of ours outside the store (a worker thread that died); the cause is logged only.
    Internal(String),
}

/// Why a path segment or query parameter was refused: one of the fixed reasons, which the answer
/// puts into the caller's language, or the message of the parser that refused it.
#[derive(Debug, PartialEq, Eq)]
pub enum ParamReason {
    Said(String),
    Repeated,
    NotOfRoute,
    BadCursor,
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError::App(err)
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        ApiError::App(err.into())
    }
}

/// A problem before it is put into words: its type, the key of its detail sentence and the data
/// that goes into it. Kept as a response extension until [`localize`] knows the language.
#[derive(Debug, Clone)]
struct Problem {
    status: StatusCode,
    slug: &'static str,
    detail: Detail,
    field: Option<String>,
    allowed: Option<Vec<&'static str>>,
}

#[derive(Debug, Clone)]
enum Detail {
    /// `problems.<slug>.<key>` with these values; `fallback` is the key to use when there is no
    /// such text (a record kind without a sentence of its own).
    Text {
        key: String,
        fallback: Option<&'static str>,
        values: Vec<(&'static str, String)>,
    },
    /// Like `Text`, with instants too, put into words in the reader's language (in UTC, the
    /// offset shown).
    Dated {
        key: &'static str,
        values: Vec<(&'static str, String)>,
        times: Vec<(&'static str, Timestamp)>,
    },
    /// Data only (a parser's message after a field path): shown as it is.
    Verbatim(String),
}

impl Detail {
    fn text(key: &str, values: Vec<(&'static str, String)>) -> Self {
        Detail::Text {
            key: key.to_owned(),
            fallback: None,
            values,
        }
    }

    fn fixed(key: &str) -> Self {
        Detail::text(key, Vec::new())
    }
}

/// The JSON body of a problem. `field` and `allowed` are extension members (RFC 9457 §3.2).
#[derive(Debug, Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<&'a [&'static str]>,
}

impl Problem {
    fn new(status: StatusCode, slug: &'static str, detail: Detail) -> Self {
        Problem {
            status,
            slug,
            detail,
            field: None,
            allowed: None,
        }
    }

    fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The body in `texts`' language. Every key used here is in the English file, which every
    /// language is checked against, so a missing text is a bug the tests catch.
    fn body(&self, texts: &Texts) -> ProblemBody<'_> {
        let text = |key: &str, values: &[(&str, &str)]| {
            texts
                .problem(&format!("{}.{key}", self.slug), values)
                .unwrap_or_else(|| panic!("problems.{}.{key} is a checked text", self.slug))
        };
        let detail = match &self.detail {
            Detail::Verbatim(detail) => detail.clone(),
            Detail::Dated { key, values, times } => {
                let times: Vec<(&str, String)> = times
                    .iter()
                    .map(|(name, at)| (*name, texts.format_datetime(*at, &TimeZone::UTC)))
                    .collect();
                let values: Vec<(&str, &str)> = values
                    .iter()
                    .chain(&times)
                    .map(|(name, v)| (*name, v.as_str()))
                    .collect();
                text(key, &values)
            }
            Detail::Text {
                key,
                fallback,
                values,
            } => {
                let values: Vec<(&str, &str)> =
                    values.iter().map(|(name, v)| (*name, v.as_str())).collect();
                match (
                    texts.problem(&format!("{}.{key}", self.slug), &values),
                    fallback,
                ) {
                    (Some(detail), _) => detail,
                    (None, Some(fallback)) => text(fallback, &values),
                    (None, None) => text(key, &values),
                }
            }
        };
        ProblemBody {
            kind: format!("urn:calmdesk:problem:{}", self.slug),
            title: text("title", &[]),
            status: self.status.as_u16(),
            detail,
            field: self.field.as_deref(),
            allowed: self.allowed.as_deref(),
        }
    }

    fn response(&self, texts: &Texts) -> Response {
        let body = serde_json::to_vec(&self.body(texts)).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(texts.language()),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl ApiError {
    fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            ApiError::App(err) => app_problem(err),
            ApiError::MalformedJson {
                line,
                column,
                reason,
            } => Problem::new(
                S::BAD_REQUEST,
                "malformed-json",
                Detail::text(
                    "detail",
                    vec![
                        ("line", line.to_string()),
                        ("column", column.to_string()),
                        ("reason", reason.clone()),
                    ],
                ),
            ),
            ApiError::JsonField { field, reason } => Problem::new(
                S::BAD_REQUEST,
                "invalid-json-field",
                Detail::Verbatim(format!("`{field}`: {reason}")),
            )
            .on_field(field.clone()),
            ApiError::InvalidUtf8 { valid_up_to } => Problem::new(
                S::BAD_REQUEST,
                "invalid-utf8",
                Detail::text("detail", vec![("offset", valid_up_to.to_string())]),
            ),
            ApiError::PayloadTooLarge { limit } => Problem::new(
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                Detail::text("detail", vec![("limit", limit.to_string())]),
            ),
            ApiError::UnreadableBody(reason) => Problem::new(
                S::BAD_REQUEST,
                "unreadable-body",
                Detail::Verbatim(reason.clone()),
            ),
            ApiError::BadParameter { field, reason } => {
                let key = match reason {
                    ParamReason::Said(said) => {
                        return Problem::new(
                            S::BAD_REQUEST,
                            "invalid-parameter",
                            Detail::Verbatim(format!("`{field}`: {said}")),
                        )
                        .on_field(field.clone());
                    }
                    ParamReason::Repeated => "repeated",
                    ParamReason::NotOfRoute => "not_of_route",
                    ParamReason::BadCursor => "bad_cursor",
                };
                Problem::new(
                    S::BAD_REQUEST,
                    "invalid-parameter",
                    Detail::text(key, vec![("field", field.clone())]),
                )
                .on_field(field.clone())
            }
            ApiError::UnknownRoute { path } => Problem::new(
                S::NOT_FOUND,
                "unknown-route",
                Detail::text("detail", vec![("path", path.clone())]),
            ),
            ApiError::MethodNotAllowed => Problem::new(
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                Detail::fixed("detail"),
            ),
            ApiError::UnsupportedMediaType { accepted } => Problem::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                Detail::text("detail", vec![("media_type", (*accepted).to_owned())]),
            )
            .on_field("content-type"),
            ApiError::Internal(cause) => internal(cause),
        }
    }
}

fn store_problem(err: &StoreError) -> Problem {
    match err {
        StoreError::Domain(domain) => domain_problem(domain),
        StoreError::Unavailable(cause) => {
            tracing::warn!(%cause, "storage unavailable");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                Detail::fixed("detail"),
            )
        }
        StoreError::Internal(cause) => internal(cause),
    }
}

fn app_problem(err: &AppError) -> Problem {
    use StatusCode as S;
    match err {
        AppError::Store(store) => store_problem(store),
        AppError::Engine(EngineError::Store(store)) => store_problem(store),
        AppError::Engine(EngineError::DelayNotice(refusal)) => delay_notice_problem(refusal),
        // A stored history or figure the engine cannot compute with is our data's fault.
        AppError::Engine(other) => internal(&other.to_string()),
        AppError::Unauthenticated => {
            Problem::new(S::UNAUTHORIZED, "unauthenticated", Detail::fixed("detail"))
        }
        AppError::Forbidden {
            action,
            required,
            held,
        } => Problem::new(
            S::FORBIDDEN,
            "forbidden",
            Detail::text(
                "detail",
                vec![
                    ("action", action.to_string()),
                    ("required", required.to_string()),
                    ("held", held.to_string()),
                ],
            ),
        ),
        AppError::Import { source, .. } => app_problem(source),
        AppError::Random(cause) => internal(cause),
        AppError::Io(io) => internal(&io.to_string()),
    }
}

/// TL-8 with approval: why a drafted delay notice was not sent.
fn delay_notice_problem(refusal: &DelayNoticeRefusal) -> Problem {
    use StatusCode as S;
    match refusal {
        DelayNoticeRefusal::NotADraft { notification, kind } => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "not-a-delay-draft",
            Detail::text(
                "detail",
                vec![
                    ("notification_id", notification.to_string()),
                    ("kind", kind.as_str().to_owned()),
                ],
            ),
        )
        .on_field("notification_id"),
        DelayNoticeRefusal::OtherCase {
            notification, case, ..
        } => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "not-a-delay-draft",
            Detail::text(
                "other_case",
                vec![
                    ("notification_id", notification.to_string()),
                    ("case_id", case.to_string()),
                ],
            ),
        )
        .on_field("notification_id"),
        DelayNoticeRefusal::AlreadySent {
            notification,
            message,
            sent_at,
        } => Problem::new(
            S::CONFLICT,
            "delay-notice-sent",
            Detail::Dated {
                key: "detail",
                values: vec![
                    ("notification_id", notification.to_string()),
                    ("message_id", message.to_string()),
                ],
                times: vec![("sent_at", *sent_at)],
            },
        ),
        DelayNoticeRefusal::NotOwner { case } => Problem::new(
            S::FORBIDDEN,
            "not-case-owner",
            Detail::text("detail", vec![("case_id", case.to_string())]),
        ),
        DelayNoticeRefusal::CaseSettled { case, status } => Problem::new(
            S::CONFLICT,
            "delay-notice-outdated",
            Detail::text(
                if *status == Status::Closed {
                    "closed"
                } else {
                    "resolved"
                },
                vec![("case_id", case.to_string())],
            ),
        ),
        DelayNoticeRefusal::Outdated {
            notification,
            drafted_for,
            deadline,
        } => Problem::new(
            S::CONFLICT,
            "delay-notice-outdated",
            Detail::Dated {
                key: if deadline.is_some() {
                    "detail"
                } else {
                    "no_deadline"
                },
                values: vec![("notification_id", notification.to_string())],
                times: [("drafted_for", Some(*drafted_for)), ("deadline", *deadline)]
                    .into_iter()
                    .filter_map(|(name, at)| Some((name, at?)))
                    .collect(),
            },
        ),
    }
}

fn internal(cause: &str) -> Problem {
    // The cause may hold SQL or paths: log it, tell the client only that it was our fault.
    tracing::error!(%cause, "internal error");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        Detail::fixed("detail"),
    )
}

fn domain_problem(err: &DomainError) -> Problem {
    use StatusCode as S;
    match err {
        DomainError::InvalidField { field, reason } => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "invalid-field",
            Detail::text(
                "detail",
                vec![("field", field.clone()), ("reason", reason.clone())],
            ),
        )
        .on_field(field.clone()),
        DomainError::NotFound { entity, id } => Problem::new(
            S::NOT_FOUND,
            "not-found",
            Detail::Text {
                key: entity.replace(' ', "_"),
                fallback: Some("detail"),
                values: vec![("entity", (*entity).to_owned()), ("id", id.clone())],
            },
        ),
        DomainError::IllegalTransition { from, to, allowed } => {
            let mut values = vec![
                ("from", from.as_str().to_owned()),
                ("to", to.as_str().to_owned()),
            ];
            let key = if allowed.is_empty() {
                "none_allowed"
            } else {
                let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                values.push(("allowed", names.join(", ")));
                "detail"
            };
            let mut problem =
                Problem::new(S::CONFLICT, "illegal-transition", Detail::text(key, values))
                    .on_field("to");
            problem.allowed = Some(allowed.iter().map(|s| s.as_str()).collect());
            problem
        }
        DomainError::Conflict(reason) => Problem::new(
            S::CONFLICT,
            "conflict",
            Detail::text("detail", vec![("reason", reason.clone())]),
        ),
    }
}

impl IntoResponse for ApiError {
    /// Answers in English; [`localize`] puts the answer into the caller's language.
    fn into_response(self) -> Response {
        let problem = self.problem();
        let mut response = problem.response(Catalog::builtin().texts(None));
        response.extensions_mut().insert(problem);
        response
    }
}

/// Middleware: answers a problem in the language the request's `Accept-Language` prefers.
pub async fn localize(request: Request, next: Next) -> Response {
    let language = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(preferred_language);
    let mut response = next.run(request).await;
    match (language, response.extensions_mut().remove::<Problem>()) {
        (Some(language), Some(problem)) if language != "en" => {
            problem.response(Catalog::builtin().texts(Some(language)))
        }
        _ => response,
    }
}

/// The first of Calmdesk's six languages in an `Accept-Language` value (RFC 9110 §12.5.4), by
/// q-value and, among equal q-values, by order; `None` when it names none of them. A range with
/// q=0 is refused, so it is never chosen; `*` means "anything", which is English here.
pub fn preferred_language(accept: &str) -> Option<&'static str> {
    let mut ranges: Vec<(u16, &'static str)> = accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            let quality = parts
                .filter_map(|param| param.trim().split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1000), |(_, value)| quality(value.trim()))?;
            let language = if range == "*" {
                "en"
            } else {
                domain::notices::known_language(range)?
            };
            (quality > 0).then_some((quality, language))
        })
        .collect();
    // A stable sort keeps the client's order among equal weights.
    ranges.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
    ranges.first().map(|(_, language)| *language)
}

/// A q-value in thousandths: "1", "0.8", "0.125"; `None` for anything else (that range is then
/// ignored rather than guessed at).
fn quality(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = match whole {
        "0" => format!("{fraction:0<3}").parse::<u16>().ok()?,
        "1" if fraction.bytes().all(|b| b == b'0') => 1000,
        _ => return None,
    };
    Some(thousandths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::{get, post};
    use domain::Status;
    use serde_json::Value;
    use tower::Service;

    use crate::extract::{JsonBody, QueryParams};

    #[test]
    fn accept_language_picks_the_best_weighted_language_calmdesk_speaks() {
        for (accept, expected) in [
            ("ro", Some("ro")),
            ("ro-RO,ro;q=0.9,en-US;q=0.8,en;q=0.7", Some("ro")),
            ("en;q=0.5, el", Some("el")),
            ("de-DE, fr;q=0.9, ro;q=0.2", Some("ro")),
            ("zh-TW", Some("zh-Hant")),
            ("zh-HK", Some("zh-Hant")),
            ("zh-Hant-CN", Some("zh-Hant")),
            ("zh", Some("zh-Hans")),
            ("zh-CN", Some("zh-Hans")),
            ("zh-Hans-TW", Some("zh-Hans")),
            ("fil-PH", Some("tl")),
            ("TL", Some("tl")),
            // Equal weights keep the client's order.
            ("el;q=0.8, ro;q=0.8", Some("el")),
            ("ro;q=0.3, tl;q=0.30, el;q=0.301", Some("el")),
            ("ro;q=0, el;q=0.001", Some("el")),
            ("ro;q=0", None),
            ("*", Some("en")),
            ("ro;q=0.5, *", Some("en")),
            ("de, fr", None),
            ("", None),
            // Malformed weights drop their range instead of guessing.
            ("ro;q=2, el;q=0.5", Some("el")),
            ("ro;q=0.5x, tl;q=abc", None),
            ("ro;q=0.1234", None),
            ("el ; Q=1.000", Some("el")),
        ] {
            assert_eq!(preferred_language(accept), expected, "{accept:?}");
        }
    }

    fn every_error() -> Vec<ApiError> {
        let domain = |err: DomainError| ApiError::from(err);
        let param = |reason| ApiError::BadParameter {
            field: "cursor".to_owned(),
            reason,
        };
        let mut errors = vec![
            ApiError::MalformedJson {
                line: 2,
                column: 7,
                reason: "expected `:`".to_owned(),
            },
            ApiError::JsonField {
                field: "customer.email".to_owned(),
                reason: "invalid type".to_owned(),
            },
            ApiError::InvalidUtf8 { valid_up_to: 7 },
            ApiError::PayloadTooLarge { limit: 1024 },
            ApiError::UnreadableBody("connection reset".to_owned()),
            param(ParamReason::Said("too big".to_owned())),
            param(ParamReason::Repeated),
            param(ParamReason::NotOfRoute),
            param(ParamReason::BadCursor),
            ApiError::UnknownRoute {
                path: "/nope".to_owned(),
            },
            ApiError::MethodNotAllowed,
            ApiError::UnsupportedMediaType {
                accepted: "application/x-www-form-urlencoded",
            },
            ApiError::Internal("worker died".to_owned()),
            ApiError::App(AppError::Unauthenticated),
            ApiError::App(StoreError::Unavailable("down".to_owned()).into()),
            domain(DomainError::invalid("customer.email", "must contain @")),
            domain(DomainError::Conflict("already exists".to_owned())),
            domain(DomainError::not_found("some new kind", 9)),
            illegal_transition(vec![Status::Acknowledged]),
            illegal_transition(Vec::new()),
        ];
        // Every kind of record the stores report as missing has a sentence of its own.
        for entity in [
            "agent",
            "case",
            "commitment",
            "customer",
            "department",
            "feedback request",
            "preventive action",
        ] {
            errors.push(domain(DomainError::not_found(entity, "X-1")));
        }
        errors.extend(
            delay_refusals()
                .into_iter()
                .map(|refusal| ApiError::App(AppError::Engine(EngineError::DelayNotice(refusal)))),
        );
        errors
    }

    fn sent_at() -> Timestamp {
        "2026-11-26T10:15:00Z".parse().unwrap()
    }

    fn delay_refusals() -> Vec<DelayNoticeRefusal> {
        use domain::process::{NotificationId, NotificationKind};
        use domain::{CaseId, MessageId};
        let (notification, case) = (NotificationId(4), CaseId(7));
        vec![
            DelayNoticeRefusal::NotADraft {
                notification,
                kind: NotificationKind::SlaWarning,
            },
            DelayNoticeRefusal::OtherCase {
                notification,
                case,
                other: Some(CaseId(8)),
            },
            DelayNoticeRefusal::AlreadySent {
                notification,
                message: MessageId(12),
                sent_at: sent_at(),
            },
            DelayNoticeRefusal::NotOwner { case },
            DelayNoticeRefusal::CaseSettled {
                case,
                status: Status::Resolved,
            },
            DelayNoticeRefusal::CaseSettled {
                case,
                status: Status::Closed,
            },
            DelayNoticeRefusal::Outdated {
                notification,
                drafted_for: sent_at(),
                deadline: Some("2026-11-26T16:00:00Z".parse().unwrap()),
            },
            DelayNoticeRefusal::Outdated {
                notification,
                drafted_for: sent_at(),
                deadline: None,
            },
        ]
    }

    /// The instants of a delay notice refusal are written as the reader writes dates, not in
    /// RFC 3339.
    #[test]
    fn delay_notice_refusals_write_their_instants_in_the_readers_language() {
        let catalog = Catalog::builtin();
        for refusal in delay_refusals() {
            let dated = matches!(
                refusal,
                DelayNoticeRefusal::AlreadySent { .. } | DelayNoticeRefusal::Outdated { .. }
            );
            let problem = delay_notice_problem(&refusal);
            for language in domain::LANGUAGES {
                let texts = catalog.texts(Some(language));
                let detail = problem.body(texts).detail;
                assert!(!detail.contains("2026-11-26T"), "{language}: {detail}");
                let written = texts.format_datetime(sent_at(), &TimeZone::UTC);
                assert_eq!(detail.contains(&written), dated, "{language}: {detail}");
            }
        }
    }

    fn illegal_transition(allowed: Vec<Status>) -> ApiError {
        ApiError::from(DomainError::IllegalTransition {
            from: Status::Received,
            to: Status::Closed,
            allowed,
        })
    }

    #[test]
    fn every_problem_has_its_words_in_every_language_and_keeps_its_machine_parts() {
        let catalog = Catalog::builtin();
        for err in every_error() {
            let problem = err.problem();
            let english = serde_json::to_value(problem.body(catalog.texts(None))).unwrap();
            for language in domain::LANGUAGES {
                let texts = catalog.texts(Some(language));
                assert_eq!(texts.language(), language);
                let body = serde_json::to_value(problem.body(texts)).unwrap();
                for member in ["type", "status", "field", "allowed"] {
                    assert_eq!(body.get(member), english.get(member), "{err:?} {language}");
                }
                for member in ["title", "detail"] {
                    let text = body[member].as_str().unwrap();
                    assert!(
                        !text.is_empty() && !text.contains('{'),
                        "{language}: {text}"
                    );
                    // "Conflict" is also the Romanian word.
                    let same_word = (language, problem.slug) == ("ro", "conflict");
                    if language != "en" && member == "title" && !same_word {
                        assert_ne!(body[member], english[member], "{err:?} {language}");
                    }
                }
                // A known record kind has its own sentence, not the fallback naming it in English.
                if let ApiError::App(AppError::Store(StoreError::Domain(DomainError::NotFound {
                    entity,
                    id,
                }))) = &err
                    && language != "en"
                {
                    let values = [("entity", *entity), ("id", id.as_str())];
                    let fallback = texts.problem("not-found.detail", &values).unwrap();
                    let is_fallback = body["detail"] == fallback.as_str();
                    assert_eq!(
                        is_fallback,
                        *entity == "some new kind",
                        "{entity} {language}"
                    );
                }
            }
        }
    }

    #[test]
    fn english_details_read_as_before() {
        let english = |err: ApiError| {
            let problem = err.problem();
            problem.body(Catalog::builtin().texts(None)).detail
        };
        assert_eq!(
            english(illegal_transition(vec![Status::Acknowledged])),
            DomainError::IllegalTransition {
                from: Status::Received,
                to: Status::Closed,
                allowed: vec![Status::Acknowledged],
            }
            .to_string()
        );
        for err in [
            DomainError::not_found("case", "C-000001"),
            DomainError::not_found("feedback request", "abc"),
            DomainError::not_found("some new kind", 9),
            DomainError::invalid("customer.email", "must contain @"),
            DomainError::Conflict("a department named `x` already exists".to_owned()),
        ] {
            assert_eq!(english(err.clone().into()), err.to_string());
        }
    }

    /// A router with the real extractors, fallbacks and middleware, and handlers that fail the
    /// way the API's do.
    fn service() -> Router {
        async fn body(JsonBody(_): JsonBody<Value>) {}
        async fn list(mut query: QueryParams) -> Result<(), ApiError> {
            query.take_cursor()?;
            query.finish()
        }
        async fn transition() -> Result<(), ApiError> {
            Err(illegal_transition(vec![Status::Acknowledged]))
        }
        async fn case() -> Result<(), ApiError> {
            Err(DomainError::not_found("case", "C-000042").into())
        }
        Router::new()
            .route("/body", post(body))
            .route("/list", get(list))
            .route("/transition", post(transition))
            .route("/case", get(case))
            .fallback(crate::unknown_route)
            .method_not_allowed_fallback(crate::method_not_allowed)
            .layer(axum::middleware::from_fn(localize))
    }

    async fn ask(method: &str, uri: &str, accept: Option<&str>, body: &[u8]) -> (Response, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_LANGUAGE, accept);
        }
        let request = request.body(Body::from(body.to_vec())).unwrap();
        let response = service().call(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap();
        (Response::from_parts(parts, Body::empty()), json)
    }

    fn header_of(response: &Response, name: header::HeaderName) -> &str {
        response.headers()[name].to_str().unwrap()
    }

    #[tokio::test]
    async fn errors_answer_in_the_requested_language_with_the_same_machine_parts() {
        let (response, english) = ask("POST", "/transition", None, b"").await;
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "en");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), PROBLEM_JSON);
        assert_eq!(english["title"], "Transition not allowed");

        let (response, romanian) = ask(
            "POST",
            "/transition",
            Some("de;q=1, ro-RO;q=0.9, en;q=0.5"),
            b"",
        )
        .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "ro");
        assert_eq!(header_of(&response, header::VARY), "accept-language");
        assert_eq!(romanian["title"], "Tranziție nepermisă");
        assert_eq!(
            romanian["detail"],
            "cazul nu poate trece din received în closed; din received sunt permise: acknowledged"
        );
        for member in ["type", "status", "field", "allowed"] {
            assert_eq!(romanian[member], english[member], "{member}");
        }

        let (response, greek) = ask("GET", "/case", Some("el-GR"), b"").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "el");
        assert_eq!(greek["type"], "urn:calmdesk:problem:not-found");
        assert_eq!(greek["detail"], "η υπόθεση C-000042 δεν βρέθηκε");

        let (response, traditional) = ask("GET", "/case", Some("zh-TW"), b"").await;
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "zh-Hant");
        assert_eq!(traditional["detail"], "找不到案件 C-000042");
        let (_, simplified) = ask("GET", "/case", Some("zh-CN"), b"").await;
        assert_eq!(simplified["detail"], "未找到案件 C-000042");
    }

    #[tokio::test]
    async fn extractor_and_routing_errors_are_translated_too() {
        let (response, tagalog) = ask("POST", "/body", Some("fil"), b"{\"a\": ").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "tl");
        assert_eq!(tagalog["type"], "urn:calmdesk:problem:malformed-json");
        assert_eq!(tagalog["title"], "Maling JSON");
        let detail = tagalog["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("hindi wastong JSON ang body sa linya 1, column 6: "),
            "{detail}"
        );

        let (_, simplified) = ask("GET", "/list?cursor=zz", Some("zh-Hans"), b"").await;
        assert_eq!(simplified["field"], "cursor");
        assert_eq!(
            simplified["detail"],
            "`cursor`：不是本服务器返回的游标；请使用上一页返回的 `next_cursor`"
        );
        let (_, greek) = ask("GET", "/list?limt=1", Some("el"), b"").await;
        assert_eq!(greek["field"], "limt");
        assert_eq!(
            greek["detail"],
            "`limt`: δεν είναι παράμετρος αυτής της διαδρομής"
        );

        let (response, romanian) = ask("GET", "/no/such/route", Some("ro"), b"").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            romanian["detail"],
            "la /no/such/route nu se află nimic; consultați /api/v1/openapi.json"
        );
        let (response, english) = ask("DELETE", "/case", Some("de, *;q=0.1"), b"").await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header_of(&response, header::CONTENT_LANGUAGE), "en");
        assert_eq!(english["title"], "Method not allowed");
    }
}
