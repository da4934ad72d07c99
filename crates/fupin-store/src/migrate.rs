//! The one versioned migration runner: every table of the store, per backend, in order (a migration
//! whose SQL is the same on both backends is one file in `migrations/common/`). A
//! migration runs once, in a transaction of its own, and is recorded in `schema_migrations`.

use crate::error::StoreError;
use crate::sql::{Backend, Db};

/// A migration: version, name, SQL.
pub type Migration = (i64, &'static str, &'static str);

pub const SQLITE: &[Migration] = &[
    (
        1,
        "registry",
        include_str!("../migrations/sqlite/0001_registry.sql"),
    ),
    (
        2,
        "member_owner_index",
        include_str!("../migrations/sqlite/0002_member_owner_index.sql"),
    ),
    (
        3,
        "household_fingerprint",
        include_str!("../migrations/sqlite/0003_household_fingerprint.sql"),
    ),
    (
        4,
        "rollups",
        include_str!("../migrations/sqlite/0004_rollups.sql"),
    ),
    (
        5,
        "status_indexes",
        include_str!("../migrations/sqlite/0005_status_indexes.sql"),
    ),
    (
        6,
        "directory",
        include_str!("../migrations/common/0006_directory.sql"),
    ),
];

pub const POSTGRES: &[Migration] = &[
    (
        1,
        "registry",
        include_str!("../migrations/postgres/0001_registry.sql"),
    ),
    (
        2,
        "member_owner_index",
        include_str!("../migrations/postgres/0002_member_owner_index.sql"),
    ),
    (
        3,
        "household_fingerprint",
        include_str!("../migrations/postgres/0003_household_fingerprint.sql"),
    ),
    (
        4,
        "rollups",
        include_str!("../migrations/postgres/0004_rollups.sql"),
    ),
    (
        5,
        "status_indexes",
        include_str!("../migrations/postgres/0005_status_indexes.sql"),
    ),
    (
        6,
        "directory",
        include_str!("../migrations/common/0006_directory.sql"),
    ),
];

/// Runs the migrations of the database's backend that have not run yet.
pub async fn run(db: &Db) -> Result<(), StoreError> {
    let list = match db.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    db.raw(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
    )
    .await?;
    for (version, name, sql) in list {
        let mut tx = db.begin().await?;
        let done: Option<i64> = tx
            .query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(version)
            .scalar(&mut tx)
            .await?;
        if done.is_none() {
            tx.conn()
                .raw(sql)
                .await
                .map_err(|e| StoreError::Migration(format!("{version} {name}: {e}")))?;
            tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
                .bind(version)
                .bind(*name)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
