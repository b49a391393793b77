//! `POST /api/v1/coach/analyze` and `/lint`: the coach's batch contract, one object in and one
//! out, for the agents' as-you-type checks. An optional `id` is echoed like the batch commands do.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use coach::{AnalyzeInput, Coach, LintInput};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::AppState;
use crate::extract::{Caller, JsonBody};
use crate::problem::ApiError;

#[derive(Deserialize)]
pub struct WithId<T> {
    #[serde(default)]
    id: Option<Value>,
    #[serde(flatten)]
    input: T,
}

pub async fn analyze(
    _caller: Caller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<WithId<AnalyzeInput>>,
) -> Result<Json<Value>, ApiError> {
    run(state.coach, body, |coach, input| {
        serde_json::to_value(coach.analyze(input))
    })
    .await
}

pub async fn lint(
    _caller: Caller,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<WithId<LintInput>>,
) -> Result<Json<Value>, ApiError> {
    run(state.coach, body, |coach, input| {
        serde_json::to_value(coach.lint(input))
    })
    .await
}

/// Matching is CPU work proportional to the text (up to the 1 MB body limit), so it runs on the
/// blocking pool rather than stalling the request workers.
async fn run<T: DeserializeOwned + Send + 'static>(
    coach: Arc<Coach>,
    body: WithId<T>,
    check: fn(&Coach, &T) -> serde_json::Result<Value>,
) -> Result<Json<Value>, ApiError> {
    let WithId { id, input } = body;
    let mut result = tokio::task::spawn_blocking(move || check(&coach, &input))
        .await
        .map_err(|err| ApiError::Internal(format!("the coach stopped: {err}")))?
        .map_err(|err| ApiError::Internal(format!("cannot write the coach's result: {err}")))?;
    if let (Some(id), Value::Object(fields)) = (id, &mut result) {
        fields.insert("id".to_owned(), id);
    }
    Ok(Json(result))
}
