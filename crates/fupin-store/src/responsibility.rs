//! The responsibility network (issue 11, DOMAIN.md §11): units, cadres (with the web account a
//! cadre logs in with), pairings (the `pairing` table of [`crate::pairing`], with end and end
//! reason), work teams and members, enterprise–village pairings, responsibility letters, visits
//! and issues. Every write is one [`Batch`] in one transaction with an audit entry per record;
//! reads are scoped by area prefix. The rules are fupin-core's [`fupin_core::responsibility`].

use crate::audit::{self, Entry};
use crate::error::{RowError, StoreError};
use crate::listing::HouseholdRow;
use crate::repo::BoxFut;
use crate::sql::{Conn, Db};
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::area::{code_range, county_of};
use fupin_core::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use fupin_core::responsibility::{
    Cadre, EnterprisePairing, HouseholdFacts, Network, Pairing, Rank, TeamMember, TeamRole, Unit,
    UnitKind, Visit, VisitFigures, VisitIssue, WorkTeam,
};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A unit and the area it belongs to (its scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredUnit {
    pub area: String,
    #[serde(flatten)]
    pub unit: Unit,
}

/// A cadre, its area and the web account it logs in with (a `cadre` account's "my households").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCadre {
    pub area: String,
    #[serde(flatten)]
    pub cadre: Cadre,
    pub account: Option<String>,
}

/// A pairing with its household's area code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPairing {
    pub area_code: String,
    #[serde(flatten)]
    pub pairing: Pairing,
}

/// 责任书: a responsibility letter signed at a level on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub id: String,
    pub area: String,
    pub signer: String,
    /// `county`, `township`, `village`, ... as the county names its levels.
    pub level: String,
    pub signed_on: NaiveDate,
}

/// A visit, its id and its household's area code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredVisit {
    pub id: String,
    pub area_code: String,
    #[serde(flatten)]
    pub visit: Visit,
}

/// Records written together, in one transaction (a form's one record, a workbook, the demo).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub units: Vec<StoredUnit>,
    pub cadres: Vec<StoredCadre>,
    pub pairings: Vec<StoredPairing>,
    pub teams: Vec<WorkTeam>,
    pub enterprise_pairings: Vec<EnterprisePairing>,
    pub letters: Vec<Letter>,
    pub visits: Vec<StoredVisit>,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.units.len()
            + self.cadres.len()
            + self.pairings.len()
            + self.teams.len()
            + self.enterprise_pairings.len()
            + self.letters.len()
            + self.visits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The responsibility network's records.
pub trait Responsibility: Send + Sync {
    /// Writes every record of the batch (insert, or replace the record of the same key: a unit's
    /// code, a cadre's id, a pairing's cadre, household and start, a team's id with its members, a
    /// visit's id with its issues), each with an audit entry, all or nothing.
    fn save_network<'a>(&'a self, batch: &'a Batch, actor: &'a str) -> BoxFut<'a, ()>;
    /// Ends the active pairing of a cadre and a household on `end` with a reason; false when none.
    fn end_pairing<'a>(
        &'a self,
        cadre: &'a str,
        household: &'a str,
        end: NaiveDate,
        reason: &'a str,
        actor: &'a str,
    ) -> BoxFut<'a, bool>;
    /// Writes several new pairings in one transaction, all or nothing (the web's bulk pairing): a
    /// household with an open pairing (no end date), or named twice, is refused with a
    /// [`StoreError::Rejected`] naming it (`already_paired`, `duplicate`), and nothing is written.
    /// Each pairing is audited as a single one is.
    fn pair_households<'a>(
        &'a self,
        pairings: &'a [StoredPairing],
        actor: &'a str,
    ) -> BoxFut<'a, ()>;
    /// Ends the open pairings of several (cadre, household) pairs on `end` with one reason, in one
    /// transaction: a pair without an open pairing is refused naming it (`no_active_pairing`),
    /// and nothing is written.
    fn end_pairings<'a>(
        &'a self,
        pairs: &'a [(String, String)],
        end: NaiveDate,
        reason: &'a str,
        actor: &'a str,
    ) -> BoxFut<'a, ()>;
    /// The households under `prefix` that need a cadre (poor, returned, or monitored as
    /// `unstable`, `marginal`, `sudden_hardship`) and have no open pairing, by number, with
    /// their heads' names.
    fn unpaired_households<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<HouseholdRow>>;
    /// The open pairings (distinct households) of each cadre whose area is under `prefix`.
    fn open_pairing_counts<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, HashMap<String, u64>>;
    /// The area code of a visit's household, by the visit's id; `None` for a new id.
    fn visit_area<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>>;
    /// Closes an issue with its measure on a date; false when there is no such open issue.
    fn close_issue<'a>(
        &'a self,
        issue: &'a str,
        measure: &'a str,
        closed_on: NaiveDate,
        actor: &'a str,
    ) -> BoxFut<'a, bool>;
    /// The units whose area is under `prefix`.
    fn units<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredUnit>>;
    /// The cadres whose area is under `prefix`.
    fn cadres<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredCadre>>;
    /// One cadre by id.
    fn cadre<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<StoredCadre>>;
    /// The cadre a web account logs in as.
    fn cadre_of_account<'a>(&'a self, account: &'a str) -> BoxFut<'a, Option<StoredCadre>>;
    /// The pairings of households under `prefix` (every one, ended too), by household.
    fn pairings<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredPairing>>;
    /// The pairings of a household, oldest first.
    fn pairings_of_household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<StoredPairing>>;
    /// The pairings of a cadre (by cadre id, or the account name of the older pairings), oldest first.
    fn pairings_of_cadre<'a>(&'a self, cadre: &'a str) -> BoxFut<'a, Vec<StoredPairing>>;
    /// The work teams of villages under `prefix`.
    fn teams<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<WorkTeam>>;
    /// The enterprise–village pairings of villages under `prefix`.
    fn enterprise_pairings<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<EnterprisePairing>>;
    /// The letters whose area is under `prefix`.
    fn letters<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Letter>>;
    /// The visits of households under `prefix` from `from` to `to` (inclusive), newest first.
    fn visits<'a>(
        &'a self,
        prefix: &'a str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, Vec<StoredVisit>>;
    /// The visits of one household, newest first.
    fn visits_of_household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<StoredVisit>>;
    /// Visit figures of households under `prefix` from `from` to `to`, grouped by the first
    /// `group` digits of the area code (0: one group, keyed by `prefix`).
    fn visit_figures<'a>(
        &'a self,
        prefix: &'a str,
        group: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, Vec<(String, VisitFigures)>>;
    /// The network of the area under `prefix` for the coverage check: its households (current
    /// status and monitoring category), the cadres of its area and those paired or stationed
    /// there, their units, pairings and teams. Not its visits: their figures come from
    /// [`Responsibility::visit_figures`].
    fn network<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Network>;
    /// What the coverage check at `as_of` needs of the network under `prefix`, read set-based (the
    /// `--db` check at province scale): the same gaps as [`Responsibility::network`] gives, from the
    /// area's poor households, its unpaired monitored ones and its active pairings only.
    fn check_network<'a>(&'a self, prefix: &'a str, as_of: NaiveDate) -> BoxFut<'a, Network>;
}

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::File(format!("日期无效 / bad date {s:?} in the store")))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.as_deref().map(date).transpose()
}

fn code<C: CodeList>(s: &str) -> Result<C, StoreError> {
    C::parse(s).ok_or_else(|| {
        StoreError::File(format!("未知代码 / unknown {} {s:?} in the store", C::LIST))
    })
}

fn like(prefix: &str) -> String {
    format!("{prefix}%")
}

fn entry<'a>(county: &'a str, entity: &'a str, key: &'a str, actor: &'a str) -> Entry<'a> {
    Entry {
        county,
        entity,
        key,
        action: "save",
        actor,
    }
}

async fn save(db: &Db, b: &Batch, actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    for u in &b.units {
        c.query(
            "INSERT INTO resp_unit (county, code, area, name, kind) VALUES ($5, $1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET county = excluded.county, area = excluded.area, \
             name = excluded.name, kind = excluded.kind",
        )
        .bind(u.unit.code.as_str())
        .bind(u.area.as_str())
        .bind(u.unit.name.as_str())
        .bind(u.unit.kind.code())
        .bind(county_of(&u.area))
        .execute(&mut c)
        .await?;
        let e = entry(county_of(&u.area), "unit", &u.unit.code, actor);
        audit::record(&mut c, e, json!(u)).await?;
    }
    for x in &b.cadres {
        let cd = &x.cadre;
        c.query(
            "INSERT INTO resp_cadre (county, id, area, name, unit, rank, phone, account) \
             VALUES ($8, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
             county = excluded.county, area = excluded.area, name = excluded.name, unit = excluded.unit, \
             rank = excluded.rank, phone = excluded.phone, account = excluded.account",
        )
        .bind(cd.id.as_str())
        .bind(x.area.as_str())
        .bind(cd.name.as_str())
        .bind(cd.unit.as_str())
        .bind(cd.rank.code())
        .bind(cd.phone.as_deref())
        .bind(x.account.as_deref())
        .bind(county_of(&x.area))
        .execute(&mut c)
        .await?;
        let e = entry(county_of(&x.area), "cadre", &cd.id, actor);
        audit::record(&mut c, e, json!(x)).await?;
    }
    for p in &b.pairings {
        save_pairing(&mut c, p, actor).await?;
    }
    for t in &b.teams {
        c.query(
            "INSERT INTO resp_team (county, id, village, unit, start_date, end_date) \
             VALUES ($6, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
             county = excluded.county, village = excluded.village, unit = excluded.unit, start_date = excluded.start_date, \
             end_date = excluded.end_date",
        )
        .bind(t.id.as_str())
        .bind(t.village.as_str())
        .bind(t.unit.as_str())
        .bind(t.start.to_string())
        .bind(t.end.map(|d| d.to_string()))
        .bind(county_of(&t.village))
        .execute(&mut c)
        .await?;
        c.query("DELETE FROM resp_team_member WHERE team = $1")
            .bind(t.id.as_str())
            .execute(&mut c)
            .await?;
        for m in &t.members {
            c.query(
                "INSERT INTO resp_team_member (county, team, cadre, role, first_secretary) \
                 VALUES ($5, $1, $2, $3, $4)",
            )
            .bind(t.id.as_str())
            .bind(m.cadre.as_str())
            .bind(m.role.code())
            .bind(m.first_secretary)
            .bind(county_of(&t.village))
            .execute(&mut c)
            .await?;
        }
        let e = entry(county_of(&t.village), "team", &t.id, actor);
        audit::record(&mut c, e, json!(t)).await?;
    }
    for p in &b.enterprise_pairings {
        c.query(
            "INSERT INTO resp_enterprise_pairing (county, unit, village, start_date, end_date) \
             VALUES ($5, $1, $2, $3, $4) ON CONFLICT (unit, village, start_date) DO UPDATE SET \
             end_date = excluded.end_date",
        )
        .bind(p.unit.as_str())
        .bind(p.village.as_str())
        .bind(p.start.to_string())
        .bind(p.end.map(|d| d.to_string()))
        .bind(county_of(&p.village))
        .execute(&mut c)
        .await?;
        let e = entry(county_of(&p.village), "enterprise_pairing", &p.unit, actor);
        audit::record(&mut c, e, json!(p)).await?;
    }
    for l in &b.letters {
        c.query(
            "INSERT INTO resp_letter (county, id, area, signer, level, signed_on) \
             VALUES ($6, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET \
             county = excluded.county, area = excluded.area, \
             signer = excluded.signer, level = excluded.level, signed_on = excluded.signed_on",
        )
        .bind(l.id.as_str())
        .bind(l.area.as_str())
        .bind(l.signer.as_str())
        .bind(l.level.as_str())
        .bind(l.signed_on.to_string())
        .bind(county_of(&l.area))
        .execute(&mut c)
        .await?;
        let e = entry(county_of(&l.area), "letter", &l.id, actor);
        audit::record(&mut c, e, json!(l)).await?;
    }
    for v in &b.visits {
        save_visit(&mut c, v, actor).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Inserts a pairing (or replaces the one of the same household, cadre and start), audited.
async fn save_pairing(c: &mut Conn<'_>, p: &StoredPairing, actor: &str) -> Result<(), StoreError> {
    let county = county_of(&p.area_code);
    let q = &p.pairing;
    c.query(
        "INSERT INTO pairing (county, household_number, cadre, start_date, end_date, \
         end_reason) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (county, household_number, cadre, start_date) DO UPDATE SET \
         end_date = excluded.end_date, end_reason = excluded.end_reason",
    )
    .bind(county)
    .bind(q.household.as_str())
    .bind(q.cadre.as_str())
    .bind(q.start.to_string())
    .bind(q.end.map(|d| d.to_string()))
    .bind(q.end_reason.as_deref())
    .execute(&mut *c)
    .await?;
    let e = entry(county, "pairing", &q.household, actor);
    audit::record(c, e, json!(p)).await?;
    Ok(())
}

fn refused(row: usize, household: &str, code: &str, zh: &str, en: &str) -> StoreError {
    let mut e = RowError::new(row, "households", household, code, zh, en);
    e.household = Some(household.to_string());
    StoreError::Rejected(Box::new(e))
}

async fn pair_households(db: &Db, ps: &[StoredPairing], actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    let mut seen = std::collections::HashSet::new();
    for (i, p) in ps.iter().enumerate() {
        let n = p.pairing.household.as_str();
        if !seen.insert(n) {
            let zh = format!("户 {n} 重复");
            let en = format!("household {n} is named twice");
            return Err(refused(i + 1, n, "duplicate", &zh, &en));
        }
        let open: Vec<(String, String)> = c
            .query(
                "SELECT cadre, start_date FROM pairing WHERE county = $1 \
                 AND household_number = $2 AND end_date IS NULL ORDER BY start_date",
            )
            .bind(county_of(&p.area_code))
            .bind(n)
            .fetch_all_as(&mut c)
            .await?;
        if let Some((cadre, start)) = open.first() {
            let zh = format!("户 {n} 已与干部 {cadre} 结对(自 {start} 起)");
            let en = format!("household {n} is paired with cadre {cadre} since {start}");
            return Err(refused(i + 1, n, "already_paired", &zh, &en));
        }
        save_pairing(&mut c, p, actor).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends the open pairing of a cadre and a household (begun on or before `end`); false when none.
async fn end_open(
    c: &mut Conn<'_>,
    cadre: &str,
    household: &str,
    end: NaiveDate,
    reason: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let county: Option<String> = c
        .query(
            "SELECT county FROM pairing WHERE cadre = $1 AND household_number = $2 \
             AND end_date IS NULL AND start_date <= $3",
        )
        .bind(cadre)
        .bind(household)
        .bind(end.to_string())
        .scalar(&mut *c)
        .await?;
    let Some(county) = county else {
        return Ok(false);
    };
    c.query(
        "UPDATE pairing SET end_date = $1, end_reason = $2 WHERE cadre = $3 \
         AND household_number = $4 AND end_date IS NULL",
    )
    .bind(end.to_string())
    .bind(reason)
    .bind(cadre)
    .bind(household)
    .execute(&mut *c)
    .await?;
    let e = Entry {
        county: &county,
        entity: "pairing",
        key: household,
        action: "end",
        actor,
    };
    let after = json!({"cadre": cadre, "household": household, "end": end, "end_reason": reason});
    audit::record(c, e, after).await?;
    Ok(true)
}

async fn save_visit(c: &mut Conn<'_>, v: &StoredVisit, actor: &str) -> Result<(), StoreError> {
    let x = &v.visit;
    c.query(
        "INSERT INTO resp_visit (county, id, area_code, household_number, cadre, visit_date, \
         findings) VALUES ($7, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET \
         county = excluded.county, area_code = excluded.area_code, household_number = excluded.household_number, \
         cadre = excluded.cadre, visit_date = excluded.visit_date, findings = excluded.findings",
    )
    .bind(v.id.as_str())
    .bind(v.area_code.as_str())
    .bind(x.household.as_str())
    .bind(x.cadre.as_str())
    .bind(x.date.to_string())
    .bind(x.findings.as_deref())
    .bind(county_of(&v.area_code))
    .execute(&mut *c)
    .await?;
    c.query("DELETE FROM resp_issue WHERE visit = $1")
        .bind(v.id.as_str())
        .execute(&mut *c)
        .await?;
    for i in &x.issues {
        c.query(
            "INSERT INTO resp_issue (county, id, visit, text, measure, closed_on) \
             VALUES ($6, $1, $2, $3, $4, $5)",
        )
        .bind(i.id.as_str())
        .bind(v.id.as_str())
        .bind(i.text.as_str())
        .bind(i.measure.as_deref())
        .bind(i.closed_on.map(|d| d.to_string()))
        .bind(county_of(&v.area_code))
        .execute(&mut *c)
        .await?;
    }
    let e = entry(county_of(&v.area_code), "visit", &v.id, actor);
    audit::record(c, e, json!(v)).await?;
    Ok(())
}

type UnitTuple = (String, String, String, String);

fn unit_of((code, area, name, kind): UnitTuple) -> Result<StoredUnit, StoreError> {
    Ok(StoredUnit {
        area,
        unit: Unit {
            code,
            name,
            kind: self::code::<UnitKind>(&kind)?,
        },
    })
}

const CADRE_COLS: &str = "id, area, name, unit, rank, phone, account";
type CadreTuple = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn cadre_of(
    (id, area, name, unit, rank, phone, account): CadreTuple,
) -> Result<StoredCadre, StoreError> {
    Ok(StoredCadre {
        area,
        cadre: Cadre {
            id,
            name,
            unit,
            rank: code::<Rank>(&rank)?,
            phone,
        },
        account,
    })
}

/// The pairing columns with the household's area code (`p` pairing, `h` household).
const PAIRING_SELECT: &str = "SELECT h.area_code, p.cadre, p.household_number, p.start_date, \
     p.end_date, p.end_reason FROM pairing p JOIN household h \
     ON h.county = p.county AND h.number = p.household_number";
type PairingTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn pairing_of(
    (area_code, cadre, household, start, end, end_reason): PairingTuple,
) -> Result<StoredPairing, StoreError> {
    Ok(StoredPairing {
        area_code,
        pairing: Pairing {
            cadre,
            household,
            start: date(&start)?,
            end: opt_date(end)?,
            end_reason,
        },
    })
}

/// The rows of `sql` with its text `binds`, as tuples.
async fn fetch<T: crate::sql::FromRow>(
    db: &Db,
    sql: &str,
    binds: &[&str],
) -> Result<Vec<T>, StoreError> {
    let mut q = db.query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_all_as(db).await?)
}

/// The pairings that `filter_order` (a `WHERE` condition and its `ORDER BY`) selects.
async fn pairings_where(
    db: &Db,
    filter_order: &str,
    binds: &[&str],
) -> Result<Vec<StoredPairing>, StoreError> {
    let sql = format!("{PAIRING_SELECT} WHERE {filter_order}");
    let rows: Vec<PairingTuple> = fetch(db, &sql, binds).await?;
    rows.into_iter().map(pairing_of).collect()
}

async fn teams_where(db: &Db, filter: &str, binds: &[String]) -> Result<Vec<WorkTeam>, StoreError> {
    let sql = format!(
        "SELECT t.id, t.village, t.unit, t.start_date, t.end_date FROM resp_team t \
         WHERE {filter} ORDER BY t.id"
    );
    let mut q = db.query(&sql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let rows: Vec<(String, String, String, String, Option<String>)> = q.fetch_all_as(db).await?;
    let msql = format!(
        "SELECT m.team, m.cadre, m.role, m.first_secretary FROM resp_team_member m \
         JOIN resp_team t ON t.id = m.team WHERE {filter} ORDER BY m.team, m.cadre"
    );
    let mut q = db.query(&msql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let members: Vec<(String, String, String, bool)> = q.fetch_all_as(db).await?;
    let mut by_team: HashMap<String, Vec<TeamMember>> = HashMap::new();
    for (team, cadre, role, first_secretary) in members {
        by_team.entry(team).or_default().push(TeamMember {
            cadre,
            role: code::<TeamRole>(&role)?,
            first_secretary,
        });
    }
    rows.into_iter()
        .map(|(id, village, unit, start, end)| {
            Ok(WorkTeam {
                members: by_team.remove(&id).unwrap_or_default(),
                id,
                village,
                unit,
                start: date(&start)?,
                end: opt_date(end)?,
            })
        })
        .collect()
}

/// An issue row: visit, id, text, measure, closed on.
type IssueTuple = (String, String, String, Option<String>, Option<String>);

/// Visits (with their issues) of a filter on `v` (resp_visit), newest first.
async fn visits_where(
    db: &Db,
    filter: &str,
    binds: &[String],
) -> Result<Vec<StoredVisit>, StoreError> {
    let sql = format!(
        "SELECT v.id, v.area_code, v.household_number, v.cadre, v.visit_date, v.findings \
         FROM resp_visit v WHERE {filter} ORDER BY v.visit_date DESC, v.id"
    );
    let mut q = db.query(&sql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let rows: Vec<(String, String, String, String, String, Option<String>)> =
        q.fetch_all_as(db).await?;
    let isql = format!(
        "SELECT i.visit, i.id, i.text, i.measure, i.closed_on FROM resp_issue i \
         JOIN resp_visit v ON v.id = i.visit WHERE {filter} ORDER BY i.visit, i.id"
    );
    let mut q = db.query(&isql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let issues: Vec<IssueTuple> = q.fetch_all_as(db).await?;
    let mut by_visit: HashMap<String, Vec<VisitIssue>> = HashMap::new();
    for (visit, id, text, measure, closed_on) in issues {
        by_visit.entry(visit).or_default().push(VisitIssue {
            id,
            text,
            measure,
            closed_on: opt_date(closed_on)?,
        });
    }
    rows.into_iter()
        .map(|(id, area_code, household, cadre, d, findings)| {
            Ok(StoredVisit {
                visit: Visit {
                    date: date(&d)?,
                    cadre,
                    household,
                    findings,
                    issues: by_visit.remove(&id).unwrap_or_default(),
                },
                id,
                area_code,
            })
        })
        .collect()
}

async fn visit_figures(
    db: &Db,
    prefix: &str,
    group: usize,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, VisitFigures)>, StoreError> {
    let (lo, hi) = code_range(prefix);
    // `substr(.., 1, 0)` is '' on both backends: one group (PostgreSQL groups by no constant).
    let key = format!("substr(v.area_code, 1, {group})");
    let (from, to) = (from.to_string(), to.to_string());
    let vsql = format!(
        "SELECT {key}, COUNT(*), COUNT(DISTINCT v.household_number) FROM resp_visit v \
         WHERE v.area_code BETWEEN $1 AND $2 AND v.visit_date BETWEEN $3 AND $4 GROUP BY {key}"
    );
    let visits: Vec<(String, i64, i64)> = db
        .query(&vsql)
        .bind(lo.as_str())
        .bind(hi.as_str())
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all_as(db)
        .await?;
    let isql = format!(
        "SELECT {key}, COUNT(*), COUNT(CASE WHEN i.closed_on <= $4 THEN 1 END), \
         COUNT(DISTINCT i.measure) FROM resp_issue i JOIN resp_visit v ON v.id = i.visit \
         WHERE v.area_code BETWEEN $1 AND $2 AND v.visit_date BETWEEN $3 AND $4 GROUP BY {key}"
    );
    let issues: Vec<(String, i64, i64, i64)> = db
        .query(&isql)
        .bind(lo.as_str())
        .bind(hi.as_str())
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_all_as(db)
        .await?;
    let mut out: std::collections::BTreeMap<String, VisitFigures> = Default::default();
    for (k, n, h) in visits {
        let f = out.entry(k).or_default();
        f.visits = n as u64;
        f.households_visited = h as u64;
    }
    for (k, n, closed, measures) in issues {
        let f = out.entry(k).or_default();
        f.issues = n as u64;
        f.issues_closed = closed as u64;
        f.measures = measures as u64;
    }
    let mut out: Vec<(String, VisitFigures)> = out
        .into_iter()
        .map(|(k, mut f)| {
            f.completion_pct =
                fupin_core::responsibility::completion_pct(f.issues_closed, f.issues);
            (if group == 0 { prefix.to_string() } else { k }, f)
        })
        .collect();
    if out.is_empty() && group == 0 {
        out.push((prefix.to_string(), VisitFigures::default()));
    }
    Ok(out)
}

async fn network(db: &Db, prefix: &str) -> Result<Network, StoreError> {
    let (lo, hi) = code_range(prefix);
    let mut net = Network::default();
    let rows: Vec<(String, String, String, Option<String>)> = db
        .query(
            "SELECT number, area_code, status, monitoring FROM household \
             WHERE area_code BETWEEN $1 AND $2 ORDER BY number",
        )
        .bind(lo.as_str())
        .bind(hi.as_str())
        .fetch_all_as(db)
        .await?;
    for (number, area_code, status, monitoring) in rows {
        net.households.push(HouseholdFacts {
            number,
            area_code,
            status: code::<HouseholdStatus>(&status)?,
            monitoring: monitoring.as_deref().and_then(MonitoringCategory::parse),
        });
    }
    let sql = format!("{PAIRING_SELECT} WHERE h.area_code BETWEEN $1 AND $2");
    let pairings: Vec<PairingTuple> = db
        .query(&sql)
        .bind(lo.as_str())
        .bind(hi.as_str())
        .fetch_all_as(db)
        .await?;
    for p in pairings {
        net.pairings.push(pairing_of(p)?.pairing);
    }
    net.teams = teams_where(db, "t.village BETWEEN $1 AND $2", &[lo.clone(), hi.clone()]).await?;
    cadres_and_units(db, prefix, &mut net).await?;
    // Visits are not loaded: their figures are counted in SQL (`visit_figures`), the largest table
    // left in the database.
    Ok(net)
}

/// The cadres of the area under `prefix` and those paired or stationed in it, and their units (with
/// the units of the area), into `net` (whose teams are read).
async fn cadres_and_units(db: &Db, prefix: &str, net: &mut Network) -> Result<(), StoreError> {
    let (lo, hi) = code_range(prefix);
    // The pairings by their key's county first (see `county_range`), then their households.
    let sql = format!(
        "SELECT {CADRE_COLS} FROM resp_cadre WHERE area LIKE $1 \
         OR id IN (SELECT p.cadre FROM pairing p CROSS JOIN household h \
         WHERE p.county BETWEEN $4 AND $5 AND h.county = p.county \
         AND h.number = p.household_number AND h.area_code BETWEEN $2 AND $3) \
         OR id IN (SELECT m.cadre FROM resp_team_member m JOIN resp_team t ON t.id = m.team \
         WHERE t.village BETWEEN $2 AND $3) ORDER BY id"
    );
    let (county_lo, county_hi) = county_range(&lo, &hi);
    let cadres: Vec<CadreTuple> = db
        .query(&sql)
        .bind(like(prefix))
        .bind(lo.as_str())
        .bind(hi.as_str())
        .bind(county_lo)
        .bind(county_hi)
        .fetch_all_as(db)
        .await?;
    for c in cadres {
        net.cadres.push(cadre_of(c)?.cadre);
    }
    let units: Vec<UnitTuple> = db
        .query("SELECT code, area, name, kind FROM resp_unit ORDER BY code")
        .fetch_all_as(db)
        .await?;
    let wanted: std::collections::HashSet<&str> = net
        .cadres
        .iter()
        .map(|c| c.unit.as_str())
        .chain(net.teams.iter().map(|t| t.unit.as_str()))
        .collect();
    let mut kept = Vec::new();
    for u in units {
        if u.1.starts_with(prefix) || wanted.contains(u.0.as_str()) {
            kept.push(unit_of(u)?.unit);
        }
    }
    net.units = kept;
    Ok(())
}

/// The county codes (the first six digits) of the area codes from `lo` to `hi`: the range of the
/// `county` that starts the keys of pairings and households, so that a read of an area's pairings
/// starts from the pairings (a few per poor household) rather than from every household of the area.
fn county_range<'a>(lo: &'a str, hi: &'a str) -> (&'a str, &'a str) {
    (&lo[..6.min(lo.len())], &hi[..6.min(hi.len())])
}

/// `status IN (...)` and `monitoring IN (...)` lists of the households that count as poor and of
/// the monitoring categories that need a cadre (fupin-core's [`HouseholdFacts::is_poor`] and
/// [`fupin_core::responsibility::PAIRED_MONITORING`]).
fn scope_lists() -> (String, String) {
    let quoted = |codes: &mut dyn Iterator<Item = &str>| {
        codes
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let poor = quoted(
        &mut [HouseholdStatus::Poor, HouseholdStatus::Returned]
            .iter()
            .map(|s| s.code()),
    );
    let monitored = quoted(
        &mut fupin_core::responsibility::PAIRED_MONITORING
            .iter()
            .map(|m| m.code()),
    );
    (poor, monitored)
}

/// The network the coverage check needs at `as_of` (issue 11 at province scale): not every household
/// of the area but, read set-based through the indexes, its poor households (`household_by_status`),
/// the monitored households needing a cadre that no pairing active at the date covers (an anti-join
/// over `household_by_monitoring` and the pairing key), and the pairings active at the date with
/// their households; with the teams, cadres and units of [`network`] and the area whose policy judges
/// the whole (the common prefix of the area's lowest and highest household codes, which is that of
/// all of them). [`fupin_core::responsibility::check`] of it gives the gaps of the full network but
/// for a village whose threshold is zero (a policy of 0 poor households; the full read lists every
/// village with a household).
async fn check_network(db: &Db, prefix: &str, as_of: NaiveDate) -> Result<Network, StoreError> {
    let (lo, hi) = code_range(prefix);
    let as_of = as_of.to_string();
    let mut net = Network::default();
    let mut ends = Vec::new();
    for order in ["", " DESC"] {
        let sql = format!(
            "SELECT area_code FROM household WHERE area_code BETWEEN $1 AND $2 \
             ORDER BY area_code{order} LIMIT 1"
        );
        let end: Vec<(String,)> = db
            .query(&sql)
            .bind(lo.as_str())
            .bind(hi.as_str())
            .fetch_all_as(db)
            .await?;
        ends.extend(end.into_iter().map(|(a,)| a));
    }
    if let [first, last] = ends.as_slice() {
        let len = first
            .bytes()
            .zip(last.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        net.area = Some(first[..len].to_string());
    }
    let (poor, monitored) = scope_lists();
    let active = "p.start_date <= $3 AND (p.end_date IS NULL OR p.end_date > $3)";
    let sql = format!(
        "SELECT h.number, h.area_code, h.status, h.monitoring FROM household h \
         WHERE h.status IN ({poor}) AND h.area_code BETWEEN $1 AND $2 \
         UNION ALL SELECT h.number, h.area_code, h.status, h.monitoring FROM household h \
         WHERE h.monitoring IN ({monitored}) AND h.area_code BETWEEN $1 AND $2 \
         AND h.status NOT IN ({poor}) AND NOT EXISTS (SELECT 1 FROM pairing p \
         WHERE p.county = h.county AND p.household_number = h.number AND {active})"
    );
    let binds = [lo.as_str(), hi.as_str(), as_of.as_str()];
    let rows: Vec<(String, String, String, Option<String>)> = fetch(db, &sql, &binds).await?;
    let mut seen: std::collections::HashSet<String> = Default::default();
    let facts = |number: String, area_code: String, status: &str, monitoring: Option<&str>| {
        Ok::<_, StoreError>(HouseholdFacts {
            number,
            area_code,
            status: code::<HouseholdStatus>(status)?,
            monitoring: monitoring.and_then(MonitoringCategory::parse),
        })
    };
    for (number, area_code, status, monitoring) in rows {
        seen.insert(number.clone());
        net.households
            .push(facts(number, area_code, &status, monitoring.as_deref())?);
    }
    // Driven by the pairings (their key's county first, see `county_range`), each household by its
    // key: through the households' area index SQLite read every household of a province (22 s).
    let sql = format!(
        "SELECT h.area_code, h.status, h.monitoring, p.cadre, p.household_number, p.start_date, \
         p.end_date, p.end_reason FROM pairing p CROSS JOIN household h \
         WHERE p.county BETWEEN $4 AND $5 AND h.county = p.county \
         AND h.number = p.household_number AND h.area_code BETWEEN $1 AND $2 AND {active}"
    );
    let (county_lo, county_hi) = county_range(&lo, &hi);
    let binds = [
        lo.as_str(),
        hi.as_str(),
        as_of.as_str(),
        county_lo,
        county_hi,
    ];
    type ActiveTuple = (
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let pairings: Vec<ActiveTuple> = fetch(db, &sql, &binds).await?;
    for (area_code, status, monitoring, cadre, household, start, end, end_reason) in pairings {
        if !seen.contains(&household) {
            seen.insert(household.clone());
            net.households.push(facts(
                household.clone(),
                area_code,
                &status,
                monitoring.as_deref(),
            )?);
        }
        net.pairings.push(Pairing {
            cadre,
            household,
            start: date(&start)?,
            end: opt_date(end)?,
            end_reason,
        });
    }
    net.teams = teams_where(db, "t.village BETWEEN $1 AND $2", &[lo.clone(), hi.clone()]).await?;
    cadres_and_units(db, prefix, &mut net).await?;
    Ok(net)
}

impl Responsibility for SqlStore {
    fn save_network<'a>(&'a self, batch: &'a Batch, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(save(&self.db, batch, actor))
    }

    fn end_pairing<'a>(
        &'a self,
        cadre: &'a str,
        household: &'a str,
        end: NaiveDate,
        reason: &'a str,
        actor: &'a str,
    ) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            let mut c = tx.conn();
            let ended = end_open(&mut c, cadre, household, end, reason, actor).await?;
            if ended {
                tx.commit().await?;
            }
            Ok(ended)
        })
    }

    fn pair_households<'a>(
        &'a self,
        pairings: &'a [StoredPairing],
        actor: &'a str,
    ) -> BoxFut<'a, ()> {
        Box::pin(pair_households(&self.db, pairings, actor))
    }

    fn end_pairings<'a>(
        &'a self,
        pairs: &'a [(String, String)],
        end: NaiveDate,
        reason: &'a str,
        actor: &'a str,
    ) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            let mut c = tx.conn();
            for (i, (cadre, household)) in pairs.iter().enumerate() {
                if !end_open(&mut c, cadre, household, end, reason, actor).await? {
                    let zh = format!("户 {household} 与干部 {cadre} 没有进行中的结对");
                    let en =
                        format!("household {household} has no open pairing with cadre {cadre}");
                    return Err(refused(i + 1, household, "no_active_pairing", &zh, &en));
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn unpaired_households<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<HouseholdRow>> {
        Box::pin(async move {
            let (lo, hi) = code_range(prefix);
            let sql = format!(
                "{} WHERE h.area_code BETWEEN $1 AND $2 \
                 AND (h.status IN ('poor', 'returned') \
                 OR h.monitoring IN ('unstable', 'marginal', 'sudden_hardship')) \
                 AND NOT EXISTS (SELECT 1 FROM pairing p WHERE p.county = h.county \
                 AND p.household_number = h.number AND p.end_date IS NULL) ORDER BY h.number",
                crate::listing::LINE
            );
            let q = self.db.query(&sql).bind(lo.as_str()).bind(hi.as_str());
            crate::listing::lines(q, &self.db).await
        })
    }

    fn visit_area<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<String>> {
        Box::pin(async move {
            Ok(self
                .db
                .query("SELECT area_code FROM resp_visit WHERE id = $1")
                .bind(id)
                .scalar(&self.db)
                .await?)
        })
    }

    fn open_pairing_counts<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, HashMap<String, u64>> {
        Box::pin(async move {
            let rows: Vec<(String, i64)> = self
                .db
                .query(
                    "SELECT cadre, COUNT(DISTINCT household_number) FROM pairing \
                     WHERE end_date IS NULL AND cadre IN (SELECT id FROM resp_cadre \
                     WHERE area LIKE $1) GROUP BY cadre",
                )
                .bind(like(prefix))
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows.into_iter().map(|(k, n)| (k, n as u64)).collect())
        })
    }

    fn close_issue<'a>(
        &'a self,
        issue: &'a str,
        measure: &'a str,
        closed_on: NaiveDate,
        actor: &'a str,
    ) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            let mut c = tx.conn();
            let area: Option<String> = c
                .query(
                    "SELECT v.area_code FROM resp_issue i JOIN resp_visit v ON v.id = i.visit \
                     WHERE i.id = $1 AND i.closed_on IS NULL AND v.visit_date <= $2",
                )
                .bind(issue)
                .bind(closed_on.to_string())
                .scalar(&mut c)
                .await?;
            let Some(area) = area else {
                return Ok(false);
            };
            c.query("UPDATE resp_issue SET measure = $1, closed_on = $2 WHERE id = $3")
                .bind(measure)
                .bind(closed_on.to_string())
                .bind(issue)
                .execute(&mut c)
                .await?;
            let e = Entry {
                county: county_of(&area),
                entity: "issue",
                key: issue,
                action: "close",
                actor,
            };
            let after = json!({"measure": measure, "closed_on": closed_on});
            audit::record(&mut c, e, after).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn units<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredUnit>> {
        Box::pin(async move {
            let rows: Vec<UnitTuple> = self
                .db
                .query(
                    "SELECT code, area, name, kind FROM resp_unit WHERE area LIKE $1 ORDER BY code",
                )
                .bind(like(prefix))
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter().map(unit_of).collect()
        })
    }

    fn cadres<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredCadre>> {
        Box::pin(async move {
            let sql = format!("SELECT {CADRE_COLS} FROM resp_cadre WHERE area LIKE $1 ORDER BY id");
            let rows: Vec<CadreTuple> = self
                .db
                .query(&sql)
                .bind(like(prefix))
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter().map(cadre_of).collect()
        })
    }

    fn cadre<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<StoredCadre>> {
        Box::pin(async move {
            let sql = format!("SELECT {CADRE_COLS} FROM resp_cadre WHERE id = $1");
            let rows: Vec<CadreTuple> = self.db.query(&sql).bind(id).fetch_all_as(&self.db).await?;
            rows.into_iter().next().map(cadre_of).transpose()
        })
    }

    fn cadre_of_account<'a>(&'a self, account: &'a str) -> BoxFut<'a, Option<StoredCadre>> {
        Box::pin(async move {
            let sql = format!("SELECT {CADRE_COLS} FROM resp_cadre WHERE account = $1 ORDER BY id");
            let rows: Vec<CadreTuple> = self
                .db
                .query(&sql)
                .bind(account)
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter().next().map(cadre_of).transpose()
        })
    }

    fn pairings<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<StoredPairing>> {
        Box::pin(async move {
            let (lo, hi) = code_range(prefix);
            pairings_where(
                &self.db,
                "h.area_code BETWEEN $1 AND $2 ORDER BY p.household_number, p.start_date, p.cadre",
                &[lo.as_str(), hi.as_str()],
            )
            .await
        })
    }

    fn pairings_of_household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<StoredPairing>> {
        Box::pin(async move {
            pairings_where(
                &self.db,
                "p.household_number = $1 ORDER BY p.start_date, p.cadre",
                &[number],
            )
            .await
        })
    }

    fn pairings_of_cadre<'a>(&'a self, cadre: &'a str) -> BoxFut<'a, Vec<StoredPairing>> {
        Box::pin(async move {
            pairings_where(
                &self.db,
                "p.cadre = $1 ORDER BY p.start_date, p.household_number",
                &[cadre],
            )
            .await
        })
    }

    fn teams<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<WorkTeam>> {
        Box::pin(async move { teams_where(&self.db, "t.village LIKE $1", &[like(prefix)]).await })
    }

    fn enterprise_pairings<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<EnterprisePairing>> {
        Box::pin(async move {
            let rows: Vec<(String, String, String, Option<String>)> = self
                .db
                .query(
                    "SELECT unit, village, start_date, end_date FROM resp_enterprise_pairing \
                     WHERE village LIKE $1 ORDER BY village, unit, start_date",
                )
                .bind(like(prefix))
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter()
                .map(|(unit, village, start, end)| {
                    Ok(EnterprisePairing {
                        unit,
                        village,
                        start: date(&start)?,
                        end: opt_date(end)?,
                    })
                })
                .collect()
        })
    }

    fn letters<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Letter>> {
        Box::pin(async move {
            let rows: Vec<(String, String, String, String, String)> = self
                .db
                .query(
                    "SELECT id, area, signer, level, signed_on FROM resp_letter \
                     WHERE area LIKE $1 ORDER BY id",
                )
                .bind(like(prefix))
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter()
                .map(|(id, area, signer, level, signed_on)| {
                    Ok(Letter {
                        id,
                        area,
                        signer,
                        level,
                        signed_on: date(&signed_on)?,
                    })
                })
                .collect()
        })
    }

    fn visits<'a>(
        &'a self,
        prefix: &'a str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, Vec<StoredVisit>> {
        Box::pin(async move {
            let (lo, hi) = code_range(prefix);
            visits_where(
                &self.db,
                "v.area_code BETWEEN $1 AND $2 AND v.visit_date BETWEEN $3 AND $4",
                &[lo, hi, from.to_string(), to.to_string()],
            )
            .await
        })
    }

    fn visits_of_household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<StoredVisit>> {
        Box::pin(async move {
            visits_where(&self.db, "v.household_number = $1", &[number.to_string()]).await
        })
    }

    fn visit_figures<'a>(
        &'a self,
        prefix: &'a str,
        group: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, Vec<(String, VisitFigures)>> {
        Box::pin(visit_figures(&self.db, prefix, group, from, to))
    }

    fn network<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Network> {
        Box::pin(network(&self.db, prefix))
    }

    fn check_network<'a>(&'a self, prefix: &'a str, as_of: NaiveDate) -> BoxFut<'a, Network> {
        Box::pin(check_network(&self.db, prefix, as_of))
    }
}
