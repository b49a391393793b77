//! The engine's name is reserved in stored data too: a token that carries it (stored before the
//! name was reserved) is not honoured, so nobody acts as the engine.

use std::sync::Arc;

use domain::{Role, Store, StoreError};
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

testkit::backend_scenarios!(
    open = super::open_with_url;
    a_stored_token_under_the_engine_name_is_not_honoured,
);

async fn open_with_url(url: &str) -> Result<(Arc<dyn Store>, String), StoreError> {
    Ok((store::open(url).await?, url.to_owned()))
}

/// Renames every token to the engine's name behind the store's back, as an older version could
/// have stored it.
async fn name_tokens_like_the_engine(url: &str) {
    let sql = "UPDATE api_tokens SET name = 'Calmdesk'";
    if url.starts_with("postgres") {
        let mut db = PgConnection::connect(url).await.unwrap();
        db.execute(sql).await.unwrap();
    } else {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let mut db = SqliteConnection::connect(&url).await.unwrap();
        db.execute(sql).await.unwrap();
    }
}

async fn a_stored_token_under_the_engine_name_is_not_honoured(
    (store, url): (Arc<dyn Store>, String),
) {
    let now = "2026-03-02T08:00:00Z".parse().unwrap();
    store
        .create_token("Integration", Role::Admin, None, [9; 32], now)
        .await
        .unwrap();
    assert!(store.find_token([9; 32]).await.unwrap().is_some());
    name_tokens_like_the_engine(&url).await;
    assert_eq!(store.find_token([9; 32]).await.unwrap(), None);
}
