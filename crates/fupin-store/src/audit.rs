//! The audit log's entries for the web application's writes (accounts, pairings, applications):
//! who did what to which entity, with the record after the change.

use crate::error::StoreError;
use crate::sql::Conn;
use chrono::Utc;

/// What an entry is about: entity (`user`, `pairing`, `application`), its key, and the action.
pub(crate) struct Entry<'a> {
    pub county: &'a str,
    pub entity: &'a str,
    pub key: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
}

/// Appends one entry inside the writer's transaction.
pub(crate) async fn record(
    conn: &mut Conn<'_>,
    e: Entry<'_>,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    conn.query(
        "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, \
         before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7)",
    )
    .bind(e.county)
    .bind(e.entity)
    .bind(e.key)
    .bind(e.action)
    .bind(e.actor)
    .bind(Utc::now())
    .bind(sqlx::types::Json(after))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Chains the audit entries not yet chained (placeholder).
pub(crate) async fn seal(_conn: &mut Conn<'_>) -> Result<(), StoreError> {
    Ok(())
}

/// Whether any audit entry is waiting to be chained (placeholder).
pub(crate) async fn unsealed(_db: &crate::sql::Db) -> Result<bool, StoreError> {
    Ok(false)
}
