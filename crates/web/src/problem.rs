//! The ONE place where every failure becomes an RFC 9457 `application/problem+json` answer.
//! Handlers and extractors return [`ApiError`]; nothing else builds an error response.

use app::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{DomainError, StoreError};
use engine::EngineError;
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
        reason: String,
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

/// The JSON body of a problem. `field` and `allowed` are extension members (RFC 9457 §3.2).
#[derive(Debug, Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<Vec<&'static str>>,
}

impl Problem {
    fn new(status: StatusCode, slug: &str, title: &'static str, detail: String) -> Self {
        Problem {
            kind: format!("urn:calmdesk:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail,
            field: None,
            allowed: None,
        }
    }

    fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
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
                "Malformed JSON",
                format!("the body is not valid JSON at line {line}, column {column}: {reason}"),
            ),
            ApiError::JsonField { field, reason } => Problem::new(
                S::BAD_REQUEST,
                "invalid-json-field",
                "Invalid field in JSON body",
                format!("`{field}`: {reason}"),
            )
            .on_field(field.clone()),
            ApiError::InvalidUtf8 { valid_up_to } => Problem::new(
                S::BAD_REQUEST,
                "invalid-utf8",
                "Body is not UTF-8",
                format!("the body is not valid UTF-8 after byte {valid_up_to}"),
            ),
            ApiError::PayloadTooLarge { limit } => Problem::new(
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Body too large",
                format!("the body is larger than the limit of {limit} bytes"),
            ),
            ApiError::UnreadableBody(reason) => Problem::new(
                S::BAD_REQUEST,
                "unreadable-body",
                "Body could not be read",
                reason.clone(),
            ),
            ApiError::BadParameter { field, reason } => Problem::new(
                S::BAD_REQUEST,
                "invalid-parameter",
                "Invalid parameter",
                format!("`{field}`: {reason}"),
            )
            .on_field(field.clone()),
            ApiError::UnknownRoute { path } => Problem::new(
                S::NOT_FOUND,
                "unknown-route",
                "No such route",
                format!("nothing is served at {path}; see /api/v1/openapi.json"),
            ),
            ApiError::MethodNotAllowed => Problem::new(
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this route does not accept that method; see /api/v1/openapi.json".to_owned(),
            ),
            ApiError::UnsupportedMediaType { accepted } => Problem::new(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("send the body as {accepted}"),
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
                "Storage unavailable",
                "the database cannot be reached right now; try again shortly".to_owned(),
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
        // A stored history or figure the engine cannot compute with is our data's fault.
        AppError::Engine(other) => internal(&other.to_string()),
        AppError::Unauthenticated => Problem::new(
            S::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "send `Authorization: Bearer <token>` with a token from `calmdesk admin create-token`"
                .to_owned(),
        ),
        AppError::Forbidden { .. } => Problem::new(
            S::FORBIDDEN,
            "forbidden",
            "Role not allowed",
            err.to_string(),
        ),
        AppError::Import { source, .. } => app_problem(source),
        AppError::Random(cause) => internal(cause),
        AppError::Io(io) => internal(&io.to_string()),
    }
}

fn internal(cause: &str) -> Problem {
    // The cause may hold SQL or paths: log it, tell the client only that it was our fault.
    tracing::error!(%cause, "internal error");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the server failed; the cause is in its log".to_owned(),
    )
}

fn domain_problem(err: &DomainError) -> Problem {
    use StatusCode as S;
    match err {
        DomainError::InvalidField { field, .. } => Problem::new(
            S::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "Invalid field",
            err.to_string(),
        )
        .on_field(field.clone()),
        DomainError::NotFound { .. } => {
            Problem::new(S::NOT_FOUND, "not-found", "Not found", err.to_string())
        }
        DomainError::IllegalTransition { allowed, .. } => {
            let mut problem = Problem::new(
                S::CONFLICT,
                "illegal-transition",
                "Transition not allowed",
                err.to_string(),
            )
            .on_field("to");
            problem.allowed = Some(allowed.iter().map(|s| s.as_str()).collect());
            problem
        }
        DomainError::Conflict(_) => {
            Problem::new(S::CONFLICT, "conflict", "Conflict", err.to_string())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
