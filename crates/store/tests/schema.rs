//! The two migration sets must describe the same schema: same tables, columns, types (up to the
//! dialects' names), nullability, foreign keys and indexes. The search index is the one
//! intended difference (FTS5 table vs. GIN-indexed token array) and is compared by presence only.

use std::collections::BTreeSet;

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

type Columns = BTreeSet<(String, String, String, bool)>;
type Links = BTreeSet<(String, String, String)>;

fn canonical_type(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer",
        "text" => "text",
        "boolean" => "boolean",
        "blob" | "bytea" => "bytes",
        "array" => "array",
        other => panic!("unexpected column type {other}"),
    }
    .to_owned()
}

fn compared(table: &str) -> bool {
    !table.starts_with("sqlite_")
        && !table.starts_with("_sqlx")
        && !table.starts_with("case_search")
}

async fn sqlite_schema(url: &str) -> (Columns, Links, BTreeSet<String>, BTreeSet<String>) {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{url}"))
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT m.name AS t, p.name AS c, p.type AS ty, p.\"notnull\" AS nn, p.pk AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut columns = Columns::new();
    let mut tables = BTreeSet::new();
    for row in rows {
        let table: String = row.get("t");
        tables.insert(table.clone());
        if compared(&table) {
            let not_null = row.get::<i64, _>("nn") == 1 || row.get::<i64, _>("pk") > 0;
            columns.insert((table, row.get("c"), canonical_type(row.get("ty")), not_null));
        }
    }
    let links = sqlx::query(
        "SELECT m.name AS t, f.\"from\" AS c, f.\"table\" AS r FROM sqlite_master m \
         JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.get("t"), row.get("c"), row.get("r")))
    .filter(|(table, _, _): &(String, String, String)| compared(table))
    .collect();
    let indexes = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.get::<String, _>("name"))
    .collect();
    (columns, links, indexes, tables)
}

async fn postgres_schema(url: &str) -> (Columns, Links, BTreeSet<String>, BTreeSet<String>) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, \
         is_nullable::text AS nullable FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut columns = Columns::new();
    let mut tables = BTreeSet::new();
    for row in rows {
        let table: String = row.get("t");
        tables.insert(table.clone());
        if compared(&table) {
            let not_null = row.get::<String, _>("nullable") == "NO";
            columns.insert((table, row.get("c"), canonical_type(row.get("ty")), not_null));
        }
    }
    let links = sqlx::query(
        "SELECT cl.relname::text AS t, a.attname::text AS c, rt.relname::text AS r \
         FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid \
         JOIN pg_class rt ON rt.oid = k.confrelid \
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
         WHERE k.contype = 'f'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| (row.get("t"), row.get("c"), row.get("r")))
    .filter(|(table, _, _): &(String, String, String)| compared(table))
    .collect();
    // Primary keys and UNIQUE constraints have implicit indexes on both sides.
    let indexes = sqlx::query(
        "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.get::<String, _>("name"))
    .collect();
    (columns, links, indexes, tables)
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    if !testkit::postgres_wanted() {
        eprintln!("CALMDESK_SKIP_PG=1: schema comparison skipped");
        return;
    }
    let sqlite = testkit::TempSqlite::new();
    store::open(&sqlite.url()).await.unwrap();
    let (lite_columns, lite_links, lite_indexes, lite_tables) = sqlite_schema(&sqlite.url()).await;

    testkit::with_postgres(|url| async move {
        store::open(&url).await.unwrap();
        let (pg_columns, pg_links, pg_indexes, pg_tables) = postgres_schema(&url).await;
        assert!(
            lite_columns.len() > 40,
            "the introspection found the schema"
        );
        assert_eq!(lite_columns, pg_columns, "columns differ");
        assert_eq!(lite_links, pg_links, "foreign keys differ");
        let search_index = |names: &BTreeSet<String>| -> BTreeSet<String> {
            names
                .iter()
                .filter(|n| !n.starts_with("case_search"))
                .cloned()
                .collect()
        };
        assert_eq!(
            search_index(&lite_indexes),
            search_index(&pg_indexes),
            "indexes differ"
        );
        assert!(lite_tables.contains("case_search") && pg_tables.contains("case_search"));
    })
    .await;
}
