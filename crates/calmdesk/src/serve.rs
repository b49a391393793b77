//! `calmdesk serve`: the HTTP service until SIGINT/SIGTERM, then a graceful stop that lets
//! in-flight requests finish.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::config::Settings;

pub async fn run(settings: &Settings, coach_packs: Option<&Path>) -> Result<()> {
    let app = crate::open_app(settings).await?;
    let coach = Arc::new(crate::coach_cmd::load(coach_packs)?);
    let metrics = web::install_recorder();
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    // Tests and scripts wait for this line (also the way to learn the port of --listen …:0).
    tracing::info!("listening on http://{address}");
    web::serve(
        listener,
        web::router(app, coach, metrics),
        shutdown_signal(),
    )
    .await
    .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
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
