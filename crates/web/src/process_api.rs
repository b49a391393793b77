//! The process engine's `/api/v1` handlers: commitments, notifications, the incident record as a
//! document, the root-cause report, preventive actions and the operator's view of job runs.

use app::{DocumentFormat, ReportFormat, Since};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::process::{
    ActionId, ActionStatus, Commitment, CommitmentChange, CommitmentId, CommitmentKind, JobRun,
    NewCommitment, NewPreventiveAction, Notification, NotificationId, PreventiveAction,
};
use domain::{Actor, CaseId, ListQuery, Page, Timestamp};
use engine::SentDelayNotice;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{created, list_query, whole_list};
use crate::extract::{
    Caller, CaseIdParam, IdPath, JsonBody, NumericId, OptionalJsonBody, QueryParams, bad_parameter,
};
use crate::problem::ApiError;

type ApiResult<T> = Result<T, ApiError>;

pub async fn list_commitments(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
) -> ApiResult<Json<Page<Commitment>>> {
    Ok(Json(whole_list(state.app.commitments(&actor, id).await?)))
}

/// A promise typed by an agent: what, by when. Source and message are the coach's business.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualCommitment {
    kind: CommitmentKind,
    description: String,
    due_at: Timestamp,
}

pub async fn add_commitment(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(body): JsonBody<ManualCommitment>,
) -> ApiResult<Response> {
    let commitment = NewCommitment {
        kind: body.kind,
        description: body.description,
        due_at: body.due_at,
        source: domain::process::CommitmentSource::Manual,
        message_id: None,
        key: None,
    };
    let stored = state.app.add_commitment(&actor, id, commitment).await?;
    Ok(created(format!("/api/v1/cases/{id}/commitments"), stored))
}

async fn change_commitment(
    state: &AppState,
    actor: &Actor,
    id: i64,
    change: CommitmentChange,
) -> ApiResult<Json<Commitment>> {
    let id = CommitmentId(id);
    Ok(Json(state.app.change_commitment(actor, id, change).await?))
}

pub async fn fulfil_commitment(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(NumericId(id)): IdPath<NumericId>,
) -> ApiResult<Json<Commitment>> {
    change_commitment(&state, &actor, id, CommitmentChange::Fulfilled).await
}

pub async fn cancel_commitment(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(NumericId(id)): IdPath<NumericId>,
) -> ApiResult<Json<Commitment>> {
    change_commitment(&state, &actor, id, CommitmentChange::Cancelled).await
}

pub async fn list_notifications(
    State(state): State<AppState>,
    Caller(actor): Caller,
    mut params: QueryParams,
) -> ApiResult<Json<Page<Notification>>> {
    let case: Option<CaseId> = params.take::<CaseIdParam>("case")?.map(|c| c.0);
    let query: ListQuery = list_query(params)?;
    Ok(Json(state.app.notifications(&actor, case, &query).await?))
}

/// The optional body of a delay notice send: the agent's own words instead of the draft's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayNoticeEdit {
    #[serde(default)]
    body: Option<String>,
}

/// TL-8 with approval: the agent who has the case (or a supervisor) sends the delay notice
/// drafted in a `delay_notice_approval` notification. The body is optional: `{"body": "…"}`
/// sends edited words, no body (or `{}`) the draft as it is.
pub async fn send_delay_notice(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((case, notification)): Path<(String, String)>,
    OptionalJsonBody(edit): OptionalJsonBody<DelayNoticeEdit>,
) -> ApiResult<Json<SentDelayNotice>> {
    let CaseIdParam(case) = case.parse().map_err(|err| bad_parameter("id", err))?;
    let NumericId(notification) = notification
        .parse()
        .map_err(|err| bad_parameter("notification_id", err))?;
    let edit = edit.and_then(|edit| edit.body);
    let sent = state
        .app
        .send_delay_notice(&actor, case, NotificationId(notification), edit)
        .await?;
    Ok(Json(sent))
}

/// RO-11: the incident record as a document to save or print, in the agent's language.
pub async fn incident_document(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    mut params: QueryParams,
) -> ApiResult<Response> {
    let format = params
        .take::<DocumentFormat>("format")?
        .unwrap_or(DocumentFormat::Markdown);
    params.finish()?;
    let document = state.app.incident_document(&actor, id, format).await?;
    let content_type = match format {
        DocumentFormat::Markdown => "text/markdown; charset=utf-8",
        DocumentFormat::Html => "text/html; charset=utf-8",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], document).into_response())
}

/// `?format=` wins; otherwise `Accept: text/csv` asks for CSV; JSON by default.
fn wants_csv(format: Option<ReportFormat>, headers: &HeaderMap) -> bool {
    match format {
        Some(format) => format == ReportFormat::Csv,
        None => headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|media| media.split(';').next().unwrap_or("").trim() == "text/csv"),
    }
}

/// The `since` parameter, 30 days back when left out.
fn since(params: &mut QueryParams) -> ApiResult<Since> {
    Ok(params
        .take::<Since>("since")?
        .unwrap_or(Since::hours(30 * 24)))
}

pub async fn report(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    mut params: QueryParams,
) -> ApiResult<Response> {
    let since = since(&mut params)?;
    let format = params.take::<ReportFormat>("format")?;
    params.finish()?;
    let report = state.app.report(&actor, since).await?;
    if wants_csv(format, &headers) {
        let mut response = report.to_csv().into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        return Ok(response);
    }
    Ok(Json(report).into_response())
}

pub async fn list_actions(
    State(state): State<AppState>,
    Caller(actor): Caller,
    params: QueryParams,
) -> ApiResult<Json<Page<PreventiveAction>>> {
    params.finish()?;
    Ok(Json(whole_list(state.app.actions(&actor).await?)))
}

pub async fn create_action(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(action): JsonBody<NewPreventiveAction>,
) -> ApiResult<Response> {
    let stored = state.app.create_action(&actor, action).await?;
    Ok(created(
        format!("/api/v1/preventive-actions/{}", stored.id),
        stored,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    status: ActionStatus,
}

pub async fn update_action(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(NumericId(id)): IdPath<NumericId>,
    JsonBody(patch): JsonBody<ActionPatch>,
) -> ApiResult<Json<PreventiveAction>> {
    Ok(Json(
        state
            .app
            .set_action_status(&actor, ActionId(id), patch.status)
            .await?,
    ))
}

/// Finished job runs, a page at a time in the order they were recorded, and when the next
/// pending job is due.
#[derive(Serialize)]
pub struct JobRunsView {
    items: Vec<JobRun>,
    next_cursor: Option<String>,
    next_job_at: Option<Timestamp>,
}

pub async fn job_runs(
    State(state): State<AppState>,
    Caller(actor): Caller,
    mut params: QueryParams,
) -> ApiResult<Json<JobRunsView>> {
    let since = params.take::<Since>("since")?.unwrap_or(Since::hours(1));
    let query = list_query(params)?;
    let (page, next_job_at) = state.app.job_runs(&actor, since, &query).await?;
    Ok(Json(JobRunsView {
        items: page.items,
        next_cursor: page.next_cursor,
        next_job_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn csv_is_asked_for_by_parameter_or_accept_header() {
        assert!(!wants_csv(None, &HeaderMap::new()));
        assert!(wants_csv(None, &accept("text/csv")));
        assert!(wants_csv(
            None,
            &accept("application/json;q=0.5, text/csv; q=1")
        ));
        assert!(!wants_csv(None, &accept("application/json")));
        assert!(wants_csv(
            Some(ReportFormat::Csv),
            &accept("application/json")
        ));
        assert!(!wants_csv(Some(ReportFormat::Json), &accept("text/csv")));
    }
}
