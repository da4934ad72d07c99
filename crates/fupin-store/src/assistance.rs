//! Household assistance (issue 12): the plans (一户一策) and measures (帮扶措施) of households, dated,
//! audited (entities `assistance_plan`, `assistance_measure`, keyed by the household's number, so
//! they stand in the household's trail) and scoped by the household's area;
//! the gaps check over the registry (`fupin assistance check --db`) and the measures of a period
//! (`fupin report assistance`). The rules are `fupin_core::assistance`; this module reads and
//! writes (migration 13).

use crate::audit::{self, Entry};
use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::sql::{Db, Row};
use crate::store::SqlStore;
use chrono::{NaiveDate, Utc};
use fupin_core::area::{code_range, county_of};
use fupin_core::assistance::{
    Checker, HouseholdGaps, KindSummary, KindTally, Measure, MeasureKind, Plan, PlanPath, Subject,
    Summary,
};
use fupin_core::codes::{CodeList, HouseholdStatus, HousingGrade, Labor, MonitoringCategory};
use fupin_core::registry::{from_fen, to_fen};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The household a plan or measure belongs to: its village code and number (the caller has read
/// it within the user's scope).
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub area_code: &'a str,
    pub number: &'a str,
}

/// A recorded measure: its id, the measure, who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredMeasure {
    pub id: i64,
    #[serde(flatten)]
    pub measure: Measure,
    pub recorded_by: String,
}

/// The gaps check over the registry: the households in scope with their gaps, and the summary.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckOutcome {
    pub households: Vec<HouseholdGaps>,
    pub summary: Summary,
}

/// Plans and measures of households.
pub trait Assistance: Send + Sync {
    /// Records the plan of a household and year (replacing the one recorded for that year).
    fn save_plan<'a>(&'a self, at: Owner<'a>, plan: &'a Plan, actor: &'a str) -> BoxFut<'a, ()>;
    /// Records a measure; its id.
    fn add_measure<'a>(&'a self, at: Owner<'a>, m: &'a Measure, actor: &'a str) -> BoxFut<'a, i64>;
    /// Removes a measure recorded in error (audited with the measure as it was); `false` when the
    /// household has no such measure.
    fn remove_measure<'a>(&'a self, at: Owner<'a>, id: i64, actor: &'a str) -> BoxFut<'a, bool>;
    /// The plans of a household, by year.
    fn plans<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<Plan>>;
    /// The measures of a household, by date.
    fn measures<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<StoredMeasure>>;
    /// The gaps at `as_of` of every household in scope under an area prefix (its status and
    /// monitoring category as recorded now).
    fn assistance_check<'a>(&'a self, area: &'a str, as_of: NaiveDate) -> BoxFut<'a, CheckOutcome>;
    /// Measures by kind dated within `from..=to` under an area prefix.
    fn measures_by_kind<'a>(
        &'a self,
        area: &'a str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, BTreeMap<MeasureKind, KindSummary>>;
    /// The cadres paired with a household now (the `pairing` table of migration 6), for the
    /// household card.
    fn paired_cadres<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<String>>;
    /// Imports plans and measures of many households at once, all or nothing: each household is
    /// looked up by number (`unknown_household`), each person among its current members
    /// (`person_not_member`), a second plan of a household and year is `duplicate_plan`; with any
    /// problem nothing is written. A plan replaces the one recorded for its household and year.
    /// Every plan and measure is audited under its household.
    fn import_assistance<'a>(
        &'a self,
        batch: &'a AssistanceImport,
        actor: &'a str,
    ) -> BoxFut<'a, ImportResult>;
    /// Households under an area prefix whose per-capita net income of `year` is strictly below
    /// `line` yuan (the plan ledger of Jincheng, 一户一策台账), with whether each has a plan for
    /// the year: (number, has plan).
    fn below_line<'a>(
        &'a self,
        area: &'a str,
        year: i32,
        line: fupin_core::Decimal,
    ) -> BoxFut<'a, Vec<(String, bool)>>;
    /// The current members of the households under an area prefix that are not removed, by
    /// household number and member order.
    fn registered_people<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<PersonRow>>;
    /// Every plan and measure under an area prefix (the export), by household and year or date.
    fn all_assistance<'a>(&'a self, area: &'a str) -> BoxFut<'a, (Vec<Plan>, Vec<Measure>)>;
}

/// A current member of a registered household, as the demo places measures (who may hold a post,
/// who is a student, which house needs renovation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub number: String,
    pub area_code: String,
    pub status: HouseholdStatus,
    pub monitoring: Option<MonitoringCategory>,
    pub housing_grade: HousingGrade,
    pub attribute: Option<fupin_core::codes::Attribute>,
    pub id_number: String,
    pub labor: Option<Labor>,
    pub school_status: fupin_core::codes::SchoolStatus,
}

/// Plans and measures to import, each with its place in the file (a sheet's row).
#[derive(Debug, Clone, Default)]
pub struct AssistanceImport {
    pub plans: Vec<(usize, Plan)>,
    pub measures: Vec<(usize, Measure)>,
}

/// A record of an import the registry refuses: the sheet (`plans`, `measures`), its row, field
/// and stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub sheet: &'static str,
    pub row: usize,
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
    pub household: String,
}

/// What an import wrote (nothing when `problems` is not empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    pub plans: usize,
    pub measures: usize,
    pub problems: Vec<ImportProblem>,
}

fn paths_text(paths: &[PlanPath]) -> String {
    paths.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::File(format!("stored {what} {value:?} is not a known code"))
}

fn plan_of(r: &Row) -> Result<Plan, StoreError> {
    let paths: String = r.try_get("paths")?;
    Ok(Plan {
        household: r.try_get("household_number")?,
        year: r.try_get::<i64, _>("year")? as i32,
        paths: paths
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| PlanPath::parse(s).ok_or_else(|| bad("plan path", s)))
            .collect::<Result<_, _>>()?,
        target: r.try_get("target")?,
    })
}

const MEASURE_COLUMNS: &str =
    "id, household_number, person, kind, measure_date, amount, provider, fund, recorded_by";

fn measure_of(r: &Row) -> Result<StoredMeasure, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(StoredMeasure {
        id: r.try_get("id")?,
        measure: Measure {
            household: r.try_get("household_number")?,
            person: r.try_get("person")?,
            kind: MeasureKind::parse(&kind).ok_or_else(|| bad("measure kind", &kind))?,
            date: r.try_get("measure_date")?,
            amount: from_fen(r.try_get("amount")?),
            provider: r.try_get("provider")?,
            fund: r.try_get("fund")?,
        },
        recorded_by: r.try_get("recorded_by")?,
    })
}

impl Assistance for SqlStore {
    fn save_plan<'a>(&'a self, at: Owner<'a>, plan: &'a Plan, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(async move {
            let county = county_of(at.area_code);
            let mut tx = self.db.begin().await?;
            tx.query(
                "DELETE FROM assistance_plan WHERE county = $1 AND household_number = $2 AND year = $3",
            )
            .bind(county)
            .bind(at.number)
            .bind(i64::from(plan.year))
            .execute(&mut tx)
            .await?;
            tx.query(
                "INSERT INTO assistance_plan (county, household_number, year, area_code, paths, \
                 target, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(county)
            .bind(at.number)
            .bind(i64::from(plan.year))
            .bind(at.area_code)
            .bind(paths_text(&plan.paths))
            .bind(plan.target.as_str())
            .bind(actor)
            .bind(Utc::now())
            .execute(&mut tx)
            .await?;
            let entry = Entry {
                county,
                entity: "assistance_plan",
                key: at.number,
                action: "save",
                actor,
            };
            audit::record(
                &mut tx.conn(),
                entry,
                serde_json::to_value(plan).expect("json"),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn add_measure<'a>(&'a self, at: Owner<'a>, m: &'a Measure, actor: &'a str) -> BoxFut<'a, i64> {
        Box::pin(async move {
            let county = county_of(at.area_code);
            let mut tx = self.db.begin().await?;
            let id: Option<i64> = tx
                .query(
                    "INSERT INTO assistance_measure (county, household_number, area_code, person, \
                     kind, measure_date, amount, provider, fund, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(county)
                .bind(at.number)
                .bind(at.area_code)
                .bind(m.person.as_deref())
                .bind(m.kind.code())
                .bind(m.date)
                .bind(to_fen(m.amount))
                .bind(m.provider.as_str())
                .bind(m.fund.as_deref())
                .bind(actor)
                .bind(Utc::now())
                .scalar(&mut tx)
                .await?;
            let id = id.ok_or_else(|| StoreError::File("no id returned".into()))?;
            let entry = Entry {
                county,
                entity: "assistance_measure",
                key: at.number,
                action: "create",
                actor,
            };
            let mut after = serde_json::to_value(m).expect("json");
            after["id"] = id.into();
            audit::record(&mut tx.conn(), entry, after).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    fn remove_measure<'a>(&'a self, at: Owner<'a>, id: i64, actor: &'a str) -> BoxFut<'a, bool> {
        Box::pin(async move {
            let county = county_of(at.area_code);
            let mut tx = self.db.begin().await?;
            let sql = format!(
                "SELECT {MEASURE_COLUMNS} FROM assistance_measure \
                 WHERE county = $1 AND household_number = $2 AND id = $3"
            );
            let Some(row) = tx
                .query(&sql)
                .bind(county)
                .bind(at.number)
                .bind(id)
                .fetch_optional(&mut tx)
                .await?
            else {
                return Ok(false);
            };
            let was = measure_of(&row)?;
            tx.query("DELETE FROM assistance_measure WHERE county = $1 AND id = $2")
                .bind(county)
                .bind(id)
                .execute(&mut tx)
                .await?;
            let entry = Entry {
                county,
                entity: "assistance_measure",
                key: at.number,
                action: "delete",
                actor,
            };
            audit::record(
                &mut tx.conn(),
                entry,
                serde_json::to_value(&was).expect("json"),
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    fn plans<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<Plan>> {
        Box::pin(async move {
            self.db
                .query(
                    "SELECT household_number, year, paths, target FROM assistance_plan \
                     WHERE county = $1 AND household_number = $2 ORDER BY year",
                )
                .bind(county_of(at.area_code))
                .bind(at.number)
                .fetch_all(&self.db)
                .await?
                .iter()
                .map(plan_of)
                .collect()
        })
    }

    fn measures<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<StoredMeasure>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {MEASURE_COLUMNS} FROM assistance_measure \
                 WHERE county = $1 AND household_number = $2 ORDER BY measure_date, id"
            );
            self.db
                .query(&sql)
                .bind(county_of(at.area_code))
                .bind(at.number)
                .fetch_all(&self.db)
                .await?
                .iter()
                .map(measure_of)
                .collect()
        })
    }

    fn assistance_check<'a>(&'a self, area: &'a str, as_of: NaiveDate) -> BoxFut<'a, CheckOutcome> {
        Box::pin(check(&self.db, area, as_of))
    }

    fn measures_by_kind<'a>(
        &'a self,
        area: &'a str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFut<'a, BTreeMap<MeasureKind, KindSummary>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            let rows = self
                .db
                .query(
                    "SELECT household_number, person, kind, amount FROM assistance_measure \
                     WHERE area_code BETWEEN $1 AND $2 AND measure_date BETWEEN $3 AND $4",
                )
                .bind(lo)
                .bind(hi)
                .bind(from)
                .bind(to)
                .fetch_all(&self.db)
                .await?;
            let mut tally = KindTally::default();
            for r in &rows {
                let kind: String = r.try_get("kind")?;
                tally.add(&Measure {
                    household: r.try_get("household_number")?,
                    person: r.try_get("person")?,
                    kind: MeasureKind::parse(&kind).ok_or_else(|| bad("measure kind", &kind))?,
                    date: from,
                    amount: from_fen(r.try_get("amount")?),
                    provider: String::new(),
                    fund: None,
                });
            }
            Ok(tally.finish())
        })
    }

    fn import_assistance<'a>(
        &'a self,
        batch: &'a AssistanceImport,
        actor: &'a str,
    ) -> BoxFut<'a, ImportResult> {
        Box::pin(import(&self.db, batch, actor))
    }

    fn below_line<'a>(
        &'a self,
        area: &'a str,
        year: i32,
        line: fupin_core::Decimal,
    ) -> BoxFut<'a, Vec<(String, bool)>> {
        Box::pin(below(&self.db, area, year, line))
    }

    fn all_assistance<'a>(&'a self, area: &'a str) -> BoxFut<'a, (Vec<Plan>, Vec<Measure>)> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            let plans = self
                .db
                .query(
                    "SELECT household_number, year, paths, target FROM assistance_plan \
                     WHERE area_code BETWEEN $1 AND $2 ORDER BY household_number, year",
                )
                .bind(&lo)
                .bind(&hi)
                .fetch_all(&self.db)
                .await?
                .iter()
                .map(plan_of)
                .collect::<Result<Vec<_>, _>>()?;
            let sql = format!(
                "SELECT {MEASURE_COLUMNS} FROM assistance_measure \
                 WHERE area_code BETWEEN $1 AND $2 ORDER BY household_number, measure_date, id"
            );
            let measures = self
                .db
                .query(&sql)
                .bind(&lo)
                .bind(&hi)
                .fetch_all(&self.db)
                .await?
                .iter()
                .map(|r| measure_of(r).map(|m| m.measure))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((plans, measures))
        })
    }

    fn registered_people<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<PersonRow>> {
        Box::pin(async move {
            let (lo, hi) = code_range(area);
            let rows = self
                .db
                .query(
                    "SELECT h.number, h.area_code, h.status, h.monitoring, h.housing_grade, h.attribute, \
                     m.id_number, m.labor, m.school_status FROM household h \
                     JOIN member m ON m.county = h.county AND m.household_number = h.number \
                     WHERE h.area_code BETWEEN $1 AND $2 AND h.status <> 'removed' \
                     AND m.left_on IS NULL ORDER BY h.number, m.seq",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.db)
                .await?;
            rows.iter()
                .map(|r| {
                    let text = |c: &str| r.try_get::<String, _>(c);
                    let opt = |c: &str| r.try_get::<Option<String>, _>(c);
                    let status = text("status")?;
                    let grade = text("housing_grade")?;
                    let school = text("school_status")?;
                    Ok(PersonRow {
                        number: text("number")?,
                        area_code: text("area_code")?,
                        status: HouseholdStatus::parse(&status)
                            .ok_or_else(|| bad("status", &status))?,
                        monitoring: opt("monitoring")?
                            .as_deref()
                            .and_then(MonitoringCategory::parse),
                        housing_grade: HousingGrade::parse(&grade)
                            .ok_or_else(|| bad("housing grade", &grade))?,
                        attribute: opt("attribute")?
                            .as_deref()
                            .and_then(fupin_core::codes::Attribute::parse),
                        id_number: text("id_number")?,
                        labor: opt("labor")?.as_deref().and_then(Labor::parse),
                        school_status: fupin_core::codes::SchoolStatus::parse(&school)
                            .ok_or_else(|| bad("school status", &school))?,
                    })
                })
                .collect()
        })
    }

    fn paired_cadres<'a>(&'a self, at: Owner<'a>) -> BoxFut<'a, Vec<String>> {
        Box::pin(async move {
            Ok(self
                .db
                .query(
                    "SELECT cadre FROM pairing WHERE county = $1 AND household_number = $2 \
                     AND end_date IS NULL ORDER BY start_date, cadre",
                )
                .bind(county_of(at.area_code))
                .bind(at.number)
                .fetch_all_scalar(&self.db)
                .await?)
        })
    }
}

const CHUNK: usize = 500;

/// The county and village of each household number, and its current members.
async fn households_of(
    tx: &mut crate::sql::Tx,
    numbers: &[&str],
) -> Result<HashMap<String, (String, String, Vec<String>)>, StoreError> {
    let mut out: HashMap<String, (String, String, Vec<String>)> = HashMap::new();
    for chunk in numbers.chunks(CHUNK) {
        let sql = format!(
            "SELECT county, number, area_code FROM household WHERE number IN ({})",
            crate::sql::in_list(tx.backend(), chunk.len())
        );
        let mut q = tx.query(&sql);
        for n in chunk {
            q.push(*n);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let number: String = r.try_get("number")?;
            out.insert(
                number,
                (r.try_get("county")?, r.try_get("area_code")?, Vec::new()),
            );
        }
        let sql = format!(
            "SELECT household_number, id_number FROM member WHERE left_on IS NULL \
             AND household_number IN ({})",
            crate::sql::in_list(tx.backend(), chunk.len())
        );
        let mut q = tx.query(&sql);
        for n in chunk {
            q.push(*n);
        }
        for r in q.fetch_all(&mut *tx).await? {
            let number: String = r.try_get("household_number")?;
            if let Some(h) = out.get_mut(&number) {
                h.2.push(r.try_get("id_number")?);
            }
        }
    }
    Ok(out)
}

const AUDIT_INSERT: &str = "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, \
     effective_date, before_json, after_json) ";

async fn import(
    db: &Db,
    batch: &AssistanceImport,
    actor: &str,
) -> Result<ImportResult, StoreError> {
    use crate::sql::values;
    let mut numbers: Vec<&str> = batch
        .plans
        .iter()
        .map(|(_, p)| p.household.as_str())
        .chain(batch.measures.iter().map(|(_, m)| m.household.as_str()))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut tx = db.begin().await?;
    let known = households_of(&mut tx, &numbers).await?;
    let mut problems = Vec::new();
    let mut problem = |sheet, row, field, code, message: String, household: &str| {
        problems.push(ImportProblem {
            sheet,
            row,
            field,
            code,
            message,
            household: household.to_string(),
        })
    };
    let mut seen = std::collections::HashSet::new();
    for (row, p) in &batch.plans {
        if !known.contains_key(&p.household) {
            let e = fupin_core::assistance::unknown_household(&p.household);
            problem(
                "plans",
                *row,
                "household",
                e.code,
                e.message(),
                &p.household,
            );
        } else if !seen.insert((p.household.as_str(), p.year)) {
            let e = fupin_core::assistance::duplicate_plan(&p.household, p.year);
            problem("plans", *row, "year", e.code, e.message(), &p.household);
        }
    }
    for (row, m) in &batch.measures {
        match known.get(&m.household) {
            None => {
                let e = fupin_core::assistance::unknown_household(&m.household);
                problem(
                    "measures",
                    *row,
                    "household",
                    e.code,
                    e.message(),
                    &m.household,
                );
            }
            Some((_, _, members)) => {
                if let Some(p) = &m.person {
                    if let Err(e) =
                        fupin_core::assistance::person(p, members.iter().map(String::as_str))
                    {
                        problem(
                            "measures",
                            *row,
                            "person",
                            e.code,
                            e.message(),
                            &m.household,
                        );
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        tx.rollback().await?;
        return Ok(ImportResult {
            problems,
            ..ImportResult::default()
        });
    }
    let now = Utc::now();
    let place = |number: &str| known.get(number).expect("checked");
    for chunk in batch.plans.chunks(CHUNK) {
        for (_, p) in chunk {
            let (county, _, _) = place(&p.household);
            tx.query(
                "DELETE FROM assistance_plan WHERE county = $1 AND household_number = $2 AND year = $3",
            )
            .bind(county.as_str())
            .bind(p.household.as_str())
            .bind(i64::from(p.year))
            .execute(&mut tx)
            .await?;
        }
        let sql = format!(
            "INSERT INTO assistance_plan (county, household_number, year, area_code, paths, target, \
             updated_by, updated_at) {}",
            values(tx.backend(), chunk.len(), 8)
        );
        let mut q = tx.query(&sql);
        for (_, p) in chunk {
            let (county, area, _) = place(&p.household);
            q.push(county.as_str());
            q.push(p.household.as_str());
            q.push(i64::from(p.year));
            q.push(area.as_str());
            q.push(paths_text(&p.paths));
            q.push(p.target.as_str());
            q.push(actor);
            q.push(now);
        }
        q.execute(&mut tx).await?;
        let sql = format!("{AUDIT_INSERT}{}", values(tx.backend(), chunk.len(), 9));
        let mut q = tx.query(&sql);
        for (_, p) in chunk {
            let (county, _, _) = place(&p.household);
            q.push(county.as_str());
            q.push("assistance_plan");
            q.push(p.household.as_str());
            q.push("save");
            q.push(actor);
            q.push(now);
            q.push(None::<NaiveDate>);
            q.push(None::<sqlx::types::Json<serde_json::Value>>);
            q.push(Some(sqlx::types::Json(
                serde_json::to_value(p).expect("json"),
            )));
        }
        q.execute(&mut tx).await?;
    }
    for chunk in batch.measures.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO assistance_measure (county, household_number, area_code, person, kind, \
             measure_date, amount, provider, fund, recorded_by, recorded_at) {}",
            values(tx.backend(), chunk.len(), 11)
        );
        let mut q = tx.query(&sql);
        for (_, m) in chunk {
            let (county, area, _) = place(&m.household);
            q.push(county.as_str());
            q.push(m.household.as_str());
            q.push(area.as_str());
            q.push(m.person.as_deref());
            q.push(m.kind.code());
            q.push(m.date);
            q.push(to_fen(m.amount));
            q.push(m.provider.as_str());
            q.push(m.fund.as_deref());
            q.push(actor);
            q.push(now);
        }
        q.execute(&mut tx).await?;
        let sql = format!("{AUDIT_INSERT}{}", values(tx.backend(), chunk.len(), 9));
        let mut q = tx.query(&sql);
        for (_, m) in chunk {
            let (county, _, _) = place(&m.household);
            q.push(county.as_str());
            q.push("assistance_measure");
            q.push(m.household.as_str());
            q.push("create");
            q.push(actor);
            q.push(now);
            q.push(None::<NaiveDate>);
            q.push(None::<sqlx::types::Json<serde_json::Value>>);
            q.push(Some(sqlx::types::Json(
                serde_json::to_value(m).expect("json"),
            )));
        }
        q.execute(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(ImportResult {
        plans: batch.plans.len(),
        measures: batch.measures.len(),
        problems: Vec::new(),
    })
}

async fn below(
    db: &Db,
    area: &str,
    year: i32,
    line: fupin_core::Decimal,
) -> Result<Vec<(String, bool)>, StoreError> {
    let (lo, hi) = code_range(area);
    // Per-capita income strictly below the line, compared without rounding: net < line × members.
    let rows = db
        .query(
            "SELECT h.number, (SELECT COUNT(*) FROM assistance_plan p WHERE p.county = h.county \
             AND p.household_number = h.number AND p.year = $3) AS plans \
             FROM household h JOIN household_income i ON i.county = h.county \
             AND i.household_number = h.number AND i.year = $3 \
             WHERE h.area_code BETWEEN $1 AND $2 AND h.status <> 'removed' \
             AND (i.wage + i.business + i.property + i.transfer - i.business_cost) < $4 * \
             (SELECT COUNT(*) FROM member m WHERE m.county = h.county \
              AND m.household_number = h.number AND m.left_on IS NULL) \
             ORDER BY h.number",
        )
        .bind(lo)
        .bind(hi)
        .bind(i64::from(year))
        .bind(to_fen(line))
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("number")?, r.try_get::<i64, _>("plans")? > 0)))
        .collect()
}

/// The households the gaps are about, as the common table `s`: poor or returned, or monitored
/// (not removed), under the area `$1..$2`; each half reads its own index range (status, area) and
/// (monitoring, area) of migration 5, never the whole area.
const SCOPE: &str = "WITH s AS (SELECT county, number, status, monitoring, housing_grade \
     FROM household WHERE status IN ('poor', 'returned') AND area_code BETWEEN $1 AND $2 \
     UNION ALL SELECT county, number, status, monitoring, housing_grade FROM household \
     WHERE monitoring IN ('unstable', 'marginal', 'sudden_hardship') AND area_code BETWEEN $1 AND $2 \
     AND status NOT IN ('removed', 'poor', 'returned')) ";

/// The gaps check over the registry in four reads (households in scope, their current members,
/// the plans of the year, the measures up to the date), each one pass over an index range.
async fn check(db: &Db, area: &str, as_of: NaiveDate) -> Result<CheckOutcome, StoreError> {
    use chrono::Datelike;
    let (lo, hi) = code_range(area);
    let sql = format!(
        "{SCOPE}SELECT county, number, status, monitoring, housing_grade FROM s ORDER BY number"
    );
    let mut households: Vec<InScope> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for r in db.query(&sql).bind(&lo).bind(&hi).fetch_all(db).await? {
        let status: String = r.try_get("status")?;
        let monitoring: Option<String> = r.try_get("monitoring")?;
        let grade: String = r.try_get("housing_grade")?;
        let key = (r.try_get("county")?, r.try_get("number")?);
        index.insert(key, households.len());
        households.push(InScope {
            number: r.try_get("number")?,
            status: HouseholdStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
            monitoring: monitoring.as_deref().and_then(MonitoringCategory::parse),
            grade: HousingGrade::parse(&grade).ok_or_else(|| bad("housing grade", &grade))?,
            members: Vec::new(),
            plans: Vec::new(),
            measures: Vec::new(),
        });
    }
    let sql = format!(
        "{SCOPE}SELECT m.county, m.household_number, m.id_number, m.labor FROM s \
         JOIN member m ON m.county = s.county AND m.household_number = s.number \
         WHERE m.left_on IS NULL ORDER BY m.seq"
    );
    for r in db.query(&sql).bind(&lo).bind(&hi).fetch_all(db).await? {
        let key: (String, String) = (r.try_get("county")?, r.try_get("household_number")?);
        if let Some(&i) = index.get(&key) {
            let labor: Option<String> = r.try_get("labor")?;
            households[i].members.push((
                r.try_get("id_number")?,
                labor.as_deref().and_then(Labor::parse),
            ));
        }
    }
    for r in db
        .query(
            "SELECT county, household_number, year, paths, target FROM assistance_plan \
             WHERE area_code BETWEEN $1 AND $2 AND year = $3",
        )
        .bind(&lo)
        .bind(&hi)
        .bind(i64::from(as_of.year()))
        .fetch_all(db)
        .await?
    {
        let key: (String, String) = (r.try_get("county")?, r.try_get("household_number")?);
        if let Some(&i) = index.get(&key) {
            households[i].plans.push(plan_of(&r)?);
        }
    }
    let sql = format!(
        "{SCOPE}SELECT a.county, a.id, a.household_number, a.person, a.kind, a.measure_date, \
         a.amount, a.provider, a.fund, a.recorded_by FROM s JOIN assistance_measure a \
         ON a.county = s.county AND a.household_number = s.number WHERE a.measure_date <= $3"
    );
    for r in db
        .query(&sql)
        .bind(&lo)
        .bind(&hi)
        .bind(as_of)
        .fetch_all(db)
        .await?
    {
        let key: (String, String) = (r.try_get("county")?, r.try_get("household_number")?);
        if let Some(&i) = index.get(&key) {
            households[i].measures.push(measure_of(&r)?.measure);
        }
    }
    let mut checker = Checker::default();
    let mut out = Vec::new();
    judge(&households, as_of, &mut checker, &mut out);
    Ok(CheckOutcome {
        households: out,
        summary: checker.summary(),
    })
}

/// A household in scope as the checks read it: number, status, monitoring, housing grade, current
/// members (ID number, labour), plans of the year, measures up to the date.
struct InScope {
    number: String,
    status: HouseholdStatus,
    monitoring: Option<MonitoringCategory>,
    grade: HousingGrade,
    members: Vec<(String, Option<Labor>)>,
    plans: Vec<Plan>,
    measures: Vec<Measure>,
}

/// A text field of a county read: present, or an error naming the column.
fn text<'a>(row: &[Option<&'a str>], i: usize, what: &str) -> Result<&'a str, StoreError> {
    row.get(i)
        .copied()
        .flatten()
        .ok_or_else(|| StoreError::File(format!("stored {what} is missing")))
}

/// Reads and checks one county of [`check_counties`]: four reads of the households in scope (two
/// index ranges as [`SCOPE`]), their current members, the plans of the year and their measures up
/// to the date, then the rules household by household into `checker`.
fn check_county(
    reader: &mut crate::scan::CountyReader<'_>,
    range: (&str, &str),
    as_of: NaiveDate,
    checker: &mut Checker,
    out: &mut Vec<HouseholdGaps>,
) -> Result<(), StoreError> {
    use chrono::Datelike;
    let (lo, hi) = range;
    let scope = SCOPE
        .replace("$1", &format!("'{lo}'"))
        .replace("$2", &format!("'{hi}'"));
    let mut households: Vec<InScope> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    reader.fields(
        &format!("{scope}SELECT number, status, monitoring, housing_grade FROM s"),
        &mut |r| {
            let (number, status) = (text(r, 0, "number")?, text(r, 1, "status")?);
            let grade = text(r, 3, "housing grade")?;
            index.insert(number.to_string(), households.len());
            households.push(InScope {
                number: number.to_string(),
                status: HouseholdStatus::parse(status).ok_or_else(|| bad("status", status))?,
                monitoring: r[2].and_then(MonitoringCategory::parse),
                grade: HousingGrade::parse(grade).ok_or_else(|| bad("housing grade", grade))?,
                members: Vec::new(),
                plans: Vec::new(),
                measures: Vec::new(),
            });
            Ok(())
        },
    )?;
    if households.is_empty() {
        return Ok(());
    }
    reader.fields(
        &format!(
            "{scope}SELECT m.household_number, m.id_number, m.labor FROM s JOIN member m \
             ON m.county = s.county AND m.household_number = s.number \
             WHERE m.left_on IS NULL ORDER BY m.seq"
        ),
        &mut |r| {
            if let Some(&i) = index.get(text(r, 0, "member household")?) {
                households[i].members.push((
                    text(r, 1, "member ID number")?.to_string(),
                    r[2].and_then(Labor::parse),
                ));
            }
            Ok(())
        },
    )?;
    let year = as_of.year();
    reader.fields(
        &format!(
            "SELECT household_number FROM assistance_plan \
             WHERE area_code BETWEEN '{lo}' AND '{hi}' AND year = {year}"
        ),
        &mut |r| {
            let number = text(r, 0, "plan household")?;
            if let Some(&i) = index.get(number) {
                // The rules ask only whether a plan of the year exists.
                households[i].plans.push(Plan {
                    household: number.to_string(),
                    year,
                    paths: Vec::new(),
                    target: String::new(),
                });
            }
            Ok(())
        },
    )?;
    reader.fields(
        &format!(
            "{scope}SELECT a.household_number, a.person, a.kind, a.measure_date, a.amount \
             FROM s JOIN assistance_measure a ON a.county = s.county \
             AND a.household_number = s.number WHERE a.measure_date <= '{as_of}'"
        ),
        &mut |r| {
            let number = text(r, 0, "measure household")?;
            let Some(&i) = index.get(number) else {
                return Ok(());
            };
            let kind = text(r, 2, "measure kind")?;
            let day = text(r, 3, "measure date")?;
            let fen = text(r, 4, "measure amount")?;
            households[i].measures.push(Measure {
                household: number.to_string(),
                person: r[1].map(str::to_string),
                kind: MeasureKind::parse(kind).ok_or_else(|| bad("measure kind", kind))?,
                date: day.parse().map_err(|_| bad("measure date", day))?,
                amount: from_fen(fen.parse().map_err(|_| bad("measure amount", fen))?),
                provider: String::new(),
                fund: None,
            });
            Ok(())
        },
    )?;
    judge(&households, as_of, checker, out);
    Ok(())
}

/// The rules over households read with their members, plans and measures, in order, into `checker`
/// and `out` (the households in scope).
fn judge(
    households: &[InScope],
    as_of: NaiveDate,
    checker: &mut Checker,
    out: &mut Vec<HouseholdGaps>,
) {
    for h in households {
        let s = Subject {
            number: &h.number,
            status: h.status,
            monitoring: h.monitoring,
            housing_grade: h.grade,
            members: h.members.iter().map(|(id, l)| (id.as_str(), *l)).collect(),
        };
        let p: Vec<&Plan> = h.plans.iter().collect();
        let m: Vec<&Measure> = h.measures.iter().collect();
        if let Some(g) = checker.household(&s, &p, &m, as_of) {
            out.push(g);
        }
    }
}

/// The gaps check over the registry at province scale (`fupin assistance check --db`): the same
/// outcome as [`Assistance::assistance_check`], read county by county on `workers` threads through
/// the store's whole-registry reader ([`crate::scan::counties`]: SQLite's own API or PostgreSQL
/// `COPY`, one connection per thread), each county's households in scope checked on the thread that
/// read them, the counties' summaries merged and the households put in number order. Blocking (a
/// thread per worker), like [`crate::scan::households`].
pub fn check_counties(
    store: &SqlStore,
    area: &str,
    as_of: NaiveDate,
    workers: usize,
) -> Result<CheckOutcome, StoreError> {
    let states = crate::scan::counties(
        store,
        area,
        workers,
        || (Checker::default(), Vec::new()),
        |(checker, out), county, reader| {
            // The county's range, or the area's when the area lies within the county.
            let (lo, hi) = code_range(if area.len() > county.len() {
                area
            } else {
                county
            });
            check_county(reader, (&lo, &hi), as_of, checker, out)
        },
    )?;
    let mut checker = Checker::default();
    let mut households = Vec::new();
    for (c, out) in states {
        checker.merge(c);
        households.extend(out);
    }
    households.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(CheckOutcome {
        households,
        summary: checker.summary(),
    })
}
