//! [`SqlStore`]: the store on one database (one pool, one migration runner). Every kind of data's
//! trait (the registry's [`crate::Repository`], accounts, applications, areas, lists, and each new
//! capability's) is implemented on it, in that kind's own module, with the SQL written once over
//! [`crate::sql`].

use crate::error::StoreError;
use crate::sql::{Backend, Db};
use std::str::FromStr;

/// The store on one SQLite file or PostgreSQL database.
pub struct SqlStore {
    pub(crate) db: Db,
}

impl SqlStore {
    /// Opens (creating and migrating) the database at `url`: `sqlite:PATH` or `postgres://...`.
    pub async fn open(url: &str) -> Result<SqlStore, StoreError> {
        Self::open_in(url, None).await
    }

    /// Opens a PostgreSQL database in a schema of its own, dropped and created anew (for tests that
    /// run side by side on one server); SQLite URLs ignore `schema`.
    pub async fn open_in(url: &str, schema: Option<&str>) -> Result<SqlStore, StoreError> {
        let db = if url.starts_with("sqlite:") {
            Db::sqlite(open_sqlite(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::Pg(open_postgres(url, schema, true).await?)
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        crate::migrate::run(&db).await?;
        let store = SqlStore { db };
        store.catch_up().await?;
        Ok(store)
    }

    /// What a write left for later: roll-ups still marked dirty (an import with `defer_rollups`
    /// that stopped before its refresh) are refreshed, and audit entries not yet chained (those of
    /// a database from before migration 7) are sealed. Reads never write, so this is where a
    /// dashboard's stale roll-ups catch up; it takes the write lock only when there is work.
    pub async fn catch_up(&self) -> Result<(), StoreError> {
        let dirty: Option<String> = self
            .db
            .query("SELECT area FROM rollup_dirty LIMIT 1")
            .scalar(&self.db)
            .await?;
        let unsealed = crate::audit::unsealed(&self.db).await?;
        if dirty.is_none() && !unsealed {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        crate::rollup::refresh(&mut tx.conn()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a PostgreSQL database in an existing schema, as it is (not dropped): a second store on
    /// the schema a test opened with [`SqlStore::open_in`].
    pub async fn open_existing_schema(url: &str, schema: &str) -> Result<SqlStore, StoreError> {
        let db = Db::Pg(open_postgres(url, Some(schema), false).await?);
        crate::migrate::run(&db).await?;
        let store = SqlStore { db };
        store.catch_up().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The pool, for the whole-registry scan and bulk loads.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// SQLite's page cache of each connection: 128 MiB (in KiB, negative as the pragma takes it).
pub(crate) const CACHE_SIZE: &str = "-131072";

/// The embedded default: one SQLite file, WAL journal, foreign keys on, and a busy timeout on
/// every connection (another process's write transaction is waited for, not an error).
async fn open_sqlite(url: &str) -> Result<sqlx::SqlitePool, StoreError> {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|_| StoreError::Url(url.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // A county's registry is about a gigabyte: read it through memory maps and a larger cache.
        .pragma("mmap_size", "4294967296")
        .pragma("cache_size", CACHE_SIZE)
        .busy_timeout(crate::sql::BUSY_TIMEOUT);
    Ok(SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?)
}

/// PostgreSQL, for a province or the nation; with `schema`, in that schema (dropped and created
/// anew when `fresh`).
async fn open_postgres(
    url: &str,
    schema: Option<&str>,
    fresh: bool,
) -> Result<sqlx::PgPool, StoreError> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    let mut opts = PgConnectOptions::from_str(url).map_err(|_| StoreError::Url(url.to_string()))?;
    if let Some(schema) = schema {
        if !schema
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(StoreError::Url(format!("{url} (schema {schema})")));
        }
        if fresh {
            let setup = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await?;
            sqlx::raw_sql(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .execute(&setup)
            .await?;
            setup.close().await;
        }
        opts = opts.options([("search_path", schema)]);
    }
    Ok(PgPoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?)
}
