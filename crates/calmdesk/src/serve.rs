//! `calmdesk serve`: the HTTP service and the process engine's job runner until SIGINT/SIGTERM,
//! then a graceful stop that lets in-flight requests finish and then the runner's current job.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::config::Settings;

pub async fn run(settings: &Settings, coach_packs: Option<&Path>) -> Result<()> {
    let (app, engine) = crate::open_app_and_engine(settings).await?;
    let coach = Arc::new(crate::coach_cmd::load(coach_packs, text::Lang::En)?);
    let metrics = web::install_recorder();
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    let worker = worker_name(address);
    let (runner, stop_runner) = engine.spawn(worker.clone());
    tracing::info!(%worker, "process engine running");
    // Tests and scripts wait for this line (also the way to learn the port of --listen …:0).
    tracing::info!("listening on http://{address}");
    let served = web::serve(
        listener,
        web::router(app, coach, metrics),
        shutdown_signal(),
    )
    .await
    .context("serving HTTP");
    // Requests are done; the runner finishes the job in hand (an unfinished one would wait for
    // its lease to run out before another process takes it over).
    stop_runner.stop();
    runner.await.context("the process engine's runner failed")?;
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Names this process in the jobs it claims and in `job_runs`: replicas on one database must
/// differ, and an operator should recognise the process (its address and process id).
fn worker_name(address: std::net::SocketAddr) -> String {
    format!("{address}/{}", std::process::id())
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
