//! Identification applications (两公示一公告, DOMAIN.md §5) and their steps. The order of the steps
//! is the core's (`fupin_core::identification`); the store records them. Every write is audited.

use crate::audit::{self, Entry};
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use fupin_core::area::{code_range, county_of};
use serde::Serialize;

/// An identification application (两公示一公告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    pub id: String,
    pub area_code: String,
    pub applicant_name: String,
    /// Sensitive: shown masked in public notices.
    pub applicant_id_number: String,
    pub members: i64,
    pub reason: String,
    /// The last completed step.
    pub step: String,
    pub rejected: bool,
    pub created_at: String,
    pub steps: Vec<StepRecord>,
}

/// One completed step of an application: who did it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub step: String,
    /// `passed` or `rejected`.
    pub outcome: String,
    pub actor: String,
    pub at: String,
    pub note: Option<String>,
}

/// Applications and their steps.
pub trait Applications: Send + Sync {
    /// Records a new application with its first step (`a.step`, passed by `actor`).
    fn create_application<'a>(&'a self, app: &'a Application, actor: &'a str) -> BoxFut<'a, ()>;
    fn application<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Application>>;
    /// The applications under an area prefix, newest first.
    fn applications<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Application>>;
    /// Records a step (the caller has checked the order with `fupin_core::identification`).
    fn record_step<'a>(&'a self, id: &'a str, s: &'a StepRecord, rejected: bool) -> BoxFut<'a, ()>;
}

impl Applications for SqlStore {
    fn create_application<'a>(&'a self, app: &'a Application, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(create(&self.db, app, actor))
    }

    fn application<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Application>> {
        Box::pin(async move {
            let sql = format!("{SELECT} WHERE id = $1");
            let rows = self.db.query(&sql).bind(id).fetch_all_as(&self.db).await?;
            match rows.into_iter().next() {
                Some(row) => Ok(Some(with_steps(&self.db, row).await?)),
                None => Ok(None),
            }
        })
    }

    fn applications<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Application>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            let sql =
                format!("{SELECT} WHERE area_code BETWEEN $1 AND $2 ORDER BY created_at DESC, id");
            let rows: Vec<AppRow> = self
                .db
                .query(&sql)
                .bind(lo)
                .bind(hi)
                .fetch_all_as(&self.db)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(with_steps(&self.db, row).await?);
            }
            Ok(out)
        })
    }

    fn record_step<'a>(&'a self, id: &'a str, s: &'a StepRecord, rejected: bool) -> BoxFut<'a, ()> {
        Box::pin(record_step(&self.db, id, s, rejected))
    }
}

const SELECT: &str = "SELECT id, area_code, applicant_name, applicant_id_number, members, reason, \
                      step, rejected, created_at FROM application";

type AppRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    bool,
    String,
);

/// The application of a row, with its steps in order.
async fn with_steps(db: &Db, row: AppRow) -> Result<Application, StoreError> {
    let (id, area_code, applicant_name, applicant_id_number, members, reason, step, rejected, at) =
        row;
    let steps = db
        .query(
            "SELECT step, outcome, actor, at, note FROM application_step \
             WHERE application_id = $1 ORDER BY at, step",
        )
        .bind(id.as_str())
        .fetch_all_as::<(String, String, String, String, Option<String>)>(db)
        .await?
        .into_iter()
        .map(|(step, outcome, actor, at, note)| StepRecord {
            step,
            outcome,
            actor,
            at,
            note,
        })
        .collect();
    Ok(Application {
        id,
        area_code,
        applicant_name,
        applicant_id_number,
        members,
        reason,
        step,
        rejected,
        created_at: at,
        steps,
    })
}

async fn create(db: &Db, a: &Application, actor: &str) -> Result<(), StoreError> {
    let county = county_of(&a.area_code);
    let mut tx = db.begin().await?;
    tx.query(
        "INSERT INTO application (county, id, area_code, applicant_name, applicant_id_number, \
         members, reason, step, rejected, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9)",
    )
    .bind(county)
    .bind(a.id.as_str())
    .bind(a.area_code.as_str())
    .bind(a.applicant_name.as_str())
    .bind(a.applicant_id_number.as_str())
    .bind(a.members)
    .bind(a.reason.as_str())
    .bind(a.step.as_str())
    .bind(a.created_at.as_str())
    .execute(&mut tx)
    .await?;
    tx.query(
        "INSERT INTO application_step (county, application_id, step, outcome, actor, at, note) \
         VALUES ($1, $2, $3, 'passed', $4, $5, NULL)",
    )
    .bind(county)
    .bind(a.id.as_str())
    .bind(a.step.as_str())
    .bind(actor)
    .bind(a.created_at.as_str())
    .execute(&mut tx)
    .await?;
    let entry = Entry {
        county,
        entity: "application",
        key: &a.id,
        action: "create",
        actor,
    };
    let after = serde_json::json!({
        "id": a.id, "area_code": a.area_code, "applicant": a.applicant_name, "members": a.members
    });
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_step(db: &Db, id: &str, s: &StepRecord, rejected: bool) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let county: String = tx
        .query("SELECT county FROM application WHERE id = $1")
        .bind(id)
        .scalar(&mut tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
    tx.query(
        "INSERT INTO application_step (county, application_id, step, outcome, actor, at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(county.as_str())
    .bind(id)
    .bind(s.step.as_str())
    .bind(s.outcome.as_str())
    .bind(s.actor.as_str())
    .bind(s.at.as_str())
    .bind(s.note.as_deref())
    .execute(&mut tx)
    .await?;
    tx.query("UPDATE application SET step = $1, rejected = $2 WHERE county = $3 AND id = $4")
        .bind(s.step.as_str())
        .bind(rejected)
        .bind(county.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    let entry = Entry {
        county: &county,
        entity: "application",
        key: id,
        action: "step",
        actor: &s.actor,
    };
    let after = serde_json::json!({"step": s.step, "outcome": s.outcome, "note": s.note});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(())
}
