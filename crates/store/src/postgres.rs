//! PostgreSQL backend, for several replicas sharing one database. Writers run in parallel, so
//! case updates check the status they read (see `save_case`).

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, Postgres, Transaction};

use crate::process::process_store;
use crate::search::SearchPage;
use crate::shared::{
    WriteWork, agent_columns, case_columns, customer_columns, department_columns, event_columns,
    message_columns, record_columns, shared_store,
};

/// The statement interface of the shared store code (see `shared`): on PostgreSQL, sqlx itself.
mod sql {
    use domain::StoreError;
    use sqlx::{Postgres, Row};

    pub(crate) use crate::convert::db_error;
    pub(crate) use sqlx::query;

    pub(crate) type Conn = sqlx::PgConnection;
    pub(crate) type DbRow = sqlx::postgres::PgRow;
    pub(crate) type Query =
        sqlx::query::Query<'static, Postgres, <Postgres as sqlx::Database>::Arguments>;
    pub(crate) type Builder = sqlx::QueryBuilder<Postgres>;
    pub(crate) type Reader = sqlx::PgPool;

    pub(crate) fn get<'r, T>(row: &'r DbRow, column: &str) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
    {
        row.try_get(column).map_err(db_error)
    }
}

const MAX_CONNECTIONS: u32 = 16;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects (creating the database if it does not exist yet) and migrates.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse().map_err(|err: sqlx::Error| {
            StoreError::Domain(DomainError::invalid("database_url", err.to_string()))
        })?;
        // Prepared statements would otherwise switch to a generic plan, which cannot tell a rare
        // search token (use the GIN index) from a common one (walk the newest cases): a rare
        // token then costs a scan of every case.
        let options = options.options([("plan_cache_mode", "force_custom_plan")]);
        create_database_if_missing(&options).await?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(db_error)?;
        crate::migrations::migrator(crate::migrations::POSTGRES)
            .run(&pool)
            .await
            .map_err(|err| {
                StoreError::Internal(format!("migrating the PostgreSQL database: {err}"))
            })?;
        Ok(PgStore { pool })
    }

    /// Runs `work` in a transaction of its own: PostgreSQL runs writers in parallel, so there is
    /// nothing to gain from grouping them.
    async fn write<T: Send + 'static>(
        &self,
        work: impl WriteWork<PgConnection, T>,
    ) -> Result<T, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        let done = work(&mut tx).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(done)
    }

    /// PostgreSQL runs writers in parallel: nothing waits behind anything.
    async fn write_as<T: Send + 'static>(
        &self,
        _urgency: Urgency,
        work: impl WriteWork<PgConnection, T>,
    ) -> Result<T, StoreError> {
        self.write(work).await
    }

    async fn read_tx(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_error)
    }

    /// The same as `read_tx`: PostgreSQL reads wait on the network, never on a runtime thread.
    async fn long_read_tx(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.read_tx().await
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

/// PostgreSQL error code for "database does not exist".
const INVALID_CATALOG_NAME: &str = "3D000";

async fn create_database_if_missing(options: &PgConnectOptions) -> Result<(), StoreError> {
    match options.connect().await {
        Ok(conn) => conn.close().await.map_err(db_error),
        Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some(INVALID_CATALOG_NAME) => {
            let name = options.get_database().unwrap_or("postgres").to_owned();
            let mut admin: PgConnection = options
                .clone()
                .database("postgres")
                .connect()
                .await
                .map_err(db_error)?;
            let create = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
            let created = admin.execute(sqlx::AssertSqlSafe(create)).await;
            admin.close().await.map_err(db_error)?;
            match created {
                // Another replica created it first.
                Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("42P04") => Ok(()),
                other => other.map(|_| ()).map_err(db_error),
            }
        }
        Err(err) => Err(db_error(err)),
    }
}

async fn load_search_tokens(conn: &mut Conn, case_id: i64) -> Result<BTreeSet<String>, StoreError> {
    let row = sqlx::query("SELECT tokens FROM case_search WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(match row {
        Some(row) => get::<Vec<String>>(&row, "tokens")?.into_iter().collect(),
        None => BTreeSet::new(),
    })
}

async fn store_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_search (case_id, tokens) VALUES ($1, $2) \
         ON CONFLICT (case_id) DO UPDATE SET tokens = excluded.tokens",
    )
    .bind(case_id)
    .bind(tokens.iter().cloned().collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// An upsert already, so a new case's first document needs nothing else.
async fn insert_search_tokens(
    conn: &mut Conn,
    case_id: i64,
    tokens: &BTreeSet<String>,
) -> Result<(), StoreError> {
    store_search_tokens(conn, case_id, tokens).await
}

fn push_search_condition(query: &mut sql::Builder, tokens: Vec<String>, page: Option<SearchPage>) {
    query
        .push(" AND id IN (SELECT case_id FROM case_search WHERE tokens @> ")
        .push_bind(tokens);
    if let Some(page) = page {
        if let Some(before) = page.before {
            query.push(" AND case_id < ").push_bind(before);
        }
        query
            .push(" ORDER BY case_id DESC LIMIT ")
            .push_bind(page.limit);
    }
    query.push(")");
}

/// Imported rows carry their ids, which identity columns do not see: move every sequence past
/// the largest id so the next generated one is free.
async fn after_import(conn: &mut Conn) -> Result<(), StoreError> {
    for sql in [
        "SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM customers), false)",
        "SELECT setval(pg_get_serial_sequence('departments', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM departments), false)",
        "SELECT setval(pg_get_serial_sequence('agents', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM agents), false)",
        "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM cases), false)",
        "SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM messages), false)",
        "SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM events), false)",
        "SELECT setval(pg_get_serial_sequence('commitments', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM commitments), false)",
        "SELECT setval(pg_get_serial_sequence('notifications', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM notifications), false)",
        "SELECT setval(pg_get_serial_sequence('feedback_requests', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM feedback_requests), false)",
    ] {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

shared_store!(PgStore);
process_store!(PgStore, claim_lock = "FOR UPDATE SKIP LOCKED");
