//! Pairings of cadres (帮扶责任人) with households: who is responsible for which household, from
//! when. The responsibility capability grows here. Every write is audited.

use crate::audit::{self, Entry};
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use fupin_core::area::county_of;
use serde::Serialize;

/// A cadre paired with a household from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pairing {
    pub cadre: String,
    /// The household's area code (its county keys the row).
    pub area_code: String,
    /// The household's number.
    pub number: String,
    /// `YYYY-MM-DD`.
    pub from: String,
}

/// Cadre ↔ household pairings.
pub trait Pairings: Send + Sync {
    /// Pairs a cadre with a household from `pairing.from`; pairing again changes nothing.
    fn pair<'a>(&'a self, pairing: &'a Pairing, actor: &'a str) -> BoxFut<'a, ()>;
    /// Is the cadre (an account name: its own pairings, or those of the responsibility network's
    /// cadre linked to it) paired with this household now?
    fn is_paired<'a>(&'a self, cadre: &'a str, number: &'a str) -> BoxFut<'a, bool>;
}

impl Pairings for SqlStore {
    fn pair<'a>(&'a self, pairing: &'a Pairing, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(pair(&self.db, pairing, actor))
    }

    fn is_paired<'a>(&'a self, cadre: &'a str, number: &'a str) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let row = self
                .db
                .query(
                    // The account's own pairings, and those of the cadre it is linked to
                    // (the responsibility network's `resp_cadre.account`).
                    "SELECT 1 FROM pairing p LEFT JOIN resp_cadre rc ON rc.id = p.cadre \
                     WHERE COALESCE(rc.account, p.cadre) = $1 AND p.household_number = $2 \
                     AND p.end_date IS NULL",
                )
                .bind(cadre)
                .bind(number)
                .fetch_optional(&self.db)
                .await?;
            Ok(row.is_some())
        })
    }
}

async fn pair(db: &Db, p: &Pairing, actor: &str) -> Result<(), StoreError> {
    let county = county_of(&p.area_code);
    let mut tx = db.begin().await?;
    tx.query(
        "INSERT INTO pairing (county, household_number, cadre, start_date, end_date) \
         VALUES ($1, $2, $3, $4, NULL) ON CONFLICT DO NOTHING",
    )
    .bind(county)
    .bind(p.number.as_str())
    .bind(p.cadre.as_str())
    .bind(p.from.as_str())
    .execute(&mut tx)
    .await?;
    let entry = Entry {
        county,
        entity: "pairing",
        key: &p.number,
        action: "create",
        actor,
    };
    let after = serde_json::json!({"cadre": p.cadre, "household": p.number, "from": p.from});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(())
}
