//! Sessions of the web application, kept in the database (migration 11): they survive a restart of
//! the server and serve every server process on one database. The store never sees a session's
//! cookie token, only its hash (the caller's: fupin-web hashes with SHA-256); it keeps the session's
//! CSRF token, its user and when it was last used. Times are Unix seconds given by the caller, so
//! that idle expiry is decided in one place and testable.

use crate::accounts::User;
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use fupin_core::access::Role;

/// A stored session as a request finds it: its account (as it is now: role, area, disabled) and
/// its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub user: User,
    pub csrf: String,
    /// When it was last used (Unix seconds), after this lookup.
    pub last_seen: i64,
}

/// How often a session's `last_seen` is written at most: a request within this many seconds of the
/// last write does not write (a session lives `idle` seconds without use, give or take this).
pub const TOUCH_EVERY: i64 = 60;

/// The sessions.
pub trait Sessions: Send + Sync {
    /// Stores a new session, and deletes every session idle since before `now - idle`.
    fn create_session<'a>(
        &'a self,
        token_hash: &'a str,
        user: &'a str,
        csrf: &'a str,
        now: i64,
        idle: i64,
    ) -> BoxFut<'a, ()>;
    /// The session of a token hash, unless it has been idle more than `idle` seconds at `now` (then
    /// it is deleted) or its account is gone. Marks it used at `now` when its last mark is
    /// [`TOUCH_EVERY`] seconds old or more.
    fn session<'a>(
        &'a self,
        token_hash: &'a str,
        now: i64,
        idle: i64,
    ) -> BoxFut<'a, Option<StoredSession>>;
    /// Ends one session (logging out).
    fn end_session<'a>(&'a self, token_hash: &'a str) -> BoxFut<'a, ()>;
    /// Ends every session of a user but `keep` (a changed password); how many ended.
    fn end_sessions_of<'a>(&'a self, user: &'a str, keep: Option<&'a str>) -> BoxFut<'a, u64>;
}

impl Sessions for SqlStore {
    fn create_session<'a>(
        &'a self,
        token_hash: &'a str,
        user: &'a str,
        csrf: &'a str,
        now: i64,
        idle: i64,
    ) -> BoxFut<'a, ()> {
        Box::pin(async move {
            purge(&self.db, now - idle).await?;
            self.db
                .query(
                    "INSERT INTO app_session (token_hash, user_name, csrf, created_at, last_seen) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(token_hash)
                .bind(user)
                .bind(csrf)
                .bind(now)
                .execute(&self.db)
                .await?;
            Ok(())
        })
    }

    fn session<'a>(
        &'a self,
        token_hash: &'a str,
        now: i64,
        idle: i64,
    ) -> BoxFut<'a, Option<StoredSession>> {
        Box::pin(lookup(&self.db, token_hash, now, idle))
    }

    fn end_session<'a>(&'a self, token_hash: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            self.db
                .query("DELETE FROM app_session WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&self.db)
                .await?;
            Ok(())
        })
    }

    fn end_sessions_of<'a>(&'a self, user: &'a str, keep: Option<&'a str>) -> BoxFut<'a, u64> {
        Box::pin(async move {
            Ok(self
                .db
                .query("DELETE FROM app_session WHERE user_name = $1 AND token_hash <> $2")
                .bind(user)
                .bind(keep.unwrap_or(""))
                .execute(&self.db)
                .await?)
        })
    }
}

/// Deletes the sessions idle since before `before`.
async fn purge(db: &Db, before: i64) -> Result<(), StoreError> {
    db.query("DELETE FROM app_session WHERE last_seen < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}

type Row = (String, String, i64, String, String, bool);

async fn lookup(
    db: &Db,
    token_hash: &str,
    now: i64,
    idle: i64,
) -> Result<Option<StoredSession>, StoreError> {
    let rows: Vec<Row> = db
        .query(
            "SELECT s.user_name, s.csrf, s.last_seen, u.role, u.area, u.disabled \
             FROM app_session s JOIN app_user u ON u.name = s.user_name WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_all_as(db)
        .await?;
    let Some((name, csrf, last_seen, role, area, disabled)) = rows.into_iter().next() else {
        return Ok(None);
    };
    if now - last_seen > idle {
        db.query("DELETE FROM app_session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(db)
            .await?;
        return Ok(None);
    }
    let Some(role) = Role::parse(&role) else {
        return Ok(None);
    };
    let last_seen = if now - last_seen >= TOUCH_EVERY {
        // Only the first of several requests at once writes (the others see the new mark).
        db.query("UPDATE app_session SET last_seen = $1 WHERE token_hash = $2 AND last_seen < $1")
            .bind(now)
            .bind(token_hash)
            .execute(db)
            .await?;
        now
    } else {
        last_seen
    };
    Ok(Some(StoredSession {
        user: User {
            name,
            role,
            area,
            password_hash: String::new(),
            disabled,
        },
        csrf,
        last_seen,
    }))
}
