//! Request extractors that fail with [`ApiError`] (so with problem+json), replacing axum's
//! plain-text rejections: a JSON body, the bearer-token caller, path ids and query parameters.

use std::fmt::Display;
use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use domain::{Actor, CaseId, Cursor, DomainError};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::AppState;
use crate::problem::{ApiError, ParamReason};

/// Largest accepted request body. A message body may hold 100,000 characters, which is up to
/// 400 kB of UTF-8; the rest is room for the JSON around it.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON request body whose errors name the field (`customer.email`) or the position.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        parse_json(&body_bytes(req, state).await?).map(JsonBody)
    }
}

/// A JSON request body that may be left out: no body (or only white space) is `None`; a body
/// is read and refused as [`JsonBody`]'s is.
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse_json(&bytes).map(|value| OptionalJsonBody(Some(value)))
    }
}

/// The whole body, or why it could not be read (too large, or the transport failed).
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: BODY_LIMIT }
        } else {
            ApiError::UnreadableBody(rejection.body_text())
        }
    })
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|err| ApiError::InvalidUtf8 {
        valid_up_to: err.valid_up_to(),
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(json_error)?;
    deserializer.end().map_err(|err| malformed(&err))?;
    Ok(value)
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => malformed(&inner),
        Category::Data => {
            let message = without_position(&inner.to_string());
            // serde reports a missing field at its parent object: name the field itself.
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next());
            let field = match (missing, path.as_str()) {
                (Some(name), ".") => name.to_owned(),
                (Some(name), parent) => format!("{parent}.{name}"),
                (None, ".") => "body".to_owned(),
                (None, _) => path,
            };
            ApiError::JsonField {
                field,
                reason: message,
            }
        }
    }
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::MalformedJson {
        line: err.line(),
        column: err.column(),
        reason: without_position(&err.to_string()),
    }
}

/// serde_json appends " at line L column C"; the problem carries the position separately.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// The authenticated caller of an `/api` route.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim())
            .filter(|secret| !secret.is_empty())
            .ok_or(ApiError::App(app::AppError::Unauthenticated))?;
        Ok(Caller(state.app.authenticate(secret).await?))
    }
}

/// A `{id}` path segment parsed as `T` (a case id like `C-000123`, or a number).
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T> FromRequestParts<S> for IdPath<T>
where
    T: FromStr,
    T::Err: Display,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| bad_parameter("id", rejection.body_text()))?;
        raw.parse()
            .map(IdPath)
            .map_err(|err| bad_parameter("id", err))
    }
}

/// A numeric id in a path, e.g. a customer's.
pub struct NumericId(pub i64);

impl FromStr for NumericId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(NumericId)
            .ok_or_else(|| format!("`{s}` is not a positive whole number"))
    }
}

/// A case id in a path; a malformed one is a bad parameter, an unknown one is 404 later.
pub struct CaseIdParam(pub CaseId);

impl FromStr for CaseIdParam {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<CaseId>()
            .map(CaseIdParam)
            .map_err(|err| match err {
                DomainError::InvalidField { reason, .. } => reason,
                other => other.to_string(),
            })
    }
}

/// Query parameters taken one by one, so each error names its parameter and unknown or repeated
/// parameters are refused instead of silently ignored.
pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| bad_parameter("query", rejection.body_text()))?;
        Ok(QueryParams(pairs))
    }
}

impl QueryParams {
    /// Name/value pairs from elsewhere than the URL, e.g. a submitted HTML form.
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        QueryParams(pairs)
    }

    pub fn take<T>(&mut self, name: &str) -> Result<Option<T>, ApiError>
    where
        T: FromStr,
        T::Err: Display,
    {
        let mut values = Vec::new();
        self.0.retain(|(key, value)| {
            let matches = key == name;
            if matches {
                values.push(value.clone());
            }
            !matches
        });
        match values.as_slice() {
            [] => Ok(None),
            [value] => value
                .parse()
                .map(Some)
                .map_err(|err| bad_parameter(name, err)),
            _ => Err(refused(name, ParamReason::Repeated)),
        }
    }

    /// The `cursor` parameter: a `next_cursor` handed out by an earlier page.
    pub fn take_cursor(&mut self) -> Result<Option<Cursor>, ApiError> {
        self.take::<String>("cursor")?
            // The decoder's reason (bad encoding, bad content) is for us, not for the caller.
            .map(|token| {
                Cursor::decode(&token).map_err(|_| refused("cursor", ParamReason::BadCursor))
            })
            .transpose()
    }

    /// Refuses whatever parameter no `take` asked for.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.first() {
            None => Ok(()),
            Some((key, _)) => Err(refused(key, ParamReason::NotOfRoute)),
        }
    }
}

pub(crate) fn bad_parameter(field: &str, reason: impl Display) -> ApiError {
    refused(field, ParamReason::Said(reason.to_string()))
}

fn refused(field: &str, reason: ParamReason) -> ApiError {
    ApiError::BadParameter {
        field: field.to_owned(),
        reason,
    }
}

/// Query validation failures are the caller's URL, so they answer 400 like other bad parameters.
pub(crate) fn query_error(err: DomainError) -> ApiError {
    match err {
        DomainError::InvalidField { field, reason } => ApiError::BadParameter {
            field,
            reason: ParamReason::Said(reason),
        },
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        customer: Inner,
        tags: Vec<u32>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn field_error(body: &str) -> (String, String) {
        match parse_json::<Outer>(body.as_bytes()) {
            Err(ApiError::JsonField { field, reason }) => (field, reason),
            other => panic!("{body}: {other:?}"),
        }
    }

    async fn optional(body: &str) -> Result<Option<BTreeMap<String, String>>, ApiError> {
        let request = Request::builder()
            .method("POST")
            .uri("/")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap();
        OptionalJsonBody::from_request(request, &())
            .await
            .map(|OptionalJsonBody(value)| value)
    }

    #[tokio::test]
    async fn an_optional_body_may_be_left_out_but_not_malformed() {
        for nothing in ["", " \r\n\t"] {
            assert!(optional(nothing).await.unwrap().is_none(), "{nothing:?}");
        }
        let given = optional(r#"{"body": "x"}"#).await.unwrap().unwrap();
        assert_eq!(given["body"], "x");
        assert!(matches!(
            optional("{").await,
            Err(ApiError::MalformedJson { .. })
        ));
        assert!(matches!(
            optional(r#"{"body": 1}"#).await,
            Err(ApiError::JsonField { .. })
        ));
    }

    #[test]
    fn missing_fields_are_named_with_their_path() {
        assert_eq!(field_error(r#"{"tags": []}"#).0, "customer");
        assert_eq!(
            field_error(r#"{"customer": {}, "tags": []}"#).0,
            "customer.name"
        );
    }

    #[test]
    fn wrong_types_are_named_with_their_path() {
        let (field, reason) = field_error(r#"{"customer": {"name": 5}, "tags": []}"#);
        assert_eq!(field, "customer.name");
        assert!(reason.contains("expected a string"), "{reason}");
        assert_eq!(
            field_error(r#"{"customer": {"name": "x"}, "tags": [1, "2"]}"#).0,
            "tags[1]"
        );
        assert_eq!(field_error("\"text\"").0, "body");
    }

    #[test]
    fn syntax_errors_give_the_position() {
        for (body, line, column) in [("{\"a\": ", 1, 6), ("{\n  \"a\" 1}", 2, 7), ("", 1, 0)] {
            match parse_json::<BTreeMap<String, u32>>(body.as_bytes()) {
                Err(ApiError::MalformedJson {
                    line: l, column: c, ..
                }) => assert_eq!((l, c), (line, column), "{body:?}"),
                other => panic!("{body:?}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_json::<BTreeMap<String, u32>>(b"{} trailing"),
            Err(ApiError::MalformedJson { .. })
        ));
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        assert!(matches!(
            parse_json::<BTreeMap<String, String>>(b"{\"a\": \"\xff\"}"),
            Err(ApiError::InvalidUtf8 { valid_up_to: 7 })
        ));
    }

    #[test]
    fn query_params_are_parsed_named_and_checked_for_leftovers() {
        let pairs = |list: &[(&str, &str)]| {
            QueryParams(
                list.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let mut params = pairs(&[("limit", "10"), ("q", "退款")]);
        assert_eq!(params.take::<u32>("limit").unwrap(), Some(10));
        assert_eq!(params.take::<String>("q").unwrap().as_deref(), Some("退款"));
        assert_eq!(params.take::<String>("status").unwrap(), None);
        assert!(params.finish().is_ok());

        let mut params = pairs(&[("limit", "ten")]);
        assert!(matches!(params.take::<u32>("limit"),
            Err(ApiError::BadParameter { field, .. }) if field == "limit"));
        let mut params = pairs(&[("q", "a"), ("q", "b")]);
        assert!(matches!(
            params.take::<String>("q"),
            Err(ApiError::BadParameter {
                reason: ParamReason::Repeated,
                ..
            })
        ));
        assert!(matches!(pairs(&[("lmit", "1")]).finish(),
            Err(ApiError::BadParameter { field, .. }) if field == "lmit"));
    }

    #[test]
    fn ids_in_paths_must_be_well_formed() {
        assert_eq!("C-000042".parse::<CaseIdParam>().unwrap().0, CaseId(42));
        assert!("42".parse::<CaseIdParam>().is_err());
        assert_eq!("7".parse::<NumericId>().unwrap().0, 7);
        assert!("0".parse::<NumericId>().is_err());
        assert!("x".parse::<NumericId>().is_err());
    }
}
