//! Backups (issue 15.10): [`SqlStore::backup_to`] copies a SQLite registry into one file with
//! `VACUUM INTO`, a read transaction that sees one committed state (every write acknowledged before
//! it began, none half-done) while the server goes on writing; [`restore`] puts such a file in
//! place of a SQLite database after checking that it is a fupin database at a known migration
//! version. PostgreSQL is backed up and restored with its own tools ([`PG_DUMP`], [`PG_RESTORE`]):
//! both functions refuse it with the command line to run.

use crate::error::StoreError;
use crate::migrate::MIGRATIONS;
use crate::sql::Db;
use crate::store::SqlStore;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The backup of a PostgreSQL registry (a consistent snapshot while the server writes).
pub const PG_DUMP: &str = "pg_dump --format=custom --file FILE 'postgres://...'";
/// Its restore into an empty database.
pub const PG_RESTORE: &str = "pg_restore --exit-on-error --no-owner --dbname 'postgres://...' FILE";

fn refuse_postgres(what: &str) -> StoreError {
    StoreError::File(format!(
        "PostgreSQL 请用 {what} / on PostgreSQL use {what}: `{}`",
        if what == "pg_dump" {
            PG_DUMP
        } else {
            PG_RESTORE
        }
    ))
}

/// The file of a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> Result<PathBuf, StoreError> {
    if !url.starts_with("sqlite:") {
        return Err(StoreError::Url(url.to_string()));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|_| StoreError::Url(url.to_string()))?;
    Ok(opts.get_filename().to_path_buf())
}

impl SqlStore {
    /// Writes a consistent copy of the database to `out` (SQLite), which must not exist yet.
    /// Returns the number of households in the copy.
    pub async fn backup_to(&self, out: &Path) -> Result<i64, StoreError> {
        let Db::Sqlite(..) = &self.db else {
            return Err(refuse_postgres("pg_dump"));
        };
        if out.exists() {
            return Err(StoreError::File(format!(
                "{} 已存在,不覆盖 / already exists, not overwritten",
                out.display()
            )));
        }
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        conn.query("VACUUM INTO $1")
            .bind(out.display().to_string())
            .execute(&mut conn)
            .await?;
        drop(pooled);
        let copy = check_backup(out).await?;
        Ok(copy.households)
    }
}

/// What a backup file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupInfo {
    /// The last migration applied to it.
    pub version: i64,
    pub households: i64,
}

/// Checks that `file` is an intact fupin database at a migration version this build knows.
pub async fn check_backup(file: &Path) -> Result<BackupInfo, StoreError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let not_fupin = |why: &str| {
        StoreError::File(format!(
            "{} 不是 fupin 数据库的备份 / is not a backup of a fupin database: {why}",
            file.display()
        ))
    };
    if !file.is_file() {
        return Err(not_fupin("no such file"));
    }
    let opts = SqliteConnectOptions::new().filename(file).read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| not_fupin(&e.to_string()))?;
    let db = Db::sqlite(pool);
    let integrity: Option<String> = db
        .query("PRAGMA integrity_check")
        .scalar(&db)
        .await
        .map_err(|e| not_fupin(&e.to_string()))?;
    if integrity.as_deref() != Some("ok") {
        return Err(not_fupin(&format!("integrity check: {integrity:?}")));
    }
    let version: Option<i64> = db
        .query("SELECT MAX(version) FROM schema_migrations")
        .scalar::<Option<i64>>(&db)
        .await
        .map_err(|_| not_fupin("no schema_migrations table"))?
        .flatten();
    let latest = MIGRATIONS.last().map_or(0, |m| m.0);
    let version = match version {
        Some(v) if (1..=latest).contains(&v) => v,
        Some(v) => {
            return Err(not_fupin(&format!(
                "migration version {v}, this fupin knows 1 to {latest} (a newer fupin wrote it)"
            )))
        }
        None => return Err(not_fupin("no migration recorded")),
    };
    let households: Option<i64> = db
        .query("SELECT COUNT(*) FROM household")
        .scalar(&db)
        .await
        .map_err(|_| not_fupin("no household table"))?;
    if let Db::Sqlite(p, _) = db {
        p.close().await;
    }
    Ok(BackupInfo {
        version,
        households: households.unwrap_or(0),
    })
}

/// Whether the SQLite file at `path` holds any table.
async fn has_tables(path: &Path) -> Result<bool, StoreError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(false);
    }
    let opts = SqliteConnectOptions::new().filename(path).read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    let db = Db::sqlite(pool.clone());
    let n: Option<i64> = db
        .query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        .scalar(&db)
        .await?;
    pool.close().await;
    Ok(n.unwrap_or(0) > 0)
}

/// Restores the backup `from` as the SQLite database of `url`. Refuses a target that exists and
/// holds tables unless `force` (stop the server first: the file is replaced under it). The copy is
/// written beside the target and renamed over it, and the target's old `-wal`/`-shm` files are
/// removed, so a failed restore leaves the target as it was. Then opens the restored database
/// (migrating it to this build's version). Returns what the backup held.
pub async fn restore(from: &Path, url: &str, force: bool) -> Result<BackupInfo, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(refuse_postgres("pg_restore"));
    }
    let target = sqlite_path(url)?;
    let info = check_backup(from).await?;
    if !force && has_tables(&target).await? {
        return Err(StoreError::File(format!(
            "{} 不是空数据库;确认覆盖请加 --force / is not an empty database: add --force to replace it",
            target.display()
        )));
    }
    let mut tmp = target.clone().into_os_string();
    tmp.push(".restoring");
    let tmp = PathBuf::from(tmp);
    std::fs::copy(from, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&tmp, &target)?;
    let store = SqlStore::open(url).await?;
    if let Db::Sqlite(p, _) = store.db() {
        p.close().await;
    }
    Ok(info)
}
