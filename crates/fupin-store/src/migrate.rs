//! The one versioned migration runner: every table of the store, in order. A migration runs once,
//! in a transaction of its own, and is recorded in `schema_migrations` (version and name).
//!
//! Every migration is one file in `migrations/common/`, written once for both backends. Where the
//! backends' SQL differs, the file holds a `{token}` that [`sql`] replaces with the backend's text:
//!
//! | token              | SQLite                           | PostgreSQL                               |
//! |--------------------|----------------------------------|------------------------------------------|
//! | `{date}`           | `TEXT`                           | `DATE`                                   |
//! | `{timestamp}`      | `TEXT`                           | `TIMESTAMPTZ`                            |
//! | `{json}`           | `TEXT`                           | `JSONB`                                  |
//! | `{serial_id}`      | `INTEGER NOT NULL PRIMARY KEY`   | `BIGSERIAL NOT NULL`                     |
//! | `{serial_key}`     | nothing (the rowid is the key)   | `,` new line, `PRIMARY KEY (county, id)` |
//! | `{without_rowid}`  | ` WITHOUT ROWID`                 | nothing                                  |
//! | `{string_agg}`     | `group_concat`                   | `string_agg`                             |
//! | `{bool_text(E)}`   | `CAST(E AS TEXT)`                | `CASE WHEN E THEN '1' ELSE '0' END`      |
//! | `{sqlite(S)}`      | `S`                              | nothing                                  |
//! | `{postgres(S)}`    | nothing                          | `S`                                      |
//!
//! `{serial_id}` types a table's `id` column; `{serial_key}` follows the table's last column (before
//! its comma, if any) and gives PostgreSQL the county-first key. `{sqlite(S)}` and `{postgres(S)}`
//! hold text (statements, or part of one) for one backend only; `S` may not contain `}`. Any other
//! `{` is left as it is.

use crate::error::StoreError;
use crate::sql::{Backend, Db};

/// A migration: version, name, SQL (with the dialect tokens above).
pub type Migration = (i64, &'static str, &'static str);

/// Every migration, in order. Versions and names never change: a database records them.
pub const MIGRATIONS: &[Migration] = &[
    (
        1,
        "registry",
        include_str!("../migrations/common/0001_registry.sql"),
    ),
    (
        2,
        "member_owner_index",
        include_str!("../migrations/common/0002_member_owner_index.sql"),
    ),
    (
        3,
        "household_fingerprint",
        include_str!("../migrations/common/0003_household_fingerprint.sql"),
    ),
    (
        4,
        "rollups",
        include_str!("../migrations/common/0004_rollups.sql"),
    ),
    (
        5,
        "status_indexes",
        include_str!("../migrations/common/0005_status_indexes.sql"),
    ),
    (
        6,
        "directory",
        include_str!("../migrations/common/0006_directory.sql"),
    ),
    (
        7,
        "audit_chain",
        include_str!("../migrations/common/0007_audit_chain.sql"),
    ),
    (
        9,
        "proposals",
        include_str!("../migrations/common/0009_proposals.sql"),
    ),
    (
        10,
        "member_search",
        include_str!("../migrations/common/0010_member_search.sql"),
    ),
    (
        11,
        "sessions",
        include_str!("../migrations/common/0011_sessions.sql"),
    ),
    (
        12,
        "responsibility",
        include_str!("../migrations/common/0012_responsibility.sql"),
    ),
    (
        13,
        "assistance",
        include_str!("../migrations/common/0013_assistance.sql"),
    ),
    (
        14,
        "monitoring",
        include_str!("../migrations/common/0014_monitoring.sql"),
    ),
    (
        15,
        "funds",
        include_str!("../migrations/common/0015_funds.sql"),
    ),
    (
        16,
        "pairing_by_household",
        include_str!("../migrations/common/0016_pairing_by_household.sql"),
    ),
    (
        17,
        "member_by_birth",
        include_str!("../migrations/common/0017_member_by_birth.sql"),
    ),
    (
        18,
        "fingerprint_kept",
        include_str!("../migrations/common/0018_fingerprint_kept.sql"),
    ),
    (
        19,
        "audit_json",
        include_str!("../migrations/common/0019_audit_json.sql"),
    ),
];

/// The SQL that migration `version` runs on `backend` (its tokens replaced); `None` for no such
/// version.
pub fn sql(backend: Backend, version: i64) -> Option<String> {
    MIGRATIONS
        .iter()
        .find(|(v, _, _)| *v == version)
        .map(|(_, _, text)| substitute(backend, text))
}

/// Replaces every dialect token of `text` with the backend's SQL.
fn substitute(backend: Backend, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match token(backend, after) {
            Some((replacement, len)) => {
                out.push_str(&replacement);
                rest = &after[len..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The backend's SQL for the token that `after` (the text after a `{`) starts with, and the length
/// of the token with its closing `}`; `None` when no token starts there.
fn token(backend: Backend, after: &str) -> Option<(String, usize)> {
    let end = after.find('}')?;
    let name = &after[..end];
    let pick = |sqlite: &str, postgres: &str| match backend {
        Backend::Sqlite => sqlite.to_string(),
        Backend::Postgres => postgres.to_string(),
    };
    let replacement = match name {
        "date" => pick("TEXT", "DATE"),
        "timestamp" => pick("TEXT", "TIMESTAMPTZ"),
        "json" => pick("TEXT", "JSONB"),
        "serial_id" => pick("INTEGER NOT NULL PRIMARY KEY", "BIGSERIAL NOT NULL"),
        "serial_key" => pick("", ",\n    PRIMARY KEY (county, id)"),
        "without_rowid" => pick(" WITHOUT ROWID", ""),
        "string_agg" => pick("group_concat", "string_agg"),
        _ => {
            let (which, inner) = name.split_once('(')?;
            let inner = inner.strip_suffix(')')?;
            match (which, backend) {
                ("bool_text", Backend::Sqlite) => format!("CAST({inner} AS TEXT)"),
                ("bool_text", Backend::Postgres) => {
                    format!("CASE WHEN {inner} THEN '1' ELSE '0' END")
                }
                ("sqlite", Backend::Sqlite) | ("postgres", Backend::Postgres) => inner.to_string(),
                ("sqlite" | "postgres", _) => String::new(),
                _ => return None,
            }
        }
    };
    Some((replacement, end + 1))
}

/// Runs the migrations that have not run on the database yet.
pub async fn run(db: &Db) -> Result<(), StoreError> {
    let backend = db.backend();
    db.raw(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)",
    )
    .await?;
    // Read first, outside any write transaction: a database that is up to date is opened without
    // taking the write lock (a read-only command never waits behind a long import).
    let applied: Vec<i64> = db
        .query("SELECT version FROM schema_migrations")
        .fetch_all_scalar(db)
        .await?;
    for (version, name, text) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let mut tx = db.begin().await?;
        let done: Option<i64> = tx
            .query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(version)
            .scalar(&mut tx)
            .await?;
        if done.is_none() {
            tx.conn()
                .raw(&substitute(backend, text))
                .await
                .map_err(|e| StoreError::Migration(format!("{version} {name}: {e}")))?;
            tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
                .bind(version)
                .bind(*name)
                .execute(&mut tx)
                .await?;
        }
        tx.commit_unsealed().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statements of a migration: its text without its comment lines.
    fn statements(text: &str) -> String {
        let lines: Vec<&str> = text
            .split('\n')
            .filter(|line| !line.trim_start().starts_with("--"))
            .collect();
        lines.join("\n")
    }

    /// FNV-1a (64 bits) of the statements of a migration.
    fn digest(text: &str) -> u64 {
        statements(text)
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    }

    /// Each backend runs, byte for byte apart from comments, the SQL of the per-backend files it ran
    /// before they were merged into `migrations/common/` (`migrations/{sqlite,postgres}/` at commit
    /// 047652b): the digests below are of those files. A database that applied them has the same
    /// schema as a new one. Later migrations (from 10) are pinned to the SQL they were written with.
    #[test]
    fn each_backend_runs_the_sql_it_ran_before_the_files_were_merged() {
        let before: [(i64, u64, u64); 18] = [
            (1, 0x61bc_c92d_c0b3_1a5a, 0x8a4d_20a7_7f69_8c33),
            (2, 0x3c4c_2559_3f65_3aa5, 0x3c4c_2559_3f65_3aa5),
            (3, 0xbbd1_1205_3c94_ef71, 0xbbd1_1205_3c94_ef71),
            (4, 0x2f05_43ba_3202_481f, 0xbce6_8e2b_342d_5796),
            (5, 0x039b_e3dd_c034_6011, 0x039b_e3dd_c034_6011),
            (6, 0xb433_c79e_be2b_04db, 0xb433_c79e_be2b_04db),
            // Written after the merge (the same on both backends): its digest pins it.
            (7, 0x9c94_08a1_69de_5c47, 0x9c94_08a1_69de_5c47),
            // Added after the merge: the text as it was first released.
            (9, 0x2f01_d337_3801_472c, 0x2f01_d337_3801_472c),
            (10, 0x6049_5fca_2653_673e, 0x870a_e8e4_a5b4_cd2c),
            (11, 0xb409_9ef9_748c_22c0, 0xb409_9ef9_748c_22c0),
            (12, 0x72e2_3245_80fe_4933, 0x72e2_3245_80fe_4933),
            (13, 0xcdb0_6f44_f012_b670, 0x26fc_f1b6_0414_92d7),
            (14, 0x5480_5e13_c8f0_65e5, 0xe910_2076_4a5e_e633),
            (15, 0xef2d_7c38_186e_af0b, 0xef2d_7c38_186e_af0b),
            (16, 0xccc9_db47_5335_601f, 0xccc9_db47_5335_601f),
            (17, 0xcd7a_fcae_80ed_3a70, 0xcd7a_fcae_80ed_3a70),
            (18, 0xa465_b3f6_d7ca_e0f1, 0xb944_54a7_cdc1_c0e0),
            (19, 0xed22_55c7_253d_5a7b, 0x3c61_3f9a_ae2b_483c),
        ];
        assert_eq!(MIGRATIONS.len(), before.len());
        for (version, sqlite, postgres) in before {
            for (backend, expected) in [(Backend::Sqlite, sqlite), (Backend::Postgres, postgres)] {
                let text = sql(backend, version).unwrap();
                assert_eq!(
                    digest(&text),
                    expected,
                    "migration {version} on {backend:?}:\n{text}"
                );
            }
        }
    }

    #[test]
    fn every_token_is_replaced() {
        for (version, _, _) in MIGRATIONS {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let text = statements(&sql(backend, *version).unwrap());
                assert!(
                    !text.contains('{'),
                    "migration {version} on {backend:?}:\n{text}"
                );
            }
        }
        assert_eq!(sql(Backend::Sqlite, 99), None);
    }

    #[test]
    fn tokens_become_each_backends_sql() {
        let text = "x {date} {bool_text(m.a)} {unknown} {bool_text m} { {serial_key}";
        assert_eq!(
            substitute(Backend::Sqlite, text),
            "x TEXT CAST(m.a AS TEXT) {unknown} {bool_text m} { "
        );
        assert_eq!(
            substitute(Backend::Postgres, text),
            "x DATE CASE WHEN m.a THEN '1' ELSE '0' END {unknown} {bool_text m} { ,\n    PRIMARY KEY (county, id)"
        );
        let text = "a{sqlite(S;\nT(x))}b{postgres( p)}c{other(q)}";
        assert_eq!(substitute(Backend::Sqlite, text), "aS;\nT(x)bc{other(q)}");
        assert_eq!(substitute(Backend::Postgres, text), "ab pc{other(q)}");
    }
}
