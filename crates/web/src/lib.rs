//! Calmdesk's HTTP service: the `/api/v1` JSON API (bearer tokens, problem+json errors, OpenAPI),
//! the customers' feedback pages `/feedback/{secret}` (no account), and the operations endpoints
//! `/healthz`, `/readyz` and `/metrics`.

mod api;
mod coach_api;
mod extract;
mod feedback;
mod metrics;
mod openapi;
mod problem;
mod process_api;

use std::future::Future;
use std::sync::Arc;

use app::App;
use axum::extract::{DefaultBodyLimit, State};
use axum::handler::Handler;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use extract::BODY_LIMIT;
pub use metrics::install_recorder;
pub use metrics_exporter_prometheus::PrometheusHandle;
pub use problem::PROBLEM_JSON;

use crate::problem::ApiError;

#[derive(Clone)]
pub struct AppState {
    app: App,
    coach: Arc<coach::Coach>,
    metrics: PrometheusHandle,
}

/// Collects the router and the list of (method, path) it serves, so the OpenAPI test can check
/// that the document describes exactly what is routed.
struct Routes {
    router: Router<AppState>,
    registered: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .expect("routes use the standard methods axum filters on");
        self.router = self.router.route(path, on(filter, handler));
        self.registered.push((method, path));
        self
    }
}

fn routes() -> Routes {
    use Method as M;
    let routes = Routes {
        router: Router::new(),
        registered: Vec::new(),
    };
    routes
        .add(M::GET, "/healthz", healthz)
        .add(M::GET, "/readyz", readyz)
        .add(M::GET, "/metrics", metrics::render)
        .add(M::GET, "/api/v1/openapi.json", api::openapi)
        .add(M::POST, "/api/v1/cases", api::create_case)
        .add(M::GET, "/api/v1/cases", api::list_cases)
        .add(M::GET, "/api/v1/cases/{id}", api::get_case)
        .add(M::PATCH, "/api/v1/cases/{id}", api::update_case)
        .add(M::POST, "/api/v1/cases/{id}/messages", api::add_message)
        .add(M::POST, "/api/v1/cases/{id}/transitions", api::transition)
        .add(M::PUT, "/api/v1/cases/{id}/assignment", api::assign)
        .add(M::POST, "/api/v1/cases/{id}/transfers", api::transfer)
        .add(
            M::PUT,
            "/api/v1/cases/{id}/incident-record",
            api::set_incident_record,
        )
        .add(
            M::GET,
            "/api/v1/cases/{id}/incident-record",
            process_api::incident_document,
        )
        .add(M::GET, "/api/v1/cases/{id}/timeline", api::timeline)
        .add(
            M::GET,
            "/api/v1/cases/{id}/commitments",
            process_api::list_commitments,
        )
        .add(
            M::POST,
            "/api/v1/cases/{id}/commitments",
            process_api::add_commitment,
        )
        .add(
            M::POST,
            "/api/v1/commitments/{id}/fulfil",
            process_api::fulfil_commitment,
        )
        .add(
            M::POST,
            "/api/v1/commitments/{id}/cancel",
            process_api::cancel_commitment,
        )
        .add(
            M::POST,
            "/api/v1/cases/{id}/delay-notices/{notification_id}/send",
            process_api::send_delay_notice,
        )
        .add(
            M::GET,
            "/api/v1/notifications",
            process_api::list_notifications,
        )
        .add(M::GET, "/api/v1/reports", process_api::report)
        .add(
            M::GET,
            "/api/v1/preventive-actions",
            process_api::list_actions,
        )
        .add(
            M::POST,
            "/api/v1/preventive-actions",
            process_api::create_action,
        )
        .add(
            M::PATCH,
            "/api/v1/preventive-actions/{id}",
            process_api::update_action,
        )
        .add(M::GET, "/api/v1/admin/job-runs", process_api::job_runs)
        .add(M::GET, "/feedback/{secret}", feedback::show)
        .add(M::POST, "/feedback/{secret}", feedback::answer)
        .add(M::GET, "/api/v1/customers", api::list_customers)
        .add(M::GET, "/api/v1/customers/{id}", api::get_customer)
        .add(M::GET, "/api/v1/agents", api::list_agents)
        .add(M::POST, "/api/v1/agents", api::create_agent)
        .add(M::GET, "/api/v1/departments", api::list_departments)
        .add(M::POST, "/api/v1/departments", api::create_department)
        .add(M::POST, "/api/v1/tokens", api::create_token)
        .add(M::GET, "/api/v1/taxonomy", api::taxonomy)
        .add(M::POST, "/api/v1/coach/analyze", coach_api::analyze)
        .add(M::POST, "/api/v1/coach/lint", coach_api::lint)
}

/// The whole service for one [`App`] and its coach. `metrics` is the handle of the installed
/// Prometheus recorder.
pub fn router(app: App, coach: Arc<coach::Coach>, metrics: PrometheusHandle) -> Router {
    let state = AppState {
        app,
        coach,
        metrics,
    };
    routes()
        .router
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(problem::localize))
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` completes, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.app.ping().await?;
    Ok(Json(json!({"status": "ready"})))
}

async fn unknown_route(uri: Uri) -> Response {
    ApiError::UnknownRoute {
        path: uri.path().to_owned(),
    }
    .into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}
