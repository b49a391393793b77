//! The `/api/v1` JSON handlers: each reads its input, calls one use case and shapes the answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::sla::SlaStatus;
use domain::{
    Agent, AgentId, Assign, Case, CaseDetail, CaseFilter, Customer, CustomerId, Department,
    DepartmentId, Event, IncidentRecord, IncidentRecordInput, ListQuery, Message, NewAgent,
    NewCase, NewDepartment, NewMessage, Page, Role, Timestamp, Transition, UpdateCase,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::extract::{Caller, CaseIdParam, IdPath, JsonBody, NumericId, QueryParams, query_error};
use crate::problem::ApiError;

type ApiResult<T> = Result<T, ApiError>;

/// A case's deadlines (computed from its history at each read, so never stale) at the top level,
/// and its whole SLA standing — state and targets — under `sla`.
#[derive(Serialize)]
pub struct Deadlines {
    first_response_due: Option<Timestamp>,
    resolution_due: Option<Timestamp>,
    sla: SlaStatus,
}

impl From<SlaStatus> for Deadlines {
    fn from(sla: SlaStatus) -> Self {
        Deadlines {
            first_response_due: sla.first_response.due,
            resolution_due: sla.resolution.due,
            sla,
        }
    }
}

/// A case as the API shows it: the case's own fields and deadlines at the top level (`id`,
/// `status`, `resolution_due`, …) with its customer, messages (oldest first) and incident record.
#[derive(Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    case: Case,
    #[serde(flatten)]
    deadlines: Deadlines,
    customer: Customer,
    messages: Vec<Message>,
    incident_record: Option<IncidentRecord>,
}

impl CaseView {
    fn new(detail: CaseDetail, sla: SlaStatus) -> Self {
        CaseView {
            case: detail.case,
            deadlines: sla.into(),
            customer: detail.customer,
            messages: detail.messages,
            incident_record: detail.incident_record,
        }
    }
}

/// A case in a list: its own fields and deadlines.
#[derive(Serialize)]
pub struct CaseItem {
    #[serde(flatten)]
    case: Case,
    #[serde(flatten)]
    deadlines: Deadlines,
}

pub(crate) fn created<T: Serialize>(location: String, body: T) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub(crate) fn whole_list<T>(items: Vec<T>) -> Page<T> {
    Page {
        items,
        next_cursor: None,
    }
}

pub async fn create_case(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(cmd): JsonBody<NewCase>,
) -> ApiResult<Response> {
    let detail = state.app.open_case(&actor, cmd).await?;
    let sla = state.app.sla(&detail).await?;
    let location = format!("/api/v1/cases/{}", detail.case.id);
    Ok(created(location, CaseView::new(detail, sla)))
}

pub async fn list_cases(
    State(state): State<AppState>,
    Caller(actor): Caller,
    mut params: QueryParams,
) -> ApiResult<Json<Page<CaseItem>>> {
    let defaults = CaseFilter::default();
    let filter = CaseFilter {
        q: params.take("q")?,
        status: params.take("status")?,
        assignee: params.take::<NumericId>("assignee")?.map(|n| AgentId(n.0)),
        department: params
            .take::<NumericId>("department")?
            .map(|n| DepartmentId(n.0)),
        customer: params
            .take::<NumericId>("customer")?
            .map(|n| CustomerId(n.0)),
        limit: params.take("limit")?.unwrap_or(defaults.limit),
        cursor: params.take_cursor()?,
    };
    params.finish()?;
    let filter = filter.validate().map_err(query_error)?;
    let page = state.app.cases_with_sla(&actor, &filter).await?;
    Ok(Json(Page {
        items: page
            .items
            .into_iter()
            .map(|(case, sla)| CaseItem {
                case,
                deadlines: sla.into(),
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

pub(crate) fn list_query(mut params: QueryParams) -> ApiResult<ListQuery> {
    let defaults = ListQuery::default();
    let query = ListQuery {
        limit: params.take("limit")?.unwrap_or(defaults.limit),
        cursor: params.take_cursor()?,
    };
    params.finish()?;
    query.validate().map_err(query_error)
}

pub async fn get_case(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
) -> ApiResult<Json<CaseView>> {
    let (detail, sla) = state.app.case_with_sla(&actor, id).await?;
    Ok(Json(CaseView::new(detail, sla)))
}

pub async fn update_case(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(update): JsonBody<UpdateCase>,
) -> ApiResult<Json<Case>> {
    Ok(Json(state.app.update_case(&actor, id, update).await?))
}

pub async fn add_message(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(msg): JsonBody<NewMessage>,
) -> ApiResult<Response> {
    let message = state.app.add_message(&actor, id, msg).await?;
    Ok(created(format!("/api/v1/cases/{id}"), message))
}

pub async fn transition(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(t): JsonBody<Transition>,
) -> ApiResult<Json<Case>> {
    Ok(Json(state.app.transition(&actor, id, t).await?))
}

pub async fn assign(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(a): JsonBody<Assign>,
) -> ApiResult<Json<Case>> {
    Ok(Json(state.app.assign(&actor, id, a).await?))
}

pub async fn transfer(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(a): JsonBody<Assign>,
) -> ApiResult<Json<Case>> {
    Ok(Json(state.app.transfer(&actor, id, a).await?))
}

pub async fn set_incident_record(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
    JsonBody(record): JsonBody<IncidentRecordInput>,
) -> ApiResult<Json<IncidentRecord>> {
    Ok(Json(
        state.app.set_incident_record(&actor, id, record).await?,
    ))
}

pub async fn timeline(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(CaseIdParam(id)): IdPath<CaseIdParam>,
) -> ApiResult<Json<Page<Event>>> {
    Ok(Json(whole_list(state.app.timeline(&actor, id).await?)))
}

pub async fn list_customers(
    State(state): State<AppState>,
    Caller(actor): Caller,
    params: QueryParams,
) -> ApiResult<Json<Page<Customer>>> {
    let query = list_query(params)?;
    Ok(Json(state.app.customers(&actor, &query).await?))
}

pub async fn get_customer(
    State(state): State<AppState>,
    Caller(actor): Caller,
    IdPath(NumericId(id)): IdPath<NumericId>,
) -> ApiResult<Json<Customer>> {
    Ok(Json(state.app.customer(&actor, CustomerId(id)).await?))
}

pub async fn list_agents(
    State(state): State<AppState>,
    Caller(actor): Caller,
    params: QueryParams,
) -> ApiResult<Json<Page<Agent>>> {
    let query = list_query(params)?;
    Ok(Json(state.app.agents(&actor, &query).await?))
}

pub async fn create_agent(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(cmd): JsonBody<NewAgent>,
) -> ApiResult<Response> {
    let agent = state.app.create_agent(&actor, cmd).await?;
    Ok(created(format!("/api/v1/agents/{}", agent.id), agent))
}

pub async fn list_departments(
    State(state): State<AppState>,
    Caller(actor): Caller,
    params: QueryParams,
) -> ApiResult<Json<Page<Department>>> {
    params.finish()?;
    Ok(Json(whole_list(state.app.departments(&actor).await?)))
}

/// The categories and causes cases may be filed under, with their labels in six languages.
pub async fn taxonomy(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<domain::Taxonomy>> {
    Ok(Json(state.app.taxonomy(&actor)?.clone()))
}

pub async fn create_department(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(cmd): JsonBody<NewDepartment>,
) -> ApiResult<Response> {
    let department = state.app.create_department(&actor, cmd).await?;
    Ok(created(
        format!("/api/v1/departments/{}", department.id),
        department,
    ))
}

#[derive(Deserialize)]
pub struct NewToken {
    name: String,
    role: Role,
    #[serde(default)]
    agent_id: Option<AgentId>,
}

/// The only answer that ever shows a token's secret.
#[derive(Serialize)]
pub struct IssuedTokenView {
    id: i64,
    name: String,
    role: Role,
    agent_id: Option<AgentId>,
    created_at: Timestamp,
    token: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    JsonBody(cmd): JsonBody<NewToken>,
) -> ApiResult<Response> {
    let issued = state
        .app
        .issue_token_as(&actor, &cmd.name, cmd.role, cmd.agent_id)
        .await?;
    let view = IssuedTokenView {
        id: issued.token.id,
        name: issued.token.name,
        role: issued.token.role,
        agent_id: issued.token.agent_id,
        created_at: issued.token.created_at,
        token: issued.secret.as_str().to_owned(),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// The API's own description; behind a token like every `/api` route.
pub async fn openapi(_caller: Caller) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}
