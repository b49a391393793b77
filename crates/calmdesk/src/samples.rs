//! Sample complaints for `dev seed`, the load benchmark and the end-to-end tests: the store's
//! multilingual generator with one fixed seed, so every run sees the same cases.

use anyhow::Result;
use app::App;
use domain::{Actor, NewCase, Role};
use tokio::task::JoinSet;

/// The generator seed of every sample run.
pub const SEED: u64 = 2026;

/// The first `count` sample cases; languages take turns, about one customer in ten comes back.
pub fn sample_cases(count: usize) -> Vec<NewCase> {
    store::seed::generate(count, SEED)
}

/// Creates `count` sample cases through the use cases (so with events, search rows and the
/// same checks as the API), a few at a time; returns how many were created.
pub async fn seed(app: &App, count: u32) -> Result<u64> {
    const WORKERS: usize = 4;
    let actor = Actor {
        name: "dev seed".to_owned(),
        role: Role::Admin,
        agent_id: None,
    };
    let mut lanes: Vec<Vec<NewCase>> = (0..WORKERS).map(|_| Vec::new()).collect();
    for (index, case) in sample_cases(count as usize).into_iter().enumerate() {
        lanes[index % WORKERS].push(case);
    }
    let mut workers = JoinSet::new();
    for lane in lanes {
        let (app, actor) = (app.clone(), actor.clone());
        workers.spawn(async move {
            let mut created = 0u64;
            for case in lane {
                app.open_case(&actor, case).await?;
                created += 1;
            }
            Ok::<u64, app::AppError>(created)
        });
    }
    let mut created = 0;
    while let Some(result) = workers.join_next().await {
        created += result??;
    }
    Ok(created)
}
