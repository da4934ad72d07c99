//! Funds, projects, small loans and dividends (DOMAIN.md §14; migration 15): fund sources by year
//! and level, the project library, allocations and disbursements, loans with repayments and
//! subsidies, income-earning assets with beneficiaries, yearly income and the dividends paid to
//! households, and cooperatives. Keyed by county; every write is audited with its actor. The rules
//! are fupin-core's [`fupin_core::funds`]; [`Funds::funds_input`] gathers a county's year for them.

use crate::audit::{self, Entry};
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::{Db, Tx};
use crate::store::SqlStore;
use fupin_core::area::{code_range, county_of};
use fupin_core::funds as rules;
use fupin_core::money::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Levels of fund sources.
pub const SOURCE_LEVELS: &[&str] = &[
    "central",
    "province",
    "city",
    "county",
    "helping_unit",
    "donation",
];
/// Statuses of a project.
pub const PROJECT_STATUSES: &[&str] = &["planned", "underway", "done", "cancelled"];

/// Money of the store: whole fen, shown as yuan with two places.
fn yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

fn fen(d: Decimal) -> i64 {
    rules::yuan_to_fen(d)
}

/// Money in and out of the store as JSON strings (`"1200.50"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "1200.50"))]
pub struct Yuan(pub Decimal);

impl Yuan {
    pub fn fen(self) -> i64 {
        fen(self.0)
    }
    pub fn from_fen(f: i64) -> Yuan {
        Yuan(yuan(f))
    }
}

/// Money from a fund source in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundSource {
    pub id: String,
    pub county: String,
    pub year: i32,
    /// `central`, `province`, `city`, `county` (the county's own special fund), `helping_unit`,
    /// `donation`.
    pub level: String,
    pub name: String,
    pub amount: Yuan,
    pub received_on: Option<String>,
    pub note: Option<String>,
}

/// A county's year: local general fiscal revenue and the small-loan task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundYear {
    pub county: String,
    pub year: i32,
    pub local_revenue: Option<Yuan>,
    pub loan_task: Option<Yuan>,
}

/// A project of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: String,
    pub county: String,
    pub year: i32,
    pub name: String,
    /// An allocation category (`industry`, `relief`, `infrastructure`, ...).
    pub kind: String,
    /// The village's area code.
    pub village: String,
    pub budget: Yuan,
    pub start: Option<String>,
    pub end: Option<String>,
    /// 0 to 100.
    pub progress_pct: i64,
    /// `planned`, `underway`, `done`, `cancelled`.
    pub status: String,
    /// Households and people benefiting.
    pub households: i64,
    pub people: i64,
    /// How it benefits the poor (带贫机制).
    pub benefit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    pub id: String,
    pub county: String,
    pub year: i32,
    pub project: String,
    pub category: String,
    pub amount: Yuan,
    pub date: String,
    /// The fund source's id, when known.
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disbursement {
    pub id: String,
    pub county: String,
    pub project: String,
    pub amount: Yuan,
    pub date: String,
}

/// A small loan with its repayment schedule and interest subsidies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Loan {
    pub id: String,
    pub county: String,
    pub household: String,
    pub village: String,
    pub amount: Yuan,
    pub term_months: i64,
    pub guarantee: bool,
    pub collateral: bool,
    pub start: String,
    pub bank: Option<String>,
    #[serde(default)]
    pub repayments: Vec<Repayment>,
    #[serde(default)]
    pub subsidies: Vec<Subsidy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Repayment {
    pub due: String,
    pub amount: Yuan,
    pub paid: Yuan,
    pub paid_on: Option<String>,
}

/// Interest subsidy (财政贴息) of a loan in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subsidy {
    pub year: i32,
    pub amount: Yuan,
}

/// An income-earning asset and its beneficiary households.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: String,
    pub county: String,
    /// `photovoltaic`, `asset_income`, `shares` (三变), ...
    pub kind: String,
    pub name: String,
    pub village: String,
    pub capacity_kw: Option<String>,
    /// `equal` or `weights`.
    pub split: String,
    pub beneficiaries: Vec<Beneficiary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Beneficiary {
    pub household: String,
    /// A positive decimal, `"1"` by default.
    pub weight: String,
}

/// A year's income of an asset: the village collective's part, and the households' part divided as
/// dividends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetIncome {
    pub asset: String,
    pub year: i32,
    pub income: Yuan,
    pub collective: Yuan,
}

/// A dividend paid to a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DividendRow {
    pub county: String,
    pub asset: String,
    pub asset_name: String,
    pub year: i32,
    pub household: String,
    pub amount: Yuan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cooperative {
    pub id: String,
    pub county: String,
    pub name: String,
    pub village: String,
    pub members: i64,
    pub poor_members: i64,
    pub supported: bool,
}

/// Filters of the project library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub year: Option<i32>,
    pub status: Option<String>,
    pub kind: Option<String>,
    /// An area-code prefix (a township or village).
    pub area: Option<String>,
}

/// Funds, projects, loans, assets and cooperatives.
pub trait Funds: Send + Sync {
    fn put_fund_source<'a>(&'a self, s: &'a FundSource, actor: &'a str) -> BoxFut<'a, ()>;
    fn fund_sources<'a>(&'a self, county: &'a str, year: i32) -> BoxFut<'a, Vec<FundSource>>;
    fn put_fund_year<'a>(&'a self, y: &'a FundYear, actor: &'a str) -> BoxFut<'a, ()>;
    fn fund_year<'a>(&'a self, county: &'a str, year: i32) -> BoxFut<'a, Option<FundYear>>;
    fn put_project<'a>(&'a self, p: &'a Project, actor: &'a str) -> BoxFut<'a, ()>;
    fn project<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Project>>;
    /// Projects under a county, filtered, by year (newest first), then id.
    fn projects<'a>(&'a self, county: &'a str, f: &'a ProjectFilter) -> BoxFut<'a, Vec<Project>>;
    fn put_allocation<'a>(&'a self, a: &'a Allocation, actor: &'a str) -> BoxFut<'a, ()>;
    /// A county's allocations of a year (all years when `None`), by date.
    fn allocations<'a>(&'a self, county: &'a str, year: Option<i32>)
        -> BoxFut<'a, Vec<Allocation>>;
    fn put_disbursement<'a>(&'a self, d: &'a Disbursement, actor: &'a str) -> BoxFut<'a, ()>;
    /// A county's disbursements (of one project when given), by date.
    fn disbursements<'a>(
        &'a self,
        county: &'a str,
        project: Option<&'a str>,
    ) -> BoxFut<'a, Vec<Disbursement>>;
    fn put_loan<'a>(&'a self, l: &'a Loan, actor: &'a str) -> BoxFut<'a, ()>;
    fn loan<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Loan>>;
    /// Loans under an area prefix, started in `year` when given, by id.
    fn loans<'a>(&'a self, area: &'a str, year: Option<i32>) -> BoxFut<'a, Vec<Loan>>;
    fn household_loans<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Loan>>;
    fn put_asset<'a>(&'a self, a: &'a Asset, actor: &'a str) -> BoxFut<'a, ()>;
    fn asset<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Asset>>;
    fn assets<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Asset>>;
    /// Records a year's income of an asset and pays its dividends: the households' part (income −
    /// collective) divided among the beneficiaries in fen (fupin-core's rule), replacing the year's
    /// earlier dividends. Returns the dividends in household order.
    fn record_asset_income<'a>(
        &'a self,
        county: &'a str,
        i: &'a AssetIncome,
        actor: &'a str,
    ) -> BoxFut<'a, Vec<DividendRow>>;
    /// The income of a county's assets (of one asset when given), by year then asset.
    fn asset_incomes<'a>(
        &'a self,
        county: &'a str,
        asset: Option<&'a str>,
    ) -> BoxFut<'a, Vec<AssetIncome>>;
    fn asset_dividends<'a>(
        &'a self,
        county: &'a str,
        asset: &'a str,
        year: i32,
    ) -> BoxFut<'a, Vec<DividendRow>>;
    fn household_dividends<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<DividendRow>>;
    fn put_cooperative<'a>(&'a self, c: &'a Cooperative, actor: &'a str) -> BoxFut<'a, ()>;
    fn cooperatives<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<Cooperative>>;
    /// A county's year as the input of the funds checks: revenue and loan task, the county's own
    /// special fund this year and the year before, the year's allocations, the cooperatives, the
    /// loans started in the year (with repayments) and the assets' income of the year (the
    /// households' part) with their beneficiaries.
    fn funds_input<'a>(&'a self, year: i32, county: &'a str) -> BoxFut<'a, rules::Input>;
    /// The counties under an area prefix that keep funds or projects, by code.
    fn funds_counties<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<String>>;
    /// A county's fund sources of every year, by year, level, id.
    fn all_fund_sources<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<FundSource>>;
    /// A county's years (revenue and loan task), by year.
    fn fund_years<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<FundYear>>;
    /// Writes a checked sheet ([`crate::funds_sheet::check_rows`]) of `county` in one
    /// transaction, each record audited with `actor` as its put is; an asset's income pays its
    /// dividends as [`Funds::record_asset_income`] does. Returns the records written.
    fn import_funds<'a>(
        &'a self,
        county: &'a str,
        batch: &'a crate::funds_sheet::Batch,
        actor: &'a str,
    ) -> BoxFut<'a, usize>;
}

/// The villages of a county whose assets gave the village collective income in `year` and in no
/// earlier year (fupin-core's [`rules::first_collective_income`] over the stored assets and income).
pub async fn first_collective_income(
    store: &(dyn Funds + '_),
    county: &str,
    year: i32,
) -> Result<Vec<String>, StoreError> {
    let assets: Vec<(String, String)> = store
        .assets(county)
        .await?
        .into_iter()
        .map(|a| (a.id, a.village))
        .collect();
    let incomes: Vec<(String, i32, Decimal)> = store
        .asset_incomes(county, None)
        .await?
        .into_iter()
        .map(|i| (i.asset, i.year, i.collective.0))
        .collect();
    Ok(rules::first_collective_income(&assets, &incomes, year))
}

async fn audited(
    tx: &mut Tx,
    county: &str,
    entity: &str,
    key: &str,
    actor: &str,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    let entry = Entry {
        county,
        entity,
        key,
        action: "put",
        actor,
    };
    audit::record(&mut tx.conn(), entry, after).await
}

/// Deletes a record's rows from `table` (`key` its key column), inside the writer's transaction:
/// every put replaces the record whole.
async fn clear(
    tx: &mut Tx,
    table: &str,
    key: &str,
    county: &str,
    id: &str,
) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {table} WHERE county = $1 AND {key} = $2");
    tx.query(&sql)
        .bind(county)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Audits a put of `entity` and commits its transaction.
async fn done<T: Serialize>(
    mut tx: Tx,
    county: &str,
    entity: &str,
    key: &str,
    actor: &str,
    record: &T,
) -> Result<(), StoreError> {
    audited(&mut tx, county, entity, key, actor, json(record)).await?;
    tx.commit().await
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn b(x: bool) -> i64 {
    i64::from(x)
}

type ProjectRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    i64,
    String,
);

const PROJECT_COLS: &str =
    "id, county, year, name, kind, village, budget_fen, start_date, end_date, \
     progress_pct, status, households, people, benefit";

fn project_of(r: ProjectRow) -> Project {
    let (
        id,
        county,
        year,
        name,
        kind,
        village,
        budget,
        start,
        end,
        progress,
        status,
        h,
        p,
        benefit,
    ) = r;
    Project {
        id,
        county,
        year: year as i32,
        name,
        kind,
        village,
        budget: Yuan::from_fen(budget),
        start,
        end,
        progress_pct: progress,
        status,
        households: h,
        people: p,
        benefit,
    }
}

type LoanRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    Option<String>,
);

const LOAN_COLS: &str =
    "id, county, household_number, village, amount_fen, term_months, guarantee, \
     collateral, start_date, bank";

async fn loans_where(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Loan>, StoreError> {
    let sql = format!("SELECT {LOAN_COLS} FROM small_loan {filter} ORDER BY county, id");
    let mut q = db.query(&sql);
    for x in binds {
        q = q.bind(*x);
    }
    let rows: Vec<LoanRow> = q.fetch_all_as(db).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The repayments and subsidies of all these loans: one query each (not one per loan), the
    // same filter choosing the loans.
    type Key = (String, String);
    let of_loans = format!("(county, loan) IN (SELECT county, id FROM small_loan {filter})");
    let sql = format!(
        "SELECT county, loan, due_date, amount_fen, paid_fen, paid_on FROM loan_repayment \
         WHERE {of_loans} ORDER BY county, loan, due_date"
    );
    let mut q = db.query(&sql);
    for x in binds {
        q = q.bind(*x);
    }
    let mut reps: std::collections::HashMap<Key, Vec<Repayment>> = Default::default();
    let all: Vec<(String, String, String, i64, i64, Option<String>)> = q.fetch_all_as(db).await?;
    for (county, loan, due, a, p, on) in all {
        reps.entry((county, loan)).or_default().push(Repayment {
            due,
            amount: Yuan::from_fen(a),
            paid: Yuan::from_fen(p),
            paid_on: on,
        });
    }
    let sql = format!(
        "SELECT county, loan, year, amount_fen FROM loan_subsidy WHERE {of_loans} \
         ORDER BY county, loan, year"
    );
    let mut q = db.query(&sql);
    for x in binds {
        q = q.bind(*x);
    }
    let mut subs: std::collections::HashMap<Key, Vec<Subsidy>> = Default::default();
    let all: Vec<(String, String, i64, i64)> = q.fetch_all_as(db).await?;
    for (county, loan, y, a) in all {
        subs.entry((county, loan)).or_default().push(Subsidy {
            year: y as i32,
            amount: Yuan::from_fen(a),
        });
    }
    let mut out = Vec::with_capacity(rows.len());
    for (id, county, household, village, amount, term, g, c, start, bank) in rows {
        let key = (county, id);
        let repayments = reps.remove(&key).unwrap_or_default();
        let subsidies = subs.remove(&key).unwrap_or_default();
        let (county, id) = key;
        out.push(Loan {
            id,
            county,
            household,
            village,
            amount: Yuan::from_fen(amount),
            term_months: term,
            guarantee: g != 0,
            collateral: c != 0,
            start,
            bank,
            repayments,
            subsidies,
        });
    }
    Ok(out)
}

async fn assets_where(db: &Db, filter: &str, binds: &[&str]) -> Result<Vec<Asset>, StoreError> {
    let sql = format!(
        "SELECT id, county, kind, name, village, capacity_kw, split FROM income_asset {filter} \
         ORDER BY county, id"
    );
    let mut q = db.query(&sql);
    for x in binds {
        q = q.bind(*x);
    }
    type R = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
    );
    let rows: Vec<R> = q.fetch_all_as(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, county, kind, name, village, capacity_kw, split) in rows {
        let bs: Vec<(String, String)> = db
            .query(
                "SELECT household_number, weight FROM asset_beneficiary \
                 WHERE county = $1 AND asset = $2 ORDER BY household_number",
            )
            .bind(county.as_str())
            .bind(id.as_str())
            .fetch_all_as(db)
            .await?;
        out.push(Asset {
            id,
            county,
            kind,
            name,
            village,
            capacity_kw,
            split,
            beneficiaries: bs
                .into_iter()
                .map(|(household, weight)| Beneficiary { household, weight })
                .collect(),
        });
    }
    Ok(out)
}

async fn dividends_where(
    db: &Db,
    filter: &str,
    binds: &[&str],
    year: Option<i32>,
) -> Result<Vec<DividendRow>, StoreError> {
    // The year, when given, is bound after the filter's values.
    let year_filter = match year {
        Some(_) => format!(" AND d.year = ${}", binds.len() + 1),
        None => String::new(),
    };
    let sql = format!(
        "SELECT d.county, d.asset, a.name, d.year, d.household_number, d.amount_fen \
         FROM asset_dividend d JOIN income_asset a ON a.county = d.county AND a.id = d.asset \
         {filter}{year_filter} ORDER BY d.year DESC, d.asset, d.household_number"
    );
    let mut q = db.query(&sql);
    for x in binds {
        q = q.bind(*x);
    }
    if let Some(y) = year {
        q = q.bind(i64::from(y));
    }
    type R = (String, String, String, i64, String, i64);
    let rows: Vec<R> = q.fetch_all_as(db).await?;
    Ok(rows
        .into_iter()
        .map(
            |(county, asset, asset_name, year, household, amount)| DividendRow {
                county,
                asset,
                asset_name,
                year: year as i32,
                household,
                amount: Yuan::from_fen(amount),
            },
        )
        .collect())
}

fn rejected(column: &str, value: &str, code: &str, zh: &str, en: &str) -> StoreError {
    StoreError::Rejected(Box::new(fupin_core::error::RowError::new(
        0, column, value, code, zh, en,
    )))
}

fn weight_of(s: &str) -> Decimal {
    Decimal::from_str(s.trim())
        .ok()
        .filter(|w| *w > Decimal::ZERO)
        .unwrap_or(Decimal::ONE)
}

// The writers of each record inside a transaction (a put, or an import of many): each replaces
// the record whole; the caller audits and commits.

async fn write_source(tx: &mut Tx, s: &FundSource) -> Result<(), StoreError> {
    clear(tx, "fund_source", "id", &s.county, &s.id).await?;
    tx.query(
        "INSERT INTO fund_source (county, id, year, level, name, amount_fen, received_on, \
         note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.county.as_str())
    .bind(s.id.as_str())
    .bind(i64::from(s.year))
    .bind(s.level.as_str())
    .bind(s.name.as_str())
    .bind(s.amount.fen())
    .bind(s.received_on.as_deref())
    .bind(s.note.as_deref())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_year(tx: &mut Tx, y: &FundYear) -> Result<(), StoreError> {
    tx.query("DELETE FROM fund_year WHERE county = $1 AND year = $2")
        .bind(y.county.as_str())
        .bind(i64::from(y.year))
        .execute(&mut *tx)
        .await?;
    tx.query(
        "INSERT INTO fund_year (county, year, local_revenue_fen, loan_task_fen) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(y.county.as_str())
    .bind(i64::from(y.year))
    .bind(y.local_revenue.map(Yuan::fen))
    .bind(y.loan_task.map(Yuan::fen))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_project(tx: &mut Tx, p: &Project) -> Result<(), StoreError> {
    clear(tx, "fund_project", "id", &p.county, &p.id).await?;
    let sql = format!(
        "INSERT INTO fund_project ({PROJECT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14)"
    );
    tx.query(&sql)
        .bind(p.id.as_str())
        .bind(p.county.as_str())
        .bind(i64::from(p.year))
        .bind(p.name.as_str())
        .bind(p.kind.as_str())
        .bind(p.village.as_str())
        .bind(p.budget.fen())
        .bind(p.start.as_deref())
        .bind(p.end.as_deref())
        .bind(p.progress_pct)
        .bind(p.status.as_str())
        .bind(p.households)
        .bind(p.people)
        .bind(p.benefit.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn write_allocation(tx: &mut Tx, a: &Allocation) -> Result<(), StoreError> {
    clear(tx, "fund_allocation", "id", &a.county, &a.id).await?;
    tx.query(
        "INSERT INTO fund_allocation (county, id, year, project, category, amount_fen, \
         allocated_on, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.county.as_str())
    .bind(a.id.as_str())
    .bind(i64::from(a.year))
    .bind(a.project.as_str())
    .bind(a.category.as_str())
    .bind(a.amount.fen())
    .bind(a.date.as_str())
    .bind(a.source.as_deref())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_disbursement(tx: &mut Tx, d: &Disbursement) -> Result<(), StoreError> {
    clear(tx, "fund_disbursement", "id", &d.county, &d.id).await?;
    tx.query(
        "INSERT INTO fund_disbursement (county, id, project, amount_fen, paid_on) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(d.county.as_str())
    .bind(d.id.as_str())
    .bind(d.project.as_str())
    .bind(d.amount.fen())
    .bind(d.date.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The loan's own row (its repayments and subsidies are written apart).
async fn write_loan(tx: &mut Tx, l: &Loan) -> Result<(), StoreError> {
    clear(tx, "small_loan", "id", &l.county, &l.id).await?;
    let sql = format!(
        "INSERT INTO small_loan ({LOAN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10)"
    );
    tx.query(&sql)
        .bind(l.id.as_str())
        .bind(l.county.as_str())
        .bind(l.household.as_str())
        .bind(l.village.as_str())
        .bind(l.amount.fen())
        .bind(l.term_months)
        .bind(b(l.guarantee))
        .bind(b(l.collateral))
        .bind(l.start.as_str())
        .bind(l.bank.as_deref())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Replaces a loan's repayment schedule.
async fn write_repayments(
    tx: &mut Tx,
    county: &str,
    loan: &str,
    reps: &[Repayment],
) -> Result<(), StoreError> {
    clear(tx, "loan_repayment", "loan", county, loan).await?;
    for r in reps {
        tx.query(
            "INSERT INTO loan_repayment (county, loan, due_date, amount_fen, paid_fen, \
             paid_on) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(county)
        .bind(loan)
        .bind(r.due.as_str())
        .bind(r.amount.fen())
        .bind(r.paid.fen())
        .bind(r.paid_on.as_deref())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Replaces a loan's interest subsidies.
async fn write_subsidies(
    tx: &mut Tx,
    county: &str,
    loan: &str,
    subs: &[Subsidy],
) -> Result<(), StoreError> {
    clear(tx, "loan_subsidy", "loan", county, loan).await?;
    for s in subs {
        tx.query(
            "INSERT INTO loan_subsidy (county, loan, year, amount_fen) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(county)
        .bind(loan)
        .bind(i64::from(s.year))
        .bind(s.amount.fen())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn write_asset(tx: &mut Tx, a: &Asset) -> Result<(), StoreError> {
    for (table, key) in [("income_asset", "id"), ("asset_beneficiary", "asset")] {
        clear(tx, table, key, &a.county, &a.id).await?;
    }
    tx.query(
        "INSERT INTO income_asset (county, id, kind, name, village, capacity_kw, split) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.county.as_str())
    .bind(a.id.as_str())
    .bind(a.kind.as_str())
    .bind(a.name.as_str())
    .bind(a.village.as_str())
    .bind(a.capacity_kw.as_deref())
    .bind(a.split.as_str())
    .execute(&mut *tx)
    .await?;
    for x in &a.beneficiaries {
        tx.query(
            "INSERT INTO asset_beneficiary (county, asset, household_number, weight) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(a.county.as_str())
        .bind(a.id.as_str())
        .bind(x.household.as_str())
        .bind(x.weight.as_str())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Writes a year's income of `asset` and its dividends: the households' part (income −
/// collective) divided among the beneficiaries in fen (fupin-core's rule), replacing the year's
/// earlier income and dividends. Returns the dividends in household order.
async fn write_income(
    tx: &mut Tx,
    county: &str,
    asset: &Asset,
    i: &AssetIncome,
) -> Result<Vec<DividendRow>, StoreError> {
    let weights: Vec<(String, Decimal)> = asset
        .beneficiaries
        .iter()
        .map(|x| {
            let w = if asset.split == "weights" {
                weight_of(&x.weight)
            } else {
                Decimal::ONE
            };
            (x.household.clone(), w)
        })
        .collect();
    let shares = rules::divide(i.income.fen() - i.collective.fen(), &weights);
    for table in ["asset_income", "asset_dividend"] {
        let sql = format!("DELETE FROM {table} WHERE county = $1 AND asset = $2 AND year = $3");
        tx.query(&sql)
            .bind(county)
            .bind(i.asset.as_str())
            .bind(i64::from(i.year))
            .execute(&mut *tx)
            .await?;
    }
    tx.query(
        "INSERT INTO asset_income (county, asset, year, income_fen, collective_fen) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(county)
    .bind(i.asset.as_str())
    .bind(i64::from(i.year))
    .bind(i.income.fen())
    .bind(i.collective.fen())
    .execute(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(shares.len());
    for (household, amount) in shares {
        tx.query(
            "INSERT INTO asset_dividend (county, asset, year, household_number, \
             amount_fen) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(county)
        .bind(i.asset.as_str())
        .bind(i64::from(i.year))
        .bind(household.as_str())
        .bind(amount)
        .execute(&mut *tx)
        .await?;
        out.push(DividendRow {
            county: county.to_string(),
            asset: i.asset.clone(),
            asset_name: asset.name.clone(),
            year: i.year,
            household,
            amount: Yuan::from_fen(amount),
        });
    }
    Ok(out)
}

async fn write_cooperative(tx: &mut Tx, c: &Cooperative) -> Result<(), StoreError> {
    clear(tx, "cooperative", "id", &c.county, &c.id).await?;
    tx.query(
        "INSERT INTO cooperative (county, id, name, village, members, poor_members, \
         supported) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.county.as_str())
    .bind(c.id.as_str())
    .bind(c.name.as_str())
    .bind(c.village.as_str())
    .bind(c.members)
    .bind(c.poor_members)
    .bind(b(c.supported))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Funds for SqlStore {
    fn put_fund_source<'a>(&'a self, s: &'a FundSource, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_source(&mut tx, s).await?;
            done(tx, &s.county, "fund_source", &s.id, actor, s).await
        })
    }

    fn fund_sources<'a>(&'a self, county: &'a str, year: i32) -> BoxFut<'a, Vec<FundSource>> {
        Box::pin(async move {
            type R = (
                String,
                String,
                i64,
                String,
                String,
                i64,
                Option<String>,
                Option<String>,
            );
            let rows: Vec<R> = self
                .db
                .query(
                    "SELECT id, county, year, level, name, amount_fen, received_on, note \
                     FROM fund_source WHERE county = $1 AND year = $2 ORDER BY level, id",
                )
                .bind(county)
                .bind(i64::from(year))
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(id, county, year, level, name, amount, received_on, note)| FundSource {
                        id,
                        county,
                        year: year as i32,
                        level,
                        name,
                        amount: Yuan::from_fen(amount),
                        received_on,
                        note,
                    },
                )
                .collect())
        })
    }

    fn put_fund_year<'a>(&'a self, y: &'a FundYear, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_year(&mut tx, y).await?;
            let key = y.year.to_string();
            done(tx, &y.county, "fund_year", &key, actor, y).await
        })
    }

    fn fund_year<'a>(&'a self, county: &'a str, year: i32) -> BoxFut<'a, Option<FundYear>> {
        Box::pin(async move {
            let rows: Vec<(Option<i64>, Option<i64>)> = self
                .db
                .query(
                    "SELECT local_revenue_fen, loan_task_fen FROM fund_year \
                     WHERE county = $1 AND year = $2",
                )
                .bind(county)
                .bind(i64::from(year))
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows.into_iter().next().map(|(r, t)| FundYear {
                county: county.to_string(),
                year,
                local_revenue: r.map(Yuan::from_fen),
                loan_task: t.map(Yuan::from_fen),
            }))
        })
    }

    fn put_project<'a>(&'a self, p: &'a Project, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_project(&mut tx, p).await?;
            done(tx, &p.county, "fund_project", &p.id, actor, p).await
        })
    }

    fn project<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Project>> {
        Box::pin(async move {
            let sql =
                format!("SELECT {PROJECT_COLS} FROM fund_project WHERE county = $1 AND id = $2");
            let rows: Vec<ProjectRow> = self
                .db
                .query(&sql)
                .bind(county)
                .bind(id)
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows.into_iter().next().map(project_of))
        })
    }

    fn projects<'a>(&'a self, county: &'a str, f: &'a ProjectFilter) -> BoxFut<'a, Vec<Project>> {
        Box::pin(async move {
            let (lo, hi) = code_range(f.area.as_deref().unwrap_or(county));
            let mut sql = format!(
                "SELECT {PROJECT_COLS} FROM fund_project WHERE county = $1 \
                 AND village BETWEEN $2 AND $3"
            );
            let mut n = 3;
            if f.year.is_some() {
                n += 1;
                sql.push_str(&format!(" AND year = ${n}"));
            }
            if f.status.is_some() {
                n += 1;
                sql.push_str(&format!(" AND status = ${n}"));
            }
            if f.kind.is_some() {
                n += 1;
                sql.push_str(&format!(" AND kind = ${n}"));
            }
            sql.push_str(" ORDER BY year DESC, id");
            let mut q = self.db.query(&sql).bind(county).bind(lo).bind(hi);
            if let Some(y) = f.year {
                q = q.bind(i64::from(y));
            }
            if let Some(s) = &f.status {
                q = q.bind(s.as_str());
            }
            if let Some(k) = &f.kind {
                q = q.bind(k.as_str());
            }
            let rows: Vec<ProjectRow> = q.fetch_all_as(&self.db).await?;
            Ok(rows.into_iter().map(project_of).collect())
        })
    }

    fn put_allocation<'a>(&'a self, a: &'a Allocation, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_allocation(&mut tx, a).await?;
            done(tx, &a.county, "fund_allocation", &a.id, actor, a).await
        })
    }

    fn allocations<'a>(
        &'a self,
        county: &'a str,
        year: Option<i32>,
    ) -> BoxFut<'a, Vec<Allocation>> {
        Box::pin(async move {
            type R = (
                String,
                String,
                i64,
                String,
                String,
                i64,
                String,
                Option<String>,
            );
            let base = "SELECT id, county, year, project, category, amount_fen, allocated_on, \
                        source FROM fund_allocation WHERE county = $1";
            let year_filter = if year.is_some() { " AND year = $2" } else { "" };
            let sql = format!("{base}{year_filter} ORDER BY allocated_on, id");
            let mut q = self.db.query(&sql).bind(county);
            if let Some(y) = year {
                q = q.bind(i64::from(y));
            }
            let rows: Vec<R> = q.fetch_all_as(&self.db).await?;
            Ok(rows
                .into_iter()
                .map(
                    |(id, county, year, project, category, amount, date, source)| Allocation {
                        id,
                        county,
                        year: year as i32,
                        project,
                        category,
                        amount: Yuan::from_fen(amount),
                        date,
                        source,
                    },
                )
                .collect())
        })
    }

    fn put_disbursement<'a>(&'a self, d: &'a Disbursement, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_disbursement(&mut tx, d).await?;
            done(tx, &d.county, "fund_disbursement", &d.id, actor, d).await
        })
    }

    fn disbursements<'a>(
        &'a self,
        county: &'a str,
        project: Option<&'a str>,
    ) -> BoxFut<'a, Vec<Disbursement>> {
        Box::pin(async move {
            type R = (String, String, String, i64, String);
            let base = "SELECT id, county, project, amount_fen, paid_on FROM fund_disbursement \
                        WHERE county = $1";
            let rows: Vec<R> = match project {
                Some(p) => {
                    let sql = format!("{base} AND project = $2 ORDER BY paid_on, id");
                    self.db
                        .query(&sql)
                        .bind(county)
                        .bind(p)
                        .fetch_all_as(&self.db)
                        .await?
                }
                None => {
                    let sql = format!("{base} ORDER BY paid_on, id");
                    self.db
                        .query(&sql)
                        .bind(county)
                        .fetch_all_as(&self.db)
                        .await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|(id, county, project, amount, date)| Disbursement {
                    id,
                    county,
                    project,
                    amount: Yuan::from_fen(amount),
                    date,
                })
                .collect())
        })
    }

    fn put_loan<'a>(&'a self, l: &'a Loan, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_loan(&mut tx, l).await?;
            write_repayments(&mut tx, &l.county, &l.id, &l.repayments).await?;
            write_subsidies(&mut tx, &l.county, &l.id, &l.subsidies).await?;
            done(tx, &l.county, "small_loan", &l.id, actor, l).await
        })
    }

    fn loan<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Loan>> {
        Box::pin(async move {
            Ok(
                loans_where(&self.db, "WHERE county = $1 AND id = $2", &[county, id])
                    .await?
                    .into_iter()
                    .next(),
            )
        })
    }

    fn loans<'a>(&'a self, area: &'a str, year: Option<i32>) -> BoxFut<'a, Vec<Loan>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            match year {
                Some(y) => {
                    let (from, to) = (format!("{y}-01-01"), format!("{y}-12-31"));
                    loans_where(
                        &self.db,
                        "WHERE village BETWEEN $1 AND $2 AND start_date BETWEEN $3 AND $4",
                        &[&lo, &hi, &from, &to],
                    )
                    .await
                }
                None => loans_where(&self.db, "WHERE village BETWEEN $1 AND $2", &[&lo, &hi]).await,
            }
        })
    }

    fn household_loans<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<Loan>> {
        Box::pin(
            async move { loans_where(&self.db, "WHERE household_number = $1", &[number]).await },
        )
    }

    fn put_asset<'a>(&'a self, a: &'a Asset, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_asset(&mut tx, a).await?;
            done(tx, &a.county, "income_asset", &a.id, actor, a).await
        })
    }

    fn asset<'a>(&'a self, county: &'a str, id: &'a str) -> BoxFut<'a, Option<Asset>> {
        Box::pin(async move {
            Ok(
                assets_where(&self.db, "WHERE county = $1 AND id = $2", &[county, id])
                    .await?
                    .into_iter()
                    .next(),
            )
        })
    }

    fn assets<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Asset>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            assets_where(&self.db, "WHERE village BETWEEN $1 AND $2", &[&lo, &hi]).await
        })
    }

    fn record_asset_income<'a>(
        &'a self,
        county: &'a str,
        i: &'a AssetIncome,
        actor: &'a str,
    ) -> BoxFut<'a, Vec<DividendRow>> {
        Box::pin(async move {
            let Some(asset) = self.asset(county, &i.asset).await? else {
                return Err(rejected(
                    "asset",
                    &i.asset,
                    "asset_not_found",
                    "资产不存在",
                    "no such asset",
                ));
            };
            if i.collective.0 > i.income.0 {
                return Err(rejected(
                    "collective",
                    &i.collective.0.to_string(),
                    "collective_above_income",
                    "集体部分不能超过收益",
                    "the collective's part is above the income",
                ));
            }
            let mut tx = self.db.begin().await?;
            let out = write_income(&mut tx, county, &asset, i).await?;
            let key = format!("{}/{}", i.asset, i.year);
            let after = serde_json::json!({"income": i, "dividends": out});
            audited(&mut tx, county, "asset_income", &key, actor, after).await?;
            tx.commit().await?;
            Ok(out)
        })
    }

    fn asset_incomes<'a>(
        &'a self,
        county: &'a str,
        asset: Option<&'a str>,
    ) -> BoxFut<'a, Vec<AssetIncome>> {
        Box::pin(async move {
            let base = "SELECT asset, year, income_fen, collective_fen FROM asset_income \
                        WHERE county = $1";
            let rows: Vec<(String, i64, i64, i64)> = match asset {
                Some(a) => {
                    let sql = format!("{base} AND asset = $2 ORDER BY year, asset");
                    self.db
                        .query(&sql)
                        .bind(county)
                        .bind(a)
                        .fetch_all_as(&self.db)
                        .await?
                }
                None => {
                    let sql = format!("{base} ORDER BY year, asset");
                    self.db
                        .query(&sql)
                        .bind(county)
                        .fetch_all_as(&self.db)
                        .await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|(asset, year, income, collective)| AssetIncome {
                    asset,
                    year: year as i32,
                    income: Yuan::from_fen(income),
                    collective: Yuan::from_fen(collective),
                })
                .collect())
        })
    }

    fn asset_dividends<'a>(
        &'a self,
        county: &'a str,
        asset: &'a str,
        year: i32,
    ) -> BoxFut<'a, Vec<DividendRow>> {
        Box::pin(async move {
            let mut rows = dividends_where(
                &self.db,
                "WHERE d.county = $1 AND d.asset = $2",
                &[county, asset],
                Some(year),
            )
            .await?;
            rows.sort_by(|a, b| a.household.cmp(&b.household));
            Ok(rows)
        })
    }

    fn household_dividends<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<DividendRow>> {
        Box::pin(async move {
            dividends_where(&self.db, "WHERE d.household_number = $1", &[number], None).await
        })
    }

    fn put_cooperative<'a>(&'a self, c: &'a Cooperative, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let mut tx = self.db.begin().await?;
            write_cooperative(&mut tx, c).await?;
            done(tx, &c.county, "cooperative", &c.id, actor, c).await
        })
    }

    fn cooperatives<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<Cooperative>> {
        Box::pin(async move {
            type R = (String, String, String, String, i64, i64, i64);
            let rows: Vec<R> = self
                .db
                .query(
                    "SELECT id, county, name, village, members, poor_members, supported \
                     FROM cooperative WHERE county = $1 ORDER BY id",
                )
                .bind(county)
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(id, county, name, village, members, poor, supported)| Cooperative {
                        id,
                        county,
                        name,
                        village,
                        members,
                        poor_members: poor,
                        supported: supported != 0,
                    },
                )
                .collect())
        })
    }

    fn funds_counties<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<String>> {
        Box::pin(async move {
            let pattern = format!("{area}%");
            Ok(self
                .db
                .query(
                    "SELECT county FROM fund_project WHERE county LIKE $1 \
                     UNION SELECT county FROM fund_source WHERE county LIKE $1 ORDER BY 1",
                )
                .bind(pattern.as_str())
                .fetch_all_scalar(&self.db)
                .await?)
        })
    }

    fn all_fund_sources<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<FundSource>> {
        Box::pin(async move {
            let years: Vec<i64> = self
                .db
                .query("SELECT DISTINCT year FROM fund_source WHERE county = $1 ORDER BY year")
                .bind(county)
                .fetch_all_scalar(&self.db)
                .await?;
            let mut out = Vec::new();
            for y in years {
                out.extend(self.fund_sources(county, y as i32).await?);
            }
            Ok(out)
        })
    }

    fn fund_years<'a>(&'a self, county: &'a str) -> BoxFut<'a, Vec<FundYear>> {
        Box::pin(async move {
            let rows: Vec<(i64, Option<i64>, Option<i64>)> = self
                .db
                .query(
                    "SELECT year, local_revenue_fen, loan_task_fen FROM fund_year \
                     WHERE county = $1 ORDER BY year",
                )
                .bind(county)
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .map(|(y, r, t)| FundYear {
                    county: county.to_string(),
                    year: y as i32,
                    local_revenue: r.map(Yuan::from_fen),
                    loan_task: t.map(Yuan::from_fen),
                })
                .collect())
        })
    }

    fn import_funds<'a>(
        &'a self,
        county: &'a str,
        batch: &'a crate::funds_sheet::Batch,
        actor: &'a str,
    ) -> BoxFut<'a, usize> {
        use crate::funds_sheet::Batch;
        Box::pin(async move {
            // The assets whose income is imported, read before the transaction.
            let mut assets = std::collections::HashMap::new();
            if let Batch::Incomes(v) = batch {
                for i in v {
                    if !assets.contains_key(&i.asset) {
                        let a = self.asset(county, &i.asset).await?.ok_or_else(|| {
                            rejected(
                                "asset",
                                &i.asset,
                                "asset_not_found",
                                "资产不存在",
                                "no such asset",
                            )
                        })?;
                        assets.insert(i.asset.clone(), a);
                    }
                }
            }
            let mut tx = self.db.begin().await?;
            let mut n = 0;
            macro_rules! each {
                ($v:expr, $write:ident, $entity:expr, |$x:ident| $key:expr) => {
                    for $x in $v {
                        $write(&mut tx, $x).await?;
                        let key = $key;
                        audited(&mut tx, county, $entity, &key, actor, json($x)).await?;
                        n += 1;
                    }
                };
            }
            match batch {
                Batch::Projects(v) => each!(v, write_project, "fund_project", |x| x.id.clone()),
                Batch::Loans(v) => each!(v, write_loan, "small_loan", |x| x.id.clone()),
                Batch::Sources(v) => each!(v, write_source, "fund_source", |x| x.id.clone()),
                Batch::Years(v) => each!(v, write_year, "fund_year", |x| x.year.to_string()),
                Batch::Allocations(v) => {
                    each!(v, write_allocation, "fund_allocation", |x| x.id.clone())
                }
                Batch::Disbursements(v) => {
                    each!(v, write_disbursement, "fund_disbursement", |x| x.id.clone())
                }
                Batch::Assets(v) => each!(v, write_asset, "income_asset", |x| x.id.clone()),
                Batch::Cooperatives(v) => {
                    each!(v, write_cooperative, "cooperative", |x| x.id.clone())
                }
                Batch::Repayments(v) => {
                    for (loan, reps) in v {
                        write_repayments(&mut tx, county, loan, reps).await?;
                        let after = serde_json::json!({"loan": loan, "repayments": reps});
                        audited(&mut tx, county, "loan_repayment", loan, actor, after).await?;
                        n += reps.len();
                    }
                }
                Batch::Subsidies(v) => {
                    for (loan, subs) in v {
                        write_subsidies(&mut tx, county, loan, subs).await?;
                        let after = serde_json::json!({"loan": loan, "subsidies": subs});
                        audited(&mut tx, county, "loan_subsidy", loan, actor, after).await?;
                        n += subs.len();
                    }
                }
                Batch::Incomes(v) => {
                    for i in v {
                        let out = write_income(&mut tx, county, &assets[&i.asset], i).await?;
                        let key = format!("{}/{}", i.asset, i.year);
                        let after = serde_json::json!({"income": i, "dividends": out});
                        audited(&mut tx, county, "asset_income", &key, actor, after).await?;
                        n += 1;
                    }
                }
            }
            tx.commit().await?;
            Ok(n)
        })
    }

    fn funds_input<'a>(&'a self, year: i32, county: &'a str) -> BoxFut<'a, rules::Input> {
        Box::pin(async move {
            let county = county_of(county).to_string();
            let fy = self.fund_year(&county, year).await?;
            let own = |sources: Vec<FundSource>| -> Option<Decimal> {
                let own: Vec<Decimal> = sources
                    .iter()
                    .filter(|s| s.level == "county")
                    .map(|s| s.amount.0)
                    .collect();
                (!own.is_empty()).then(|| own.into_iter().sum())
            };
            let this = own(self.fund_sources(&county, year).await?);
            let prev = own(self.fund_sources(&county, year - 1).await?);
            let allocations = self
                .allocations(&county, Some(year))
                .await?
                .into_iter()
                .map(|a| rules::Allocation {
                    project: a.project,
                    category: a.category,
                    amount: a.amount.0,
                })
                .collect();
            let cooperatives = self
                .cooperatives(&county)
                .await?
                .into_iter()
                .map(|c| rules::Cooperative {
                    name: c.name,
                    members: c.members.clamp(0, u32::MAX as i64) as u32,
                    poor_members: c.poor_members.clamp(0, u32::MAX as i64) as u32,
                    supported: c.supported,
                })
                .collect();
            let loans: Vec<rules::Loan> = self
                .loans(&county, Some(year))
                .await?
                .into_iter()
                .map(|l| rules::Loan {
                    id: l.id,
                    household: l.household,
                    amount: l.amount.0,
                    term_months: l.term_months.clamp(0, u32::MAX as i64) as u32,
                    guarantee: l.guarantee,
                    collateral: l.collateral,
                    start: chrono::NaiveDate::parse_from_str(&l.start, "%Y-%m-%d").ok(),
                    repayments: l
                        .repayments
                        .iter()
                        .filter_map(|r| {
                            Some(rules::Repayment {
                                due: chrono::NaiveDate::parse_from_str(&r.due, "%Y-%m-%d").ok()?,
                                amount: r.amount.0,
                                paid: r.paid.0,
                            })
                        })
                        .collect(),
                })
                .collect();
            let incomes = self.asset_incomes(&county, None).await?;
            let mut assets = Vec::new();
            for a in self.assets(&county).await? {
                let Some(inc) = incomes.iter().find(|i| i.asset == a.id && i.year == year) else {
                    continue;
                };
                let split = if a.split == "weights" {
                    rules::Split::Weights
                } else {
                    rules::Split::Equal
                };
                assets.push(rules::Asset {
                    id: a.id,
                    kind: a.kind,
                    income: inc.income.0 - inc.collective.0,
                    split,
                    beneficiaries: a
                        .beneficiaries
                        .iter()
                        .map(|x| rules::Beneficiary {
                            household: x.household.clone(),
                            weight: weight_of(&x.weight),
                        })
                        .collect(),
                });
            }
            let has_loans = !loans.is_empty() || fy.as_ref().is_some_and(|y| y.loan_task.is_some());
            Ok(rules::Input {
                year,
                county: county.clone(),
                as_of: None,
                local_revenue: fy.as_ref().and_then(|y| y.local_revenue.map(|v| v.0)),
                special_fund: this.map(|t| rules::SpecialFund {
                    this_year: t,
                    previous_year: prev,
                }),
                allocations,
                cooperatives,
                loan_task: fy.as_ref().and_then(|y| y.loan_task.map(|v| v.0)),
                loans: has_loans.then_some(loans),
                assets,
            })
        })
    }
}
