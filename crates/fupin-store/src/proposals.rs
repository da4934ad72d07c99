//! Proposals of an exit, return or removal of a household (a village or township proposes, the
//! county decides; the rules are `fupin_core::proposal`, who may do what `fupin_core::access`).
//! The store records them: at most one pending proposal per household, decided once. Every write
//! is audited (entity `proposal`).

use crate::audit::{self, Entry};
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use fupin_core::area::{code_range, county_of};
use serde::Serialize;

/// A proposal and, once decided, its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub id: String,
    /// The household's number.
    pub household: String,
    /// The household's village code.
    pub area_code: String,
    /// `exit`, `return` or `remove`.
    pub kind: String,
    /// The effective date the action is proposed for, `YYYY-MM-DD`.
    pub date: String,
    pub reason: Option<String>,
    pub proposer: String,
    pub proposed_at: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The county's reason (required for a rejection).
    pub decision_note: Option<String>,
}

/// Proposals and their decisions.
pub trait Proposals: Send + Sync {
    /// Records a new pending proposal; `false` (nothing written) when the household has a pending
    /// one already.
    fn create_proposal<'a>(&'a self, p: &'a Proposal) -> BoxFut<'a, bool>;
    fn proposal<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Proposal>>;
    /// The proposals under an area prefix (of one status when given), newest first.
    fn proposals<'a>(&'a self, area: &'a str, status: Option<&'a str>)
        -> BoxFut<'a, Vec<Proposal>>;
    /// The proposals of one household, newest first.
    fn household_proposals<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Proposal>>;
    /// Decides a pending proposal (`status`: `approved` or `rejected`); `false` (nothing written)
    /// when it is not pending any more.
    fn decide_proposal<'a>(
        &'a self,
        id: &'a str,
        status: &'a str,
        actor: &'a str,
        note: Option<&'a str>,
    ) -> BoxFut<'a, bool>;
}

const SELECT: &str =
    "SELECT id, household_number, area_code, kind, effective_date, reason, proposer, \
                      proposed_at, status, decided_by, decided_at, decision_note FROM proposal";

type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn from_row(r: Row) -> Proposal {
    let (id, household, area_code, kind, date, reason, proposer, proposed_at, status, by, at, note) =
        r;
    Proposal {
        id,
        household,
        area_code,
        kind,
        date,
        reason,
        proposer,
        proposed_at,
        status,
        decided_by: by,
        decided_at: at,
        decision_note: note,
    }
}

async fn select(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Proposal>, StoreError> {
    let sql = format!("{SELECT} {filter} ORDER BY proposed_at DESC, id DESC");
    let mut q = db.query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    let rows: Vec<Row> = q.fetch_all_as(db).await?;
    Ok(rows.into_iter().map(from_row).collect())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Proposals for SqlStore {
    fn create_proposal<'a>(&'a self, p: &'a Proposal) -> BoxFut<'a, bool> {
        Box::pin(create(&self.db, p))
    }

    fn proposal<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Proposal>> {
        Box::pin(async move {
            Ok(select(&self.db, "WHERE id = $1", &[id])
                .await?
                .into_iter()
                .next())
        })
    }

    fn proposals<'a>(
        &'a self,
        area: &'a str,
        status: Option<&'a str>,
    ) -> BoxFut<'a, Vec<Proposal>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            match status {
                Some(s) => {
                    let f = "WHERE area_code BETWEEN $1 AND $2 AND status = $3";
                    select(&self.db, f, &[&lo, &hi, s]).await
                }
                None => select(&self.db, "WHERE area_code BETWEEN $1 AND $2", &[&lo, &hi]).await,
            }
        })
    }

    fn household_proposals<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Proposal>> {
        Box::pin(async move { select(&self.db, "WHERE household_number = $1", &[number]).await })
    }

    fn decide_proposal<'a>(
        &'a self,
        id: &'a str,
        status: &'a str,
        actor: &'a str,
        note: Option<&'a str>,
    ) -> BoxFut<'a, bool> {
        Box::pin(decide(&self.db, id, status, actor, note))
    }
}

async fn create(db: &Db, p: &Proposal) -> Result<bool, StoreError> {
    let county = county_of(&p.area_code);
    let mut tx = db.begin().await?;
    let pending: Option<String> = tx
        .query(
            "SELECT id FROM proposal WHERE county = $1 AND household_number = $2 \
             AND status = 'pending'",
        )
        .bind(county)
        .bind(p.household.as_str())
        .scalar(&mut tx)
        .await?;
    if pending.is_some() {
        return Ok(false);
    }
    let inserted = tx
        .query(
            "INSERT INTO proposal (county, id, household_number, area_code, kind, effective_date, \
             reason, proposer, proposed_at, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending')",
        )
        .bind(county)
        .bind(p.id.as_str())
        .bind(p.household.as_str())
        .bind(p.area_code.as_str())
        .bind(p.kind.as_str())
        .bind(p.date.as_str())
        .bind(p.reason.as_deref())
        .bind(p.proposer.as_str())
        .bind(p.proposed_at.as_str())
        .execute(&mut tx)
        .await;
    match inserted {
        Ok(_) => {}
        // Another pending proposal committed meanwhile (the partial unique index).
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Ok(false)
        }
        Err(e) => return Err(e.into()),
    }
    let entry = Entry {
        county,
        entity: "proposal",
        key: &p.household,
        action: "propose",
        actor: &p.proposer,
    };
    let after = serde_json::json!({
        "id": p.id, "household": p.household, "kind": p.kind, "date": p.date, "reason": p.reason
    });
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(true)
}

async fn decide(
    db: &Db,
    id: &str,
    status: &str,
    actor: &str,
    note: Option<&str>,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(String, String)> = tx
        .query("SELECT county, household_number FROM proposal WHERE id = $1")
        .bind(id)
        .fetch_all_as::<(String, String)>(&mut tx)
        .await?
        .into_iter()
        .next();
    let Some((county, household)) = found else {
        return Ok(false);
    };
    let at = now();
    let changed = tx
        .query(
            "UPDATE proposal SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
             WHERE county = $5 AND id = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(actor)
        .bind(at.as_str())
        .bind(note)
        .bind(county.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    let entry = Entry {
        county: &county,
        entity: "proposal",
        key: &household,
        action: if status == "approved" {
            "approve"
        } else {
            "reject"
        },
        actor,
    };
    let after = serde_json::json!({"id": id, "status": status, "note": note});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(true)
}
