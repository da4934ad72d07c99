//! The monitoring workflow's records (防返贫监测, DOMAIN.md §13; migration 0014): signals (a
//! self-report, a cadre's visit, a department's data), cases from signal to county decision with
//! every step (who, when, note, documents' names), and risk eliminations with their evidence. The
//! rules are `fupin_core::monitoring`'s; who may record which step is the web's (`authz`).
//!
//! A household's stored monitoring category changes here only through a decided case (an
//! enrolment: event `entered_monitoring`, its reason the case id) or a recorded risk elimination
//! (event `risk_eliminated`, its reason the case id when there is one); each change is audited with
//! the household's new fingerprint and marks its village's roll-ups. Every write is audited
//! (entities `monitoring_signal`, `monitoring_case`).

use crate::audit::{self, Entry};
use crate::error::{RowError, StoreError};
use crate::repo::BoxFut;
use crate::sql::{in_list, values, Backend, Conn, Db, Row};
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::area::{code_range, county_of};
use fupin_core::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use fupin_core::money::Decimal;
use fupin_core::monitoring::{
    self as rules, case_id, Alert, AlertCode, CaseInput, CaseTiming, DepartmentRow, Outcome,
    Registered, Source, Step, StepRecord,
};
use fupin_core::policy::PolicySet;
use fupin_core::registry::kind;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A signal waiting to be verified (or already turned into a case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signal {
    /// The receipt number (`S` + date + sequence).
    pub id: String,
    pub area_code: String,
    /// `self_report`, `visit` or `department`.
    pub source: String,
    pub reported_on: String,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    /// What happened: `illness`, `accident`, `disaster`, `job_loss`, `other`, or a department item.
    pub what: String,
    /// Yuan, two places.
    pub amount: Option<String>,
    pub note: Option<String>,
    /// The registered household of the ID number when there is one (never shown to the reporter).
    pub household: Option<String>,
    /// `new`, `case` (a case is open from it) or `dismissed`.
    pub status: String,
    pub case_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A new signal.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub area_code: String,
    pub source: Source,
    pub reported_on: NaiveDate,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub what: String,
    pub amount: Option<Decimal>,
    pub note: Option<String>,
    pub actor: String,
}

/// One recorded step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseStep {
    pub step: String,
    pub date: String,
    pub actor: String,
    pub note: Option<String>,
    /// The names of the documents the step rests on (入户核实表, 评议记录, 公示照片, ...).
    pub documents: Vec<String>,
    pub outcome: Option<String>,
    pub category: Option<String>,
    pub recorded_at: String,
}

/// A monitoring case with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// `K` + year + six digits (`K2021000001`).
    pub id: String,
    pub household: String,
    pub area_code: String,
    pub source: String,
    pub signal_date: String,
    pub signal_id: Option<String>,
    /// What raised it (a department's item and amount, a self-report's text).
    pub detail: Option<String>,
    /// The last recorded step (`signal` when none).
    pub step: String,
    /// `open`, `enrolled` or `rejected`.
    pub status: String,
    pub category: Option<String>,
    pub decided_on: Option<String>,
    pub opened_by: String,
    pub opened_at: String,
    pub steps: Vec<CaseStep>,
}

impl Case {
    /// The case as the timing rules see it.
    pub fn input(&self) -> CaseInput {
        CaseInput {
            id: self.id.clone(),
            household: self.household.clone(),
            source: Source::parse(&self.source).unwrap_or(Source::Visit),
            signal_date: date(&self.signal_date),
            steps: self
                .steps
                .iter()
                .map(|s| StepRecord {
                    step: Step::parse(&s.step).unwrap_or(Step::Signal),
                    date: date(&s.date),
                    outcome: s.outcome.as_deref().and_then(Outcome::parse),
                    category: s.category.as_deref().and_then(MonitoringCategory::parse),
                })
                .collect(),
        }
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

/// A new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub household: String,
    pub source: Source,
    pub signal_date: NaiveDate,
    pub signal_id: Option<String>,
    pub detail: Option<String>,
    pub actor: String,
}

/// A step to record.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub step: Step,
    pub date: NaiveDate,
    pub note: Option<String>,
    pub documents: Vec<String>,
    pub outcome: Option<Outcome>,
    pub category: Option<MonitoringCategory>,
    pub actor: String,
}

/// A risk elimination judged and recorded, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Elimination {
    pub household: String,
    pub case_id: Option<String>,
    pub decided_on: String,
    pub months_above_line: i64,
    pub rigid_expense_resolved: bool,
    pub social_security: Option<bool>,
    /// The failed checks (codes); empty when eliminated.
    pub failed: Vec<String>,
    pub eliminated: bool,
    pub note: Option<String>,
    pub actor: String,
}

/// The monitoring workflow's records.
pub trait Monitoring: Send + Sync {
    /// Records a signal; its receipt number is its id. A person's ID number is matched to their
    /// current household (not removed) for the cadres, never shown to the reporter.
    fn add_signal<'a>(&'a self, s: &'a NewSignal) -> BoxFut<'a, Signal>;
    /// Signals under an area prefix (of one status when given), newest first.
    fn signals<'a>(&'a self, area: &'a str, status: Option<&'a str>) -> BoxFut<'a, Vec<Signal>>;
    fn signal<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Signal>>;
    /// Signals of one ID number reported on or after `since` (the self-report's limit).
    fn signals_since<'a>(&'a self, id_number: &'a str, since: NaiveDate) -> BoxFut<'a, u64>;
    /// Dismisses a signal waiting to be verified (status `new` → `dismissed`) with its reason,
    /// audited (action `dismiss`, the reason and the date in the entry). Refused (`Rejected`, code
    /// `signal_closed`) when the signal is no longer waiting. A case can still be opened for the
    /// household later.
    fn dismiss_signal<'a>(
        &'a self,
        id: &'a str,
        reason: &'a str,
        on: NaiveDate,
        actor: &'a str,
    ) -> BoxFut<'a, Signal>;
    /// Opens a case unless the household has an open one: `(id, opened)`; the open case's id with
    /// `false` otherwise. A case from a signal marks the signal `case`.
    fn open_case<'a>(&'a self, c: &'a NewCase) -> BoxFut<'a, (String, bool)>;
    /// [`Monitoring::open_case`] for many cases in one transaction (all or nothing), in order: a
    /// household's second case of the list gets none. Ids are allocated in a block.
    fn open_cases<'a>(&'a self, cases: &'a [NewCase]) -> BoxFut<'a, Vec<(String, bool)>>;
    fn case<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Case>>;
    /// Cases under an area prefix (of one status when given), with their steps.
    fn cases<'a>(&'a self, area: &'a str, status: Option<&'a str>) -> BoxFut<'a, Vec<Case>>;
    fn household_cases<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Case>>;
    /// Records the next step of an open case. Refused (`Rejected`, code `step_order`,
    /// `decision_outcome`, `decision_category`, `case_closed`) when out of order, dated before the
    /// signal or the step before, or a decision without its outcome. A county decision closes the
    /// case; an enrolment sets the household's category (event `entered_monitoring`, reason the
    /// case id).
    fn record_case_step<'a>(&'a self, case: &'a str, s: &'a NewStep) -> BoxFut<'a, Case>;
    /// Records a risk elimination's judgement and evidence; when eliminated, the household's
    /// category becomes `risk_eliminated` (event `risk_eliminated`).
    fn record_elimination<'a>(&'a self, e: &'a Elimination) -> BoxFut<'a, ()>;
    fn eliminations<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Elimination>>;
    /// Current members (not left, household not removed) among `ids`, by ID number.
    fn registered<'a>(&'a self, ids: &'a [&'a str]) -> BoxFut<'a, HashMap<String, Registered>>;
}

/// How many values one `IN (...)` lookup binds (both backends allow far more; fewer round trips).
const LOOKUP_CHUNK: usize = 5000;
/// How many cases one multi-row insert writes (14 values each).
const INSERT_CHUNK: usize = 500;

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn rejected(code: &str, zh: &str, en: &str) -> StoreError {
    StoreError::Rejected(Box::new(RowError::new(0, "step", "", code, zh, en)))
}

fn signal_from(r: &Row) -> Result<Signal, StoreError> {
    let amount: Option<i64> = r.try_get("amount")?;
    Ok(Signal {
        id: r.try_get("id")?,
        area_code: r.try_get("area_code")?,
        source: r.try_get("source")?,
        reported_on: r.try_get("reported_on")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        phone: r.try_get("phone")?,
        what: r.try_get("what")?,
        amount: amount.map(|f| fupin_core::money::fmt2(Decimal::new(f, 2))),
        note: r.try_get("note")?,
        household: r.try_get("household_number")?,
        status: r.try_get("status")?,
        case_id: r.try_get("case_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const SIGNAL_COLUMNS: &str = "id, area_code, source, reported_on, name, id_number, phone, what, \
     amount, note, household_number, status, case_id, created_by, created_at";

const CASE_COLUMNS: &str = "county, id, household_number, area_code, source, signal_date, \
     signal_id, detail, step, status, category, decided_on, opened_by, opened_at";

async fn select_signals(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Signal>, StoreError> {
    let sql = format!(
        "SELECT {SIGNAL_COLUMNS} FROM monitoring_signal {filter} ORDER BY created_at DESC, id DESC"
    );
    let mut q = db.query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(db).await?.iter().map(signal_from).collect()
}

async fn select_cases(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Case>, StoreError> {
    let sql =
        format!("SELECT {CASE_COLUMNS} FROM monitoring_case {filter} ORDER BY signal_date, id");
    let mut q = db.query(&sql);
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(db).await?;
    let mut cases = Vec::with_capacity(rows.len());
    let mut by_county: HashMap<String, Vec<usize>> = HashMap::new();
    for r in &rows {
        let county: String = r.try_get("county")?;
        by_county.entry(county).or_default().push(cases.len());
        cases.push(Case {
            id: r.try_get("id")?,
            household: r.try_get("household_number")?,
            area_code: r.try_get("area_code")?,
            source: r.try_get("source")?,
            signal_date: r.try_get("signal_date")?,
            signal_id: r.try_get("signal_id")?,
            detail: r.try_get("detail")?,
            step: r.try_get("step")?,
            status: r.try_get("status")?,
            category: r.try_get("category")?,
            decided_on: r.try_get("decided_on")?,
            opened_by: r.try_get("opened_by")?,
            opened_at: r.try_get("opened_at")?,
            steps: Vec::new(),
        });
    }
    // The steps, 500 cases at a time.
    let index: HashMap<String, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT case_id, step, step_date, actor, note, documents, outcome, category, recorded_at \
             FROM monitoring_step WHERE case_id IN ({}) ORDER BY case_id, seq",
            in_list(db.backend(), chunk.len())
        );
        let mut q = db.query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(db).await? {
            let id: String = r.try_get("case_id")?;
            let documents: String = r.try_get("documents")?;
            if let Some(&i) = index.get(&id) {
                cases[i].steps.push(CaseStep {
                    step: r.try_get("step")?,
                    date: r.try_get("step_date")?,
                    actor: r.try_get("actor")?,
                    note: r.try_get("note")?,
                    documents: documents
                        .split('\n')
                        .filter(|d| !d.is_empty())
                        .map(str::to_string)
                        .collect(),
                    outcome: r.try_get("outcome")?,
                    category: r.try_get("category")?,
                    recorded_at: r.try_get("recorded_at")?,
                });
            }
        }
    }
    Ok(cases)
}

/// The next id of a prefix (`K2021`, `S20210601`): the largest stored plus one.
async fn next_id(
    conn: &mut Conn<'_>,
    table: &str,
    prefix: &str,
    digits: usize,
) -> Result<String, StoreError> {
    let sql = format!("SELECT MAX(id) FROM {table} WHERE id LIKE $1");
    let max: Option<String> = conn
        .query(&sql)
        .bind(format!("{prefix}%"))
        .scalar::<Option<String>>(&mut *conn)
        .await?
        .flatten();
    let seq = max
        .and_then(|m| m.get(prefix.len()..)?.parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    Ok(format!("{prefix}{seq:0digits$}"))
}

/// The current household of an ID number (not left, household not removed).
async fn household_of(conn: &mut Conn<'_>, id_number: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query(
            "SELECT h.number FROM member m JOIN household h \
             ON h.county = m.county AND h.number = m.household_number \
             WHERE m.id_number = $1 AND m.left_on IS NULL AND h.status <> 'removed'",
        )
        .bind(id_number)
        .scalar(&mut *conn)
        .await?)
}

async fn add_signal(db: &Db, s: &NewSignal) -> Result<Signal, StoreError> {
    let mut tx = db.begin().await?;
    let household = household_of(&mut tx.conn(), &s.id_number).await?;
    let id = insert_signal(&mut tx.conn(), s, household.as_deref()).await?;
    tx.commit().await?;
    Ok(select_signals(db, "WHERE id = $1", &[&id])
        .await?
        .pop()
        .expect("inserted"))
}

/// Inserts a new signal (status `new`) of `household` with its audit entry; returns its id.
async fn insert_signal(
    conn: &mut Conn<'_>,
    s: &NewSignal,
    household: Option<&str>,
) -> Result<String, StoreError> {
    let county = county_of(&s.area_code).to_string();
    let prefix = format!("S{}", s.reported_on.format("%Y%m%d"));
    let id = next_id(conn, "monitoring_signal", &prefix, 6).await?;
    let at = now();
    let amount = s.amount.map(|a| {
        (a * Decimal::from(100))
            .round()
            .try_into()
            .unwrap_or(i64::MAX)
    });
    conn.query(&format!(
        "INSERT INTO monitoring_signal ({SIGNAL_COLUMNS}, county) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', NULL, $12, $13, $14)"
    ))
    .bind(id.as_str())
    .bind(s.area_code.as_str())
    .bind(s.source.code())
    .bind(s.reported_on.to_string())
    .bind(s.name.as_str())
    .bind(s.id_number.as_str())
    .bind(s.phone.as_deref())
    .bind(s.what.as_str())
    .bind(amount)
    .bind(s.note.as_deref())
    .bind(household)
    .bind(s.actor.as_str())
    .bind(at.as_str())
    .bind(county.as_str())
    .execute(&mut *conn)
    .await?;
    let entry = Entry {
        county: &county,
        entity: "monitoring_signal",
        key: &id,
        action: "report",
        actor: &s.actor,
    };
    let after = serde_json::json!({"id": id, "source": s.source.code(), "area_code": s.area_code,
        "what": s.what, "household": household});
    audit::record(conn, entry, after).await?;
    Ok(id)
}

/// What a signal of the registry's judgement says happened.
pub const MONITORING_RISK: &str = "monitoring_risk";

/// A signal (source `registry`, what `monitoring_risk`) for a household an interactive write left
/// judged monitored but not monitored (issue 13: the category changes only through a decided
/// case): its head as the person, the judgement in words as the note. None when the household
/// already has a signal waiting (`new`) or an open case. Inside the write's transaction.
pub(crate) async fn raise_registry_signal(
    conn: &mut Conn<'_>,
    h: &fupin_core::registry::HouseholdRecord,
    j: &fupin_core::registry::monitoring::Judgement,
    on: NaiveDate,
    actor: &str,
) -> Result<Option<String>, StoreError> {
    let county = h.county().to_string();
    let waiting: Option<i64> = conn
        .query(
            "SELECT (SELECT COUNT(*) FROM monitoring_signal WHERE county = $1 \
             AND household_number = $2 AND status = 'new') \
             + (SELECT COUNT(*) FROM monitoring_case WHERE county = $1 \
             AND household_number = $2 AND status = 'open')",
        )
        .bind(county.as_str())
        .bind(h.number.as_str())
        .scalar(&mut *conn)
        .await?;
    if waiting.unwrap_or(0) > 0 {
        return Ok(None);
    }
    let head = h
        .members
        .iter()
        .find(|m| m.relation == fupin_core::codes::Relation::Head)
        .or(h.members.first());
    let mut note = format!("研判为{} / judged {}", j.category.zh(), j.category.code());
    if let (Some(year), Some(line)) = (j.income_year, j.line) {
        note.push_str(&format!(
            ":{year}年人均纯收入 {} 元,监测线 {} 元 / {year} income {} a head, line {}",
            fupin_core::money::fmt2(j.per_capita),
            fupin_core::money::fmt_plain(line),
            fupin_core::money::fmt2(j.per_capita),
            fupin_core::money::fmt_plain(line),
        ));
    }
    if !j.reasons.is_empty() {
        let zh: Vec<&str> = j.reasons.iter().map(|c| c.zh()).collect();
        note.push_str(&format!(";{}", zh.join("、")));
    }
    let s = NewSignal {
        area_code: h.area_code.clone(),
        source: Source::Registry,
        reported_on: on,
        name: head.map(|m| m.name.clone()).unwrap_or_default(),
        id_number: head.map(|m| m.id_number.clone()).unwrap_or_default(),
        phone: h.phone.clone(),
        what: MONITORING_RISK.to_string(),
        amount: None,
        note: Some(note),
        actor: actor.to_string(),
    };
    Ok(Some(insert_signal(conn, &s, Some(&h.number)).await?))
}

async fn dismiss_signal(
    db: &Db,
    id: &str,
    reason: &str,
    on: NaiveDate,
    actor: &str,
) -> Result<Signal, StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(String, String)> = tx
        .query("SELECT county, status FROM monitoring_signal WHERE id = $1")
        .bind(id)
        .fetch_all_as::<(String, String)>(&mut tx)
        .await?
        .into_iter()
        .next();
    let Some((county, status)) = found else {
        return Err(StoreError::NotFound(id.to_string()));
    };
    if status != "new" {
        return Err(StoreError::Rejected(Box::new(RowError::new(
            0,
            "id",
            id,
            "signal_closed",
            &format!("信号 {id} 已处理(状态 {status}),不能再排除"),
            &format!("signal {id} is no longer waiting (status {status}) and cannot be dismissed"),
        ))));
    }
    tx.query("UPDATE monitoring_signal SET status = 'dismissed' WHERE county = $1 AND id = $2")
        .bind(county.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    let entry = Entry {
        county: &county,
        entity: "monitoring_signal",
        key: id,
        action: "dismiss",
        actor,
    };
    let after = serde_json::json!({"id": id, "status": "dismissed", "reason": reason,
        "date": on.to_string()});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(select_signals(db, "WHERE id = $1", &[id])
        .await?
        .pop()
        .expect("stored"))
}

/// Opens the cases of `cases` in ONE transaction (all or nothing), in order: a household with an
/// open case (stored, or opened earlier in the list) gets none — its open case's id with `false`;
/// the others get ids allocated in a block per year (`K` + year + six digits, after the largest
/// stored), inserted and audited with multi-row statements. A household not in the registry fails
/// the whole call (`NotFound`).
async fn open_cases(db: &Db, cases: &[NewCase]) -> Result<Vec<(String, bool)>, StoreError> {
    let backend = db.backend();
    let mut tx = db.begin().await?;
    let mut numbers: Vec<&str> = cases.iter().map(|c| c.household.as_str()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    // Each household's county and village, and its open case.
    let mut place: HashMap<String, (String, String)> = HashMap::new();
    let mut open: HashMap<String, String> = HashMap::new();
    for chunk in numbers.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT number, county, area_code FROM household WHERE number IN ({})",
            in_list(backend, chunk.len())
        );
        let mut q = tx.query(&sql);
        for n in chunk {
            q = q.bind(*n);
        }
        for (n, county, area) in q.fetch_all_as::<(String, String, String)>(&mut tx).await? {
            place.insert(n, (county, area));
        }
        let sql = format!(
            "SELECT household_number, id FROM monitoring_case WHERE status = 'open' \
             AND household_number IN ({})",
            in_list(backend, chunk.len())
        );
        let mut q = tx.query(&sql);
        for n in chunk {
            q = q.bind(*n);
        }
        for (n, id) in q.fetch_all_as::<(String, String)>(&mut tx).await? {
            open.insert(n, id);
        }
    }
    let mut next: HashMap<i32, u32> = HashMap::new();
    let mut out = Vec::with_capacity(cases.len());
    let mut new: Vec<(String, &NewCase, &str, &str)> = Vec::new();
    for c in cases {
        if let Some(id) = open.get(&c.household) {
            out.push((id.clone(), false));
            continue;
        }
        let Some((county, area)) = place.get(&c.household) else {
            return Err(StoreError::NotFound(c.household.clone()));
        };
        let year = chrono::Datelike::year(&c.signal_date);
        let seq = match next.get(&year) {
            Some(&seq) => seq,
            None => {
                let first =
                    next_id(&mut tx.conn(), "monitoring_case", &format!("K{year}"), 6).await?;
                first[5..].parse::<u32>().unwrap_or(1)
            }
        };
        next.insert(year, seq + 1);
        let id = case_id(year, seq);
        open.insert(c.household.clone(), id.clone());
        out.push((id.clone(), true));
        new.push((id, c, county.as_str(), area.as_str()));
    }
    let at = now();
    const COLS: usize = 14;
    for chunk in new.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO monitoring_case ({CASE_COLUMNS}) {}",
            values(backend, chunk.len(), COLS)
        );
        let mut q = tx.query(&sql);
        for (id, c, county, area) in chunk {
            q = q
                .bind(*county)
                .bind(id.as_str())
                .bind(c.household.as_str())
                .bind(*area)
                .bind(c.source.code())
                .bind(c.signal_date.to_string())
                .bind(c.signal_id.as_deref())
                .bind(c.detail.as_deref())
                .bind("signal")
                .bind("open")
                .bind(None::<&str>)
                .bind(None::<&str>)
                .bind(c.actor.as_str())
                .bind(at.as_str());
        }
        q.execute(&mut tx).await?;
        // Seven values a row; the effective date and the before-state are NULL.
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| match backend {
                Backend::Sqlite => "(?, ?, ?, ?, ?, ?, NULL, NULL, ?)".to_string(),
                Backend::Postgres => {
                    let p: Vec<String> = (1..=7).map(|c| format!("${}", r * 7 + c)).collect();
                    format!(
                        "({}, {}, {}, {}, {}, {}, NULL, NULL, {})",
                        p[0], p[1], p[2], p[3], p[4], p[5], p[6]
                    )
                }
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, \
             before_json, after_json) VALUES {}",
            rows.join(", ")
        );
        let mut q = tx.query(&sql);
        let now = chrono::Utc::now();
        for (id, c, county, _) in chunk {
            let after = serde_json::json!({"id": id, "household": c.household,
                "source": c.source.code(), "signal_date": c.signal_date.to_string(),
                "signal": c.signal_id, "detail": c.detail});
            q = q
                .bind(*county)
                .bind("monitoring_case")
                .bind(id.as_str())
                .bind("open")
                .bind(c.actor.as_str())
                .bind(now)
                .bind(sqlx::types::Json(after));
        }
        q.execute(&mut tx).await?;
    }
    for (id, c, _, _) in &new {
        if let Some(signal) = &c.signal_id {
            tx.query("UPDATE monitoring_signal SET status = 'case', case_id = $1 WHERE id = $2")
                .bind(id.as_str())
                .bind(signal.as_str())
                .execute(&mut tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(out)
}

async fn open_case(db: &Db, c: &NewCase) -> Result<(String, bool), StoreError> {
    let mut tx = db.begin().await?;
    let found: Option<(String, String)> = tx
        .query("SELECT county, area_code FROM household WHERE number = $1")
        .bind(c.household.as_str())
        .fetch_all_as::<(String, String)>(&mut tx)
        .await?
        .into_iter()
        .next();
    let Some((county, area)) = found else {
        return Err(StoreError::NotFound(c.household.clone()));
    };
    let open: Option<String> = tx
        .query(
            "SELECT id FROM monitoring_case WHERE county = $1 AND household_number = $2 \
             AND status = 'open'",
        )
        .bind(county.as_str())
        .bind(c.household.as_str())
        .scalar(&mut tx)
        .await?;
    if let Some(id) = open {
        return Ok((id, false));
    }
    let year = chrono::Datelike::year(&c.signal_date);
    let id = next_id(&mut tx.conn(), "monitoring_case", &format!("K{year}"), 6).await?;
    debug_assert_eq!(id.len(), case_id(year, 1).len());
    let at = now();
    tx.query(&format!(
        "INSERT INTO monitoring_case ({CASE_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'signal', 'open', NULL, NULL, $9, $10)"
    ))
    .bind(county.as_str())
    .bind(id.as_str())
    .bind(c.household.as_str())
    .bind(area.as_str())
    .bind(c.source.code())
    .bind(c.signal_date.to_string())
    .bind(c.signal_id.as_deref())
    .bind(c.detail.as_deref())
    .bind(c.actor.as_str())
    .bind(at.as_str())
    .execute(&mut tx)
    .await?;
    if let Some(signal) = &c.signal_id {
        tx.query("UPDATE monitoring_signal SET status = 'case', case_id = $1 WHERE id = $2")
            .bind(id.as_str())
            .bind(signal.as_str())
            .execute(&mut tx)
            .await?;
    }
    let entry = Entry {
        county: &county,
        entity: "monitoring_case",
        key: &id,
        action: "open",
        actor: &c.actor,
    };
    let after = serde_json::json!({"id": id, "household": c.household, "source": c.source.code(),
        "signal_date": c.signal_date.to_string(), "signal": c.signal_id, "detail": c.detail});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok((id, true))
}

/// Sets a household's stored monitoring category from the workflow: the row (version + 1), a
/// dated event naming the case, an audit entry with the new fingerprint, its village's roll-ups.
async fn set_category(
    conn: &mut Conn<'_>,
    household: &str,
    category: MonitoringCategory,
    event: &str,
    reason: Option<&str>,
    on: NaiveDate,
    actor: &str,
) -> Result<(), StoreError> {
    let mut stored = crate::registry::load_stored(conn, &[household]).await?;
    let Some(mut h) = stored.remove(household) else {
        return Err(StoreError::NotFound(household.to_string()));
    };
    let before = h.monitoring;
    h.monitoring = Some(category);
    h.version += 1;
    let county = h.county().to_string();
    conn.query(
        "UPDATE household SET monitoring = $1, version = version + 1 \
         WHERE county = $2 AND number = $3",
    )
    .bind(category.code())
    .bind(county.as_str())
    .bind(household)
    .execute(&mut *conn)
    .await?;
    conn.query(
        "INSERT INTO event (county, household_number, id_number, kind, detail, reason, \
         effective_date, actor, recorded_at) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8)",
    )
    .bind(county.as_str())
    .bind(household)
    .bind(event)
    .bind(category.code())
    .bind(reason)
    .bind(on)
    .bind(actor)
    .bind(chrono::Utc::now())
    .execute(&mut *conn)
    .await?;
    conn.query(
        "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, \
         before_json, after_json, state) VALUES ($1, 'household', $2, 'update', $3, $4, $5, $6, $7, $8)",
    )
    .bind(county.as_str())
    .bind(household)
    .bind(actor)
    .bind(chrono::Utc::now())
    .bind(on)
    .bind(sqlx::types::Json(
        serde_json::json!({"monitoring": before.map(|c| c.code())}),
    ))
    .bind(sqlx::types::Json(
        serde_json::json!({"monitoring": category.code(), "case": reason}),
    ))
    .bind(h.fingerprint())
    .execute(&mut *conn)
    .await?;
    crate::rollup::mark(conn, &BTreeSet::from([h.area_code.clone()])).await?;
    Ok(())
}

async fn record_step(db: &Db, id: &str, s: &NewStep) -> Result<Case, StoreError> {
    let Some(case) = select_cases(db, "WHERE id = $1", &[id]).await?.pop() else {
        return Err(StoreError::NotFound(id.to_string()));
    };
    if case.status != "open" {
        return Err(rejected(
            "case_closed",
            "案件已确定,不能再记录步骤",
            "the case is decided: no step can be added",
        ));
    }
    let mut input = case.input();
    let new = StepRecord {
        step: s.step,
        date: s.date,
        outcome: s.outcome,
        category: s.category,
    };
    input.steps.push(new);
    if let Some(e) = rules::step_errors(input.signal_date, &input.steps)
        .into_iter()
        .find(|e| e.step_index == input.steps.len())
    {
        return Err(rejected(e.code, &e.zh, &e.en));
    }
    let county = county_of(&case.area_code).to_string();
    let mut tx = db.begin().await?;
    let at = now();
    let documents: Vec<&str> = s
        .documents
        .iter()
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
        .collect();
    tx.query(
        "INSERT INTO monitoring_step (county, case_id, seq, step, step_date, actor, note, \
         documents, outcome, category, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(county.as_str())
    .bind(id)
    .bind(input.steps.len() as i64)
    .bind(s.step.code())
    .bind(s.date.to_string())
    .bind(s.actor.as_str())
    .bind(s.note.as_deref())
    .bind(documents.join("\n"))
    .bind(s.outcome.map(|o| o.code()))
    .bind(s.category.map(|c| c.code()))
    .bind(at.as_str())
    .execute(&mut tx)
    .await?;
    let status = match s.outcome {
        Some(Outcome::Enrolled) => "enrolled",
        Some(Outcome::Rejected) => "rejected",
        None => "open",
    };
    let changed = tx
        .query(
            "UPDATE monitoring_case SET step = $1, status = $2, category = $3, decided_on = $4 \
             WHERE county = $5 AND id = $6 AND status = 'open'",
        )
        .bind(s.step.code())
        .bind(status)
        .bind(s.category.map(|c| c.code()))
        .bind((s.step == Step::CountyDecision).then(|| s.date.to_string()))
        .bind(county.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    if changed == 0 {
        return Err(rejected(
            "case_closed",
            "案件已确定,不能再记录步骤",
            "the case is decided: no step can be added",
        ));
    }
    if let (Some(Outcome::Enrolled), Some(category)) = (s.outcome, s.category) {
        set_category(
            &mut tx.conn(),
            &case.household,
            category,
            kind::ENTERED_MONITORING,
            Some(id),
            s.date,
            &s.actor,
        )
        .await?;
    }
    let entry = Entry {
        county: &county,
        entity: "monitoring_case",
        key: id,
        action: s.step.code(),
        actor: &s.actor,
    };
    let after = serde_json::json!({"step": s.step.code(), "date": s.date.to_string(),
        "note": s.note, "documents": documents, "outcome": s.outcome.map(|o| o.code()),
        "category": s.category.map(|c| c.code())});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    if s.outcome == Some(Outcome::Enrolled) {
        let mut tx = db.begin().await?;
        crate::rollup::refresh(&mut tx.conn()).await?;
        tx.commit().await?;
    }
    Ok(select_cases(db, "WHERE id = $1", &[id])
        .await?
        .pop()
        .expect("stored"))
}

async fn record_elimination(db: &Db, e: &Elimination) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let county: Option<String> = tx
        .query("SELECT county FROM household WHERE number = $1")
        .bind(e.household.as_str())
        .scalar(&mut tx)
        .await?;
    let Some(county) = county else {
        return Err(StoreError::NotFound(e.household.clone()));
    };
    tx.query(
        "INSERT INTO monitoring_elimination (county, household_number, case_id, decided_on, \
         months_above_line, rigid_expense_resolved, social_security, failed, eliminated, note, \
         actor, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(county.as_str())
    .bind(e.household.as_str())
    .bind(e.case_id.as_deref())
    .bind(e.decided_on.as_str())
    .bind(e.months_above_line)
    .bind(e.rigid_expense_resolved)
    .bind(e.social_security)
    .bind(e.failed.join(","))
    .bind(e.eliminated)
    .bind(e.note.as_deref())
    .bind(e.actor.as_str())
    .bind(now())
    .execute(&mut tx)
    .await?;
    if e.eliminated {
        set_category(
            &mut tx.conn(),
            &e.household,
            MonitoringCategory::RiskEliminated,
            kind::RISK_ELIMINATED,
            e.case_id.as_deref(),
            date(&e.decided_on),
            &e.actor,
        )
        .await?;
    }
    let entry = Entry {
        county: &county,
        entity: "monitoring_elimination",
        key: &e.household,
        action: if e.eliminated { "eliminate" } else { "judge" },
        actor: &e.actor,
    };
    audit::record(
        &mut tx.conn(),
        entry,
        serde_json::to_value(e).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    if e.eliminated {
        let mut tx = db.begin().await?;
        crate::rollup::refresh(&mut tx.conn()).await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn eliminations(db: &Db, number: &str) -> Result<Vec<Elimination>, StoreError> {
    let rows = db
        .query(
            "SELECT household_number, case_id, decided_on, months_above_line, \
             rigid_expense_resolved, social_security, failed, eliminated, note, actor \
             FROM monitoring_elimination WHERE household_number = $1 ORDER BY id",
        )
        .bind(number)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            let failed: String = r.try_get("failed")?;
            Ok(Elimination {
                household: r.try_get("household_number")?,
                case_id: r.try_get("case_id")?,
                decided_on: r.try_get("decided_on")?,
                months_above_line: r.try_get("months_above_line")?,
                rigid_expense_resolved: r.try_get("rigid_expense_resolved")?,
                social_security: r.try_get("social_security")?,
                failed: failed
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                eliminated: r.try_get("eliminated")?,
                note: r.try_get("note")?,
                actor: r.try_get("actor")?,
            })
        })
        .collect()
}

async fn registered(db: &Db, ids: &[&str]) -> Result<HashMap<String, Registered>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT m.id_number, h.number, h.status, h.monitoring FROM member m JOIN household h \
             ON h.county = m.county AND h.number = m.household_number \
             WHERE m.left_on IS NULL AND m.id_number IN ({})",
            in_list(db.backend(), chunk.len())
        );
        let mut q = db.query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db).await? {
            let status: String = r.try_get("status")?;
            let monitoring: Option<String> = r.try_get("monitoring")?;
            let Some(status) = HouseholdStatus::parse(&status) else {
                continue;
            };
            out.insert(
                r.try_get("id_number")?,
                Registered {
                    household: r.try_get("number")?,
                    status,
                    monitoring: monitoring.as_deref().and_then(MonitoringCategory::parse),
                },
            );
        }
    }
    Ok(out)
}

impl Monitoring for SqlStore {
    fn add_signal<'a>(&'a self, s: &'a NewSignal) -> BoxFut<'a, Signal> {
        Box::pin(add_signal(&self.db, s))
    }

    fn signals<'a>(&'a self, area: &'a str, status: Option<&'a str>) -> BoxFut<'a, Vec<Signal>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            match status {
                Some(s) => {
                    let f = "WHERE area_code BETWEEN $1 AND $2 AND status = $3";
                    select_signals(&self.db, f, &[&lo, &hi, s]).await
                }
                None => {
                    select_signals(&self.db, "WHERE area_code BETWEEN $1 AND $2", &[&lo, &hi]).await
                }
            }
        })
    }

    fn signal<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Signal>> {
        Box::pin(async move {
            Ok(select_signals(&self.db, "WHERE id = $1", &[id])
                .await?
                .pop())
        })
    }

    fn signals_since<'a>(&'a self, id_number: &'a str, since: NaiveDate) -> BoxFut<'a, u64> {
        Box::pin(async move {
            let n: Option<i64> = self
                .db
                .query(
                    "SELECT COUNT(*) FROM monitoring_signal WHERE id_number = $1 AND reported_on >= $2",
                )
                .bind(id_number)
                .bind(since.to_string())
                .scalar(&self.db)
                .await?;
            Ok(n.unwrap_or(0) as u64)
        })
    }

    fn dismiss_signal<'a>(
        &'a self,
        id: &'a str,
        reason: &'a str,
        on: NaiveDate,
        actor: &'a str,
    ) -> BoxFut<'a, Signal> {
        Box::pin(dismiss_signal(&self.db, id, reason, on, actor))
    }

    fn open_case<'a>(&'a self, c: &'a NewCase) -> BoxFut<'a, (String, bool)> {
        Box::pin(open_case(&self.db, c))
    }

    fn open_cases<'a>(&'a self, cases: &'a [NewCase]) -> BoxFut<'a, Vec<(String, bool)>> {
        Box::pin(open_cases(&self.db, cases))
    }

    fn case<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Case>> {
        Box::pin(async move { Ok(select_cases(&self.db, "WHERE id = $1", &[id]).await?.pop()) })
    }

    fn cases<'a>(&'a self, area: &'a str, status: Option<&'a str>) -> BoxFut<'a, Vec<Case>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            match status {
                Some(s) => {
                    let f = "WHERE area_code BETWEEN $1 AND $2 AND status = $3";
                    select_cases(&self.db, f, &[&lo, &hi, s]).await
                }
                None => {
                    select_cases(&self.db, "WHERE area_code BETWEEN $1 AND $2", &[&lo, &hi]).await
                }
            }
        })
    }

    fn household_cases<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Case>> {
        Box::pin(
            async move { select_cases(&self.db, "WHERE household_number = $1", &[number]).await },
        )
    }

    fn record_case_step<'a>(&'a self, case: &'a str, s: &'a NewStep) -> BoxFut<'a, Case> {
        Box::pin(record_step(&self.db, case, s))
    }

    fn record_elimination<'a>(&'a self, e: &'a Elimination) -> BoxFut<'a, ()> {
        Box::pin(record_elimination(&self.db, e))
    }

    fn eliminations<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Elimination>> {
        Box::pin(eliminations(&self.db, number))
    }

    fn registered<'a>(&'a self, ids: &'a [&'a str]) -> BoxFut<'a, HashMap<String, Registered>> {
        Box::pin(registered(&self.db, ids))
    }
}

/// The timing of the cases under `area` at `as_of` (each under the policy of its area), overdue
/// first, then the longest open.
pub async fn case_timings(
    store: &(impl Monitoring + ?Sized),
    area: &str,
    as_of: NaiveDate,
    policy: &PolicySet,
) -> Result<Vec<CaseTiming>, StoreError> {
    let mut out = Vec::new();
    for c in store.cases(area, None).await? {
        let max = policy
            .for_area(&c.area_code)
            .count("monitoring_decision_max_days")
            .map(|s| s.value)
            .unwrap_or(15);
        out.push(rules::case_timing(&c.input(), as_of, max));
    }
    sort_overdue_first(&mut out);
    Ok(out)
}

/// Overdue first, then the longest open, then by id.
pub fn sort_overdue_first(cases: &mut [CaseTiming]) {
    cases.sort_by(|a, b| (b.overdue, b.days_open, &a.id).cmp(&(a.overdue, a.days_open, &b.id)));
}

/// A department's rows compared with the registry (current members of households not removed):
/// the alerts of `fupin_core::monitoring::compare`; with `open`, each `risk_signal` opens a case
/// (source `department`, signal date `as_of`) unless the household has an open case, and names it
/// (null when none was opened).
pub async fn compare_with_registry(
    store: &(impl Monitoring + ?Sized),
    rows: &[DepartmentRow],
    min_amount: Decimal,
    as_of: NaiveDate,
    open: bool,
    actor: &str,
) -> Result<Vec<Alert>, StoreError> {
    let ids: BTreeSet<&str> = rows.iter().map(|r| r.id_number.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let registry = store.registered(&ids).await?;
    let mut alerts = rules::compare(rows, &registry, min_amount);
    if open {
        // Every case of the run in one transaction (docs/PERFORMANCE.md, "Monitoring").
        let mut wanted = Vec::new();
        let mut at = Vec::new();
        for (i, a) in alerts.iter().enumerate() {
            let Some(household) = a.household.clone() else {
                continue;
            };
            if a.code != AlertCode::RiskSignal {
                continue;
            }
            let detail = format!(
                "{} {}{}{}",
                a.item.code(),
                a.item.zh(),
                a.amount
                    .map(|x| format!(" {}", fupin_core::money::fmt2(x)))
                    .unwrap_or_default(),
                if a.department.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", a.department)
                }
            );
            wanted.push(NewCase {
                household,
                source: Source::Department,
                signal_date: as_of,
                signal_id: None,
                detail: Some(detail),
                actor: actor.to_string(),
            });
            at.push(i);
        }
        let opened = store.open_cases(&wanted).await?;
        for (i, (id, opened)) in at.into_iter().zip(opened) {
            // A household with an open case gets no second one: `case` stays null.
            alerts[i].case = Some(opened.then_some(id));
        }
    }
    Ok(alerts)
}

/// New monitoring enrolments of a period by category: cases decided `enrolled` from `from` to `to`
/// (inclusive) under `area`, their households and current members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolments {
    pub unstable: EnrolledCount,
    pub marginal: EnrolledCount,
    pub sudden_hardship: EnrolledCount,
}

/// Households and people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolledCount {
    pub households: u64,
    pub people: u64,
}

impl SqlStore {
    /// [`Enrolments`] of a period.
    pub async fn enrolments(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        area: &str,
    ) -> Result<Enrolments, StoreError> {
        let (lo, hi) = code_range(area);
        let rows: Vec<(Option<String>, i64, i64)> = self
            .db
            .query(
                "SELECT c.category, COUNT(DISTINCT c.household_number), \
                 (SELECT COUNT(*) FROM member m WHERE m.county = c.county \
                  AND m.household_number = c.household_number AND m.left_on IS NULL) \
                 FROM monitoring_case c WHERE c.status = 'enrolled' AND c.area_code BETWEEN $1 AND $2 \
                 AND c.decided_on >= $3 AND c.decided_on <= $4 \
                 GROUP BY c.category, c.county, c.household_number",
            )
            .bind(lo.as_str())
            .bind(hi.as_str())
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all_as(&self.db)
            .await?;
        let mut out = Enrolments::default();
        for (category, households, people) in rows {
            let slot = match category.as_deref() {
                Some("unstable") => &mut out.unstable,
                Some("marginal") => &mut out.marginal,
                Some("sudden_hardship") => &mut out.sudden_hardship,
                _ => continue,
            };
            slot.households += households as u64;
            slot.people += people as u64;
        }
        Ok(out)
    }
}
