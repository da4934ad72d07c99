//! The audit log: the entries of the web application's writes (accounts, pairings, applications:
//! who did what to which entity, with the record after the change), and the chain that makes the
//! whole log tamper-evident (issue 15.4, migration 7).
//!
//! **The chain.** Every entry gets its place `seq` (1, 2, ...) and `hash` = SHA-256 of the previous
//! entry's hash, a new line, and the entry's canonical content ([`canonical`]: id, seq, county,
//! entity, key, action, actor, time, effective date, before, after, state, as one JSON array).
//! [`seal`] chains a write transaction's entries just before it commits ([`crate::sql::Tx::commit`]),
//! holding the chain's head (`audit_head`, locked on PostgreSQL; SQLite has one writer), so the
//! chain follows the order of the commits. A household's entry carries `state`, the household's
//! fingerprint as the write left it ([`fupin_core::registry::HouseholdRecord::fingerprint`]).
//!
//! [`SqlStore::verify_audit`] walks the chain and reports the first broken link (an entry changed:
//! its content no longer gives its hash; entries deleted: a gap in `seq`, or the head ahead of the
//! last entry; an entry not chained: written outside fupin), and every household whose stored row,
//! members and income no longer give the fingerprint of its last audited state.
//!
//! Limits: an entry inserted directly (with no hash) is chained by the next write of fupin, so only
//! a verify before that write reports it; whoever can rewrite the whole log and its head consistently
//! (knowing this scheme) is not stopped — keep a copy of the head (`fupin audit verify` prints it)
//! elsewhere to catch that.

use crate::error::StoreError;
use crate::sql::{values, Backend, Conn, Db, Row};
use crate::store::SqlStore;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

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

/// How many entries one statement seals or one page of the verify reads.
const PAGE: i64 = 500;

/// The columns of an entry that its hash covers (after `id`), in [`canonical`]'s order.
const CONTENT: &str = "id, county, entity, entity_key, action, actor, at, effective_date, \
                       before_json, after_json, state";

/// One entry as the chain reads it.
struct Link {
    id: i64,
    county: String,
    content: String,
}

/// The entry of `r` (selected with [`CONTENT`]) at place `seq`: its canonical content.
fn canonical(r: &Row, seq: i64) -> Result<Link, StoreError> {
    use sqlx::types::Json;
    let id: i64 = r.try_get("id")?;
    let county: String = r.try_get("county")?;
    let at: DateTime<Utc> = r.try_get("at")?;
    let effective: Option<NaiveDate> = r.try_get("effective_date")?;
    // Parsed and written again: the canonical text is the value's, keys in order, whatever text
    // the database kept (PostgreSQL's cast of a `jsonb` value spaces and orders it its own way).
    let raw = |v: Option<Json<serde_json::Value>>| {
        v.map(|j| serde_json::value::to_raw_value(&j.0).expect("JSON values serialize"))
    };
    let before = raw(r.try_get("before_json")?);
    let after = raw(r.try_get("after_json")?);
    let content = content(&Content {
        id,
        seq,
        county: &county,
        entity: &r.try_get::<String, _>("entity")?,
        key: &r.try_get::<String, _>("entity_key")?,
        action: &r.try_get::<String, _>("action")?,
        actor: &r.try_get::<String, _>("actor")?,
        at,
        effective,
        before: before.as_deref(),
        after: after.as_deref(),
        state: r.try_get::<Option<String>, _>("state")?.as_deref(),
    });
    Ok(Link {
        id,
        county,
        content,
    })
}

/// What an entry's hash covers, as written and as read back.
pub(crate) struct Content<'a> {
    pub id: i64,
    pub seq: i64,
    pub county: &'a str,
    pub entity: &'a str,
    pub key: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
    pub at: DateTime<Utc>,
    pub effective: Option<NaiveDate>,
    /// Compact JSON, keys in order: as `serde_json` writes a [`serde_json::Value`].
    pub before: Option<&'a RawValue>,
    pub after: Option<&'a RawValue>,
    pub state: Option<&'a str>,
}

/// The canonical content of an entry: one JSON array of its fields (the time in microseconds, as
/// both databases keep it), the same whether computed by the writer ([`Chain`]) or from the stored
/// row ([`canonical`]).
fn content(c: &Content) -> String {
    let at = c.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let fields = (
        c.id,
        c.seq,
        c.county,
        c.entity,
        c.key,
        c.action,
        c.actor,
        at,
        c.effective.map(|d| d.to_string()),
        c.before,
        c.after,
        c.state,
    );
    serde_json::to_string(&fields).expect("JSON values serialize")
}

/// The audit entries of a large write chained as they are written (issue 16), rather than read
/// back and updated by [`seal`] at the commit: each entry gets its id, place and hash before it is
/// inserted. The chain goes on from the head as the write found it, without holding the head (other
/// writers' commits are not kept waiting, and no lock order with the rows can deadlock);
/// [`Chain::settle`], just before the commit, moves the head to the last link when nobody else
/// committed an entry meanwhile, and otherwise takes the write's entries off the chain so that
/// [`seal`] chains them after the new head, as before.
pub(crate) struct Chain {
    /// The head as this write found it.
    base: (i64, String),
    seq: i64,
    hash: String,
    /// SQLite: the next id to give (the write holds the database: nobody else inserts).
    next_id: i64,
    /// SQLite: the first id this chain gave.
    first_id: i64,
}

impl Chain {
    /// Starts a chain at the current head, inside the write's transaction (on SQLite, which holds
    /// the database's write lock from its `BEGIN IMMEDIATE`: nobody else inserts entries).
    pub(crate) async fn start(conn: &mut Conn<'_>) -> Result<Chain, StoreError> {
        let (seq, hash): (i64, String) = conn
            .query("SELECT seq, hash FROM audit_head WHERE one = 1")
            .fetch_all_as(&mut *conn)
            .await?
            .pop()
            .unwrap_or((0, String::new()));
        let next_id = match conn.backend() {
            Backend::Sqlite => {
                let max: Option<i64> = conn
                    .query("SELECT MAX(id) FROM audit_log")
                    .scalar::<Option<i64>>(&mut *conn)
                    .await?
                    .flatten();
                max.unwrap_or(0) + 1
            }
            Backend::Postgres => 0,
        };
        Ok(Chain {
            base: (seq, hash.clone()),
            seq,
            hash,
            next_id,
            first_id: next_id,
        })
    }

    /// Ids for `n` new entries: on PostgreSQL from the table's sequence.
    pub(crate) async fn ids(
        &mut self,
        conn: &mut Conn<'_>,
        n: usize,
    ) -> Result<Vec<i64>, StoreError> {
        match conn.backend() {
            Backend::Sqlite => {
                let ids = (self.next_id..self.next_id + n as i64).collect();
                self.next_id += n as i64;
                Ok(ids)
            }
            Backend::Postgres => Ok(conn
                .query(
                    "SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) \
                     FROM generate_series(1, $1)",
                )
                .bind(n as i64)
                .fetch_all_scalar(&mut *conn)
                .await?),
        }
    }

    /// The place and hash of the next entry, whose content is `c` (its `seq` is set here).
    pub(crate) fn append(&mut self, mut c: Content) -> (i64, String) {
        self.seq += 1;
        c.seq = self.seq;
        self.hash = link(&self.hash, &content(&c));
        (self.seq, self.hash.clone())
    }

    /// Just before the commit: the head moves to the chain's last link, unless another write
    /// committed entries since [`Chain::start`]: then this write's entries are taken off the chain
    /// and [`seal`] (in the commit) chains them after the new head.
    pub(crate) async fn settle(self, conn: &mut Conn<'_>) -> Result<(), StoreError> {
        if self.seq == self.base.0 {
            return Ok(());
        }
        let head = match conn.backend() {
            Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE one = 1 FOR UPDATE",
            Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE one = 1",
        };
        let now: Option<(i64, String)> = conn.query(head).fetch_all_as(&mut *conn).await?.pop();
        if now.unwrap_or((0, String::new())) == self.base {
            conn.query("UPDATE audit_head SET seq = $1, hash = $2 WHERE one = 1")
                .bind(self.seq)
                .bind(&self.hash)
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
        let unchain = match conn.backend() {
            // This transaction's own rows (its entries chained here have places after the base;
            // those another write committed meanwhile are not its rows).
            Backend::Postgres => {
                "UPDATE audit_log SET seq = NULL, hash = NULL \
                 WHERE seq > $1 AND xmin = pg_current_xact_id()::xid"
            }
            Backend::Sqlite => {
                "UPDATE audit_log SET seq = NULL, hash = NULL \
                 WHERE seq > $1 AND id >= $2 AND id < $3"
            }
        };
        let mut q = conn.query(unchain).bind(self.base.0);
        if conn.backend() == Backend::Sqlite {
            q = q.bind(self.first_id).bind(self.next_id);
        }
        q.execute(&mut *conn).await?;
        Ok(())
    }
}

/// The link after `prev`: SHA-256 of `prev`, a new line and `content`, in hex.
fn link(prev: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Chains the entries not chained yet (the transaction's own), in id order, after the head;
/// inside the writer's transaction, just before it commits.
pub(crate) async fn seal(conn: &mut Conn<'_>) -> Result<(), StoreError> {
    let pending: Option<i64> = conn
        .query("SELECT id FROM audit_log WHERE hash IS NULL LIMIT 1")
        .scalar(&mut *conn)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    let head = match conn.backend() {
        // Held until the commit: the chain follows the order of the commits.
        Backend::Postgres => "SELECT seq, hash FROM audit_head WHERE one = 1 FOR UPDATE",
        Backend::Sqlite => "SELECT seq, hash FROM audit_head WHERE one = 1",
    };
    let (mut seq, mut hash): (i64, String) = conn
        .query(head)
        .fetch_all_as(&mut *conn)
        .await?
        .pop()
        .unwrap_or((0, String::new()));
    // By pages after the last id sealed (not `LIMIT` alone: PostgreSQL's index still holds the
    // entries this transaction sealed, and each page would step over all of them again).
    let select = format!(
        "SELECT {CONTENT} FROM audit_log WHERE hash IS NULL AND id > $1 ORDER BY id LIMIT {PAGE}"
    );
    let mut after = i64::MIN;
    loop {
        let rows = conn
            .query(&select)
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get("id")?;
        let mut links = Vec::with_capacity(rows.len());
        for r in &rows {
            seq += 1;
            let e = canonical(r, seq)?;
            hash = link(&hash, &e.content);
            links.push((e.county, e.id, seq, hash.clone()));
        }
        let sql = format!(
            "UPDATE audit_log SET seq = v.column3, hash = v.column4 FROM ({}) AS v \
             WHERE audit_log.county = v.column1 AND audit_log.id = v.column2",
            values(conn.backend(), links.len(), 4)
        );
        let mut q = conn.query(&sql);
        for (county, id, seq, hash) in &links {
            q.push(county.as_str());
            q.push(*id);
            q.push(*seq);
            q.push(hash.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    conn.query("UPDATE audit_head SET seq = $1, hash = $2 WHERE one = 1")
        .bind(seq)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the chain is empty while entries wait for it: a database from before migration 7,
/// whose entries [`SqlStore::catch_up`] seals once.
pub(crate) async fn unsealed(db: &Db) -> Result<bool, StoreError> {
    let head: Option<i64> = db
        .query("SELECT seq FROM audit_head WHERE one = 1")
        .scalar(db)
        .await?;
    if head.unwrap_or(0) > 0 {
        return Ok(false);
    }
    let pending: Option<i64> = db
        .query("SELECT id FROM audit_log WHERE hash IS NULL LIMIT 1")
        .scalar(db)
        .await?;
    Ok(pending.is_some())
}

/// What `fupin audit verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditCheck {
    /// Chained entries read.
    pub entries: u64,
    /// Households compared with their last audited state.
    pub households: u64,
    /// The head of the chain: (place, hash).
    pub head: (i64, String),
    /// The first broken link, if any.
    pub broken: Option<Broken>,
    /// Households whose stored state is not their last audited one.
    pub households_changed: Vec<Broken>,
}

impl AuditCheck {
    pub fn ok(&self) -> bool {
        self.broken.is_none() && self.households_changed.is_empty()
    }
}

/// A finding: the entry (id) or household it is about, and what is wrong, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The audit entry's id, when the finding is about one.
    pub entry: Option<i64>,
    /// The household number, when the finding is about one.
    pub household: Option<String>,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} / {}", self.code, self.zh, self.en)
    }
}

fn broken(entry: Option<i64>, code: &'static str, zh: String, en: String) -> Broken {
    Broken {
        entry,
        household: None,
        code,
        zh,
        en,
    }
}

impl SqlStore {
    /// Walks the audit chain and compares every household with its last audited state.
    pub async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        let mut check = AuditCheck::default();
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        // The head first: entries committed after it are checked up to it.
        let (head_seq, head_hash): (i64, String) = conn
            .query("SELECT seq, hash FROM audit_head WHERE one = 1")
            .fetch_all_as(&mut conn)
            .await?
            .pop()
            .unwrap_or((0, String::new()));
        check.head = (head_seq, head_hash.clone());
        let (mut seq, mut hash) = (0i64, String::new());
        let select = format!(
            "SELECT {CONTENT}, seq, hash FROM audit_log \
             WHERE hash IS NOT NULL AND seq > $1 AND seq <= $2 ORDER BY seq LIMIT {PAGE}"
        );
        'chain: loop {
            let rows = conn
                .query(&select)
                .bind(seq)
                .bind(head_seq)
                .fetch_all(&mut conn)
                .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let at: i64 = r.try_get("seq")?;
                let stored: String = r.try_get("hash")?;
                let id: i64 = r.try_get("id")?;
                if at != seq + 1 {
                    check.broken = Some(broken(
                        Some(id),
                        "audit_entries_deleted",
                        format!("链位 {} 至 {} 的审计记录被删除(在记录 {id} 之前)", seq + 1, at - 1),
                        format!(
                            "the audit entries at chain places {} to {} were deleted (before entry {id})",
                            seq + 1,
                            at - 1
                        ),
                    ));
                    break 'chain;
                }
                let e = canonical(r, at)?;
                let expected = link(&hash, &e.content);
                if expected != stored {
                    check.broken = Some(broken(
                        Some(id),
                        "audit_entry_changed",
                        format!("审计记录 {id}(链位 {at})写入后被修改:内容与其哈希不符"),
                        format!(
                            "audit entry {id} (chain place {at}) was changed after it was written: \
                             its content no longer matches its hash"
                        ),
                    ));
                    break 'chain;
                }
                check.entries += 1;
                seq = at;
                hash = stored;
            }
        }
        if check.broken.is_none() && (seq, &hash) != (head_seq, &head_hash) {
            check.broken = Some(broken(
                None,
                "audit_entries_deleted",
                format!("链尾的审计记录被删除:链头在 {head_seq},记录只到 {seq}"),
                format!(
                    "the newest audit entries were deleted: the head is at place {head_seq}, the entries end at {seq}"
                ),
            ));
        }
        if check.broken.is_none() {
            // Committed entries outside the chain were written behind fupin's back.
            let loose: Option<i64> = conn
                .query("SELECT MIN(id) FROM audit_log WHERE hash IS NULL OR seq > $1")
                .bind(head_seq)
                .scalar::<Option<i64>>(&mut conn)
                .await?
                .flatten();
            if let Some(id) = loose {
                check.broken = Some(broken(
                    Some(id),
                    "audit_entry_not_chained",
                    format!("审计记录 {id} 不在链中:非经 fupin 写入"),
                    format!("audit entry {id} is not in the chain: it was not written by fupin"),
                ));
            }
        }
        drop(pooled);
        self.verify_households(&mut check).await?;
        Ok(check)
    }

    /// Compares every stored household with the state of its last audit entry.
    async fn verify_households(&self, check: &mut AuditCheck) -> Result<(), StoreError> {
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        // (county, number) → (place, entry id, state) of its last entry.
        let mut last: HashMap<(String, String), (i64, i64, Option<String>)> = HashMap::new();
        // Streamed: one entry at a time, one slot per household.
        let mut rows = conn
            .query(
                "SELECT county, entity_key, seq, id, state FROM audit_log WHERE entity = 'household'",
            )
            .fetch(&mut conn);
        while let Some(r) = rows.try_next().await? {
            let (county, number): (String, String) =
                (r.try_get("county")?, r.try_get("entity_key")?);
            let (seq, id): (Option<i64>, i64) = (r.try_get("seq")?, r.try_get("id")?);
            let state: Option<String> = r.try_get("state")?;
            let seq = seq.unwrap_or(i64::MAX);
            let slot = last.entry((county, number)).or_insert((seq, id, None));
            if seq >= slot.0 {
                *slot = (seq, id, state);
            }
        }
        drop(rows);
        let numbers: Vec<(String, String)> = conn
            .query("SELECT county, number FROM household ORDER BY county, number")
            .fetch_all_as(&mut conn)
            .await?;
        for chunk in numbers.chunks(PAGE as usize) {
            let list: Vec<&str> = chunk.iter().map(|(_, n)| n.as_str()).collect();
            let stored = crate::registry::load_stored(&mut conn, &list).await?;
            for (county, number) in chunk {
                check.households += 1;
                let key = (county.clone(), number.clone());
                let now = stored.get(number).map(|h| h.fingerprint());
                let finding = match last.remove(&key) {
                    None => Some((
                        None,
                        "household_not_audited",
                        format!("户 {number} 没有审计记录:非经 fupin 写入"),
                        format!("household {number} has no audit entry: it was not written by fupin"),
                    )),
                    Some((_, id, Some(state))) if Some(&state) != now.as_ref() => Some((
                        Some(id),
                        "household_changed",
                        format!("户 {number} 的数据(户、成员或收入)与其最后一条审计记录 {id} 不符"),
                        format!(
                            "household {number} (its row, members or income) no longer matches its last audited state (entry {id})"
                        ),
                    )),
                    Some(_) => None,
                };
                if let Some((entry, code, zh, en)) = finding {
                    check.households_changed.push(Broken {
                        entry,
                        household: Some(number.clone()),
                        code,
                        zh,
                        en,
                    });
                }
            }
        }
        // Audited households that are no longer stored.
        let mut gone: Vec<_> = last.into_iter().collect();
        gone.sort();
        for ((_, number), (_, id, _)) in gone {
            check.households_changed.push(Broken {
                entry: Some(id),
                household: Some(number.clone()),
                code: "household_deleted",
                zh: format!("户 {number} 有审计记录 {id},但已不在数据库中"),
                en: format!("household {number} has audit entry {id} but is no longer stored"),
            });
        }
        Ok(())
    }
}
