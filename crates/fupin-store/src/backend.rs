//! The two implementations of [`Repository`]: SQLite and PostgreSQL.
//!
//! They share one body of SQL (placeholders `$1`, which both accept) written once in the macro
//! [`sql_repository!`] and expanded for each concrete pool, so that each backend keeps its own
//! native types (PostgreSQL `DATE`, `TIMESTAMPTZ`, `JSONB`) without sqlx's `Any` driver.
//! Everything that decides (lifecycle rules, differences) lives in [`crate::plan`].

use crate::error::{RowError, StoreError};
use crate::model::*;
use crate::plan::{plan, Existing, Incoming, Plan};
use crate::repo::{Backend, BoxFut, ExportFilter, ImportOptions, ImportOutcome, Repository, Sink};
use chrono::{DateTime, NaiveDate, Utc};
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_core::policy::PolicySet;
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;

/// How many values go into one `IN (...)` list.
const CHUNK: usize = 500;
/// After writing this many households, an import refreshes the planner's statistics.
const ANALYZE_AFTER: u64 = 10_000;
/// How many new households one multi-row insert writes.
const NEW_CHUNK: usize = 1000;
/// How many members or events one multi-row insert writes (15 values each: under SQLite's 32766).
const MEMBER_CHUNK: usize = 2000;

const HOUSEHOLD_COLUMNS: &str = "h.county, h.number, h.area_code, h.village_group, h.attribute, h.main_cause, \
     h.secondary_causes, h.status, h.monitoring, h.housing_grade, h.food, h.clothing, h.water, h.phone, \
     h.bank_account, h.version, i.year, i.wage, i.business, i.property, i.transfer, i.business_cost, \
     i.medical_expense, i.education_expense, i.disaster_loss, i.other_expense";

/// The latest year of income of each household.
const INCOME_JOIN: &str = "LEFT JOIN household_income i ON i.county = h.county AND i.household_number = h.number \
     AND i.year = (SELECT MAX(x.year) FROM household_income x WHERE x.county = h.county AND x.household_number = h.number)";

const MEMBER_COLUMNS: &str =
    "m.id_number, m.name, m.relation, m.labor, m.health, m.disability_grade, \
     m.school_status, m.medical_insurance, m.pension_insurance, m.work_place, m.work_months";

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bad_value(what: &str, v: &str) -> StoreError {
    StoreError::File(format!(
        "数据库中的值无效 / bad stored value for {what}: {v:?}"
    ))
}

fn parse_code<T: CodeList>(v: Option<String>) -> Result<Option<T>, StoreError> {
    match v {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => T::parse(&s).map(Some).ok_or_else(|| bad_value(T::LIST, &s)),
    }
}

fn need_code<T: CodeList>(v: String) -> Result<T, StoreError> {
    T::parse(&v).ok_or_else(|| bad_value(T::LIST, &v))
}

fn join_causes(h: &HouseholdRecord) -> String {
    h.secondary_causes
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(";")
}

fn opt_code<T: CodeList>(v: Option<T>) -> Option<&'static str> {
    v.map(|c| c.code())
}

/// The inclusive range of 12-digit area codes under a prefix.
fn area_range(prefix: &str) -> (String, String) {
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

/// Duplicate household numbers and people within one batch.
fn batch_duplicates(batch: &[Incoming]) -> Vec<(usize, RowError)> {
    let mut errors = Vec::new();
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    let mut people: HashMap<&str, &str> = HashMap::new();
    for (i, h) in batch.iter().enumerate() {
        if let Some(first) = numbers.insert(&h.record.number, h.row) {
            errors.push((
                i,
                RowError::new(
                    h.row,
                    "household_number",
                    &h.record.number,
                    "duplicate_household",
                    &format!("户编号重复(第{first}行已出现)"),
                    &format!("the household number repeats (first at row {first})"),
                )
                .in_household(&h.record.number),
            ));
        }
        for m in &h.record.members {
            if let Some(other) = people.insert(&m.id_number, &h.record.number) {
                if other != h.record.number {
                    let row = h.member_rows.get(&m.id_number).copied().unwrap_or(h.row);
                    errors.push((
                        i,
                        RowError::new(
                            row,
                            "id_number",
                            &m.id_number,
                            "duplicate_person",
                            &format!("同一人已在户 {other} 中"),
                            &format!("the same person is already in household {other}"),
                        )
                        .in_household(&h.record.number),
                    ));
                }
            }
        }
    }
    errors
}

/// The audit entry of a change: the fields that changed, before and after. Members are keyed by ID
/// number, with only those added, removed (null on the other side) or changed.
fn audit_diff(
    before: &HouseholdRecord,
    after: &HouseholdRecord,
) -> (serde_json::Value, serde_json::Value) {
    use serde_json::{Map, Value};
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return (Value::Null, Value::Null);
    };
    let (mut old, mut new) = (Map::new(), Map::new());
    for (k, av) in &a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv == av {
            continue;
        }
        if k == "members" {
            let by_id = |v: &Value| -> Map<String, Value> {
                v.as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| {
                        (
                            m["id_number"].as_str().unwrap_or_default().to_string(),
                            m.clone(),
                        )
                    })
                    .collect()
            };
            let (bm, am) = (by_id(bv), by_id(av));
            let (mut om, mut nm) = (Map::new(), Map::new());
            for id in bm.keys().chain(am.keys()) {
                let (x, y) = (
                    bm.get(id).unwrap_or(&Value::Null),
                    am.get(id).unwrap_or(&Value::Null),
                );
                if x != y {
                    om.insert(id.clone(), x.clone());
                    nm.insert(id.clone(), y.clone());
                }
            }
            old.insert(k.clone(), Value::Object(om));
            new.insert(k.clone(), Value::Object(nm));
        } else {
            old.insert(k.clone(), bv.clone());
            new.insert(k.clone(), av.clone());
        }
    }
    (Value::Object(old), Value::Object(new))
}

macro_rules! sql_repository {
    ($Repo:ident, $DB:ty, $Pool:ty, $backend:expr, $analyze:expr) => {
        impl $Repo {
            fn household_from_row(r: &<$DB as sqlx::Database>::Row) -> Result<HouseholdRecord, StoreError> {
                let year: Option<i64> = r.try_get("year")?;
                let fen = |c: &str| -> Result<fupin_core::Decimal, StoreError> {
                    Ok(from_fen(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)))
                };
                let causes: String = r.try_get("secondary_causes")?;
                Ok(HouseholdRecord {
                    number: r.try_get("number")?,
                    area_code: r.try_get("area_code")?,
                    village_group: r.try_get("village_group")?,
                    attribute: parse_code(r.try_get("attribute")?)?,
                    main_cause: parse_code(r.try_get("main_cause")?)?,
                    secondary_causes: causes
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(|s| need_code(s.to_string()))
                        .collect::<Result<_, _>>()?,
                    status: need_code(r.try_get("status")?)?,
                    monitoring: parse_code(r.try_get("monitoring")?)?,
                    housing_grade: need_code(r.try_get("housing_grade")?)?,
                    food: r.try_get("food")?,
                    clothing: r.try_get("clothing")?,
                    water: r.try_get("water")?,
                    income_year: year.map(|y| y as i32),
                    income: fupin_core::model::Income {
                        wage: fen("wage")?,
                        business: fen("business")?,
                        property: fen("property")?,
                        transfer: fen("transfer")?,
                        business_cost: fen("business_cost")?,
                    },
                    rigid_expense: fupin_core::model::RigidExpense {
                        medical: fen("medical_expense")?,
                        education: fen("education_expense")?,
                        disaster: fen("disaster_loss")?,
                        other: fen("other_expense")?,
                    },
                    phone: r.try_get("phone")?,
                    bank_account: r.try_get("bank_account")?,
                    version: r.try_get("version")?,
                    members: Vec::new(),
                })
            }

            fn member_from_row(r: &<$DB as sqlx::Database>::Row) -> Result<MemberRecord, StoreError> {
                Ok(MemberRecord {
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    relation: need_code(r.try_get("relation")?)?,
                    labor: parse_code(r.try_get("labor")?)?,
                    health: parse_code(r.try_get("health")?)?,
                    disability_grade: r.try_get("disability_grade")?,
                    school_status: need_code(r.try_get("school_status")?)?,
                    medical_insurance: r.try_get("medical_insurance")?,
                    pension_insurance: r.try_get("pension_insurance")?,
                    work_place: parse_code(r.try_get("work_place")?)?,
                    work_months: r.try_get("work_months")?,
                })
            }

            /// Loads the stored households among `numbers`, with current members and last event date.
            async fn load_existing(
                conn: &mut <$DB as sqlx::Database>::Connection,
                numbers: &[&str],
            ) -> Result<HashMap<String, Existing>, StoreError> {
                let mut out: HashMap<String, Existing> = HashMap::new();
                for chunk in numbers.chunks(CHUNK) {
                    let sql = format!(
                        "SELECT {HOUSEHOLD_COLUMNS} FROM household h {INCOME_JOIN} WHERE h.number IN ({})",
                        placeholders(1, chunk.len())
                    );
                    let mut q = sqlx::query(&sql);
                    for n in chunk {
                        q = q.bind(*n);
                    }
                    let mut by_county: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for r in q.fetch_all(&mut *conn).await? {
                        let h = Self::household_from_row(&r)?;
                        by_county.entry(h.county().to_string()).or_default().push(h.number.clone());
                        out.insert(h.number.clone(), Existing { record: h, last_event: None });
                    }
                    for (county, nums) in by_county {
                        let sql = format!(
                            "SELECT m.household_number, {MEMBER_COLUMNS} FROM member m WHERE m.county = $1 \
                             AND m.left_on IS NULL AND m.household_number IN ({}) ORDER BY m.household_number, m.seq",
                            placeholders(2, nums.len())
                        );
                        let mut q = sqlx::query(&sql).bind(&county);
                        for n in &nums {
                            q = q.bind(n);
                        }
                        for r in q.fetch_all(&mut *conn).await? {
                            let n: String = r.try_get("household_number")?;
                            let m = Self::member_from_row(&r)?;
                            if let Some(e) = out.get_mut(&n) {
                                e.record.members.push(m);
                            }
                        }
                        let sql = format!(
                            "SELECT household_number, MAX(effective_date) AS last FROM event WHERE county = $1 \
                             AND household_number IN ({}) GROUP BY household_number",
                            placeholders(2, nums.len())
                        );
                        let mut q = sqlx::query(&sql).bind(&county);
                        for n in &nums {
                            q = q.bind(n);
                        }
                        for r in q.fetch_all(&mut *conn).await? {
                            let n: String = r.try_get("household_number")?;
                            let last: Option<NaiveDate> = r.try_get("last")?;
                            if let Some(e) = out.get_mut(&n) {
                                e.last_event = last;
                            }
                        }
                    }
                }
                Ok(out)
            }

            /// Runs `select` (two text columns, ending in `IN`) over `keys` in chunks: a map from the
            /// first column to the second.
            async fn lookup(
                conn: &mut <$DB as sqlx::Database>::Connection,
                select: &str,
                keys: &[&str],
            ) -> Result<HashMap<String, String>, StoreError> {
                let mut out = HashMap::new();
                for chunk in keys.chunks(CHUNK) {
                    let sql = format!("{select} ({})", placeholders(1, chunk.len()));
                    let mut q = sqlx::query(&sql);
                    for k in chunk {
                        q = q.bind(*k);
                    }
                    for r in q.fetch_all(&mut *conn).await? {
                        out.insert(r.try_get(0)?, r.try_get(1)?);
                    }
                }
                Ok(out)
            }

            /// Creates the areas of the households and of `infos` with their ancestors, and writes what
            /// `infos` says about them (audited).
            async fn ensure_areas(
                conn: &mut <$DB as sqlx::Database>::Connection,
                codes: &BTreeSet<String>,
                infos: &[Area],
                actor: &str,
                date: NaiveDate,
            ) -> Result<(), StoreError> {
                let mut all = BTreeSet::new();
                for c in codes.iter().chain(infos.iter().map(|a| &a.code)) {
                    if let Ok(a) = fupin_core::AreaCode::parse(c) {
                        let mut cur = Some(a);
                        while let Some(a) = cur {
                            if !all.insert(a) {
                                break;
                            }
                            cur = a.parent();
                        }
                    }
                }
                for a in all {
                    sqlx::query(
                        "INSERT INTO area (code, name, level, parent) VALUES ($1, '', $2, $3) ON CONFLICT (code) DO NOTHING",
                    )
                    .bind(a.as_str())
                    .bind(a.level().code())
                    .bind(a.parent().map(|p| p.as_str().to_string()))
                    .execute(&mut *conn)
                    .await?;
                }
                let now = Utc::now();
                for info in infos {
                    let Ok(code) = fupin_core::AreaCode::parse(&info.code) else { continue };
                    let before = Self::load_areas(conn, code.as_str(), code.as_str()).await?.pop();
                    sqlx::query(
                        "UPDATE area SET name = CASE WHEN $1 = '' THEN name ELSE $1 END, \
                         region = COALESCE($2, region), rural_population = COALESCE($3, rural_population) \
                         WHERE code = $4",
                    )
                    .bind(&info.name)
                    .bind(info.region.map(|r| r.code()))
                    .bind(info.rural_population)
                    .bind(code.as_str())
                    .execute(&mut *conn)
                    .await?;
                    let after = Self::load_areas(conn, code.as_str(), code.as_str()).await?.pop();
                    if before != after {
                        let json = |a: &Option<Area>| a.as_ref().and_then(|a| serde_json::to_value(a).ok()).map(sqlx::types::Json);
                        sqlx::query(
                            "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, \
                             before_json, after_json) VALUES ($1, 'area', $2, 'update', $3, $4, $5, $6, $7)",
                        )
                        .bind(county_of(code.as_str()))
                        .bind(code.as_str())
                        .bind(actor)
                        .bind(now)
                        .bind(date)
                        .bind(json(&before))
                        .bind(json(&after))
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                Ok(())
            }

            async fn load_areas(
                conn: &mut <$DB as sqlx::Database>::Connection,
                lo: &str,
                hi: &str,
            ) -> Result<Vec<Area>, StoreError> {
                let rows = sqlx::query(
                    "SELECT code, name, level, parent, region, rural_population FROM area \
                     WHERE code BETWEEN $1 AND $2 ORDER BY code",
                )
                .bind(lo)
                .bind(hi)
                .fetch_all(&mut *conn)
                .await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(Area {
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        level: crate::areas::parse_level(&r.try_get::<String, _>("level")?)?,
                        parent: r.try_get("parent")?,
                        region: parse_code(r.try_get("region")?)?,
                        rural_population: r.try_get("rural_population")?,
                    });
                }
                Ok(out)
            }

            /// Inserts or updates members with one multi-row statement per chunk; a member who left
            /// and comes back gets a new `joined_on`.
            async fn upsert_members(
                conn: &mut <$DB as sqlx::Database>::Connection,
                rows: &[(&HouseholdRecord, &MemberRecord, i64)],
                date: NaiveDate,
            ) -> Result<(), StoreError> {
                for chunk in rows.chunks(MEMBER_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$DB>::new(
                        "INSERT INTO member (county, household_number, id_number, seq, name, relation, labor, health, \
                         disability_grade, school_status, medical_insurance, pension_insurance, work_place, \
                         work_months, joined_on) ",
                    );
                    qb.push_values(chunk, |mut b, (h, m, seq)| {
                        b.push_bind(h.county())
                            .push_bind(&h.number)
                            .push_bind(&m.id_number)
                            .push_bind(*seq)
                            .push_bind(&m.name)
                            .push_bind(m.relation.code())
                            .push_bind(opt_code(m.labor))
                            .push_bind(opt_code(m.health))
                            .push_bind(m.disability_grade)
                            .push_bind(m.school_status.code())
                            .push_bind(m.medical_insurance)
                            .push_bind(m.pension_insurance)
                            .push_bind(opt_code(m.work_place))
                            .push_bind(m.work_months)
                            .push_bind(date);
                    });
                    qb.push(
                        " ON CONFLICT (county, household_number, id_number) DO UPDATE SET seq = excluded.seq, \
                         name = excluded.name, relation = excluded.relation, labor = excluded.labor, \
                         health = excluded.health, disability_grade = excluded.disability_grade, \
                         school_status = excluded.school_status, medical_insurance = excluded.medical_insurance, \
                         pension_insurance = excluded.pension_insurance, work_place = excluded.work_place, \
                         work_months = excluded.work_months, \
                         joined_on = CASE WHEN member.left_on IS NULL THEN member.joined_on ELSE excluded.joined_on END, \
                         left_on = NULL, left_reason = NULL",
                    );
                    qb.build().execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Writes the income year of each household (replacing a stored row of the same year).
            async fn upsert_income(
                conn: &mut <$DB as sqlx::Database>::Connection,
                households: &[&HouseholdRecord],
            ) -> Result<(), StoreError> {
                let with_income: Vec<_> = households.iter().filter(|h| h.income_year.is_some()).collect();
                for chunk in with_income.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$DB>::new(
                        "INSERT INTO household_income (county, household_number, year, wage, business, property, \
                         transfer, business_cost, medical_expense, education_expense, disaster_loss, other_expense) ",
                    );
                    qb.push_values(chunk, |mut b, h| {
                        let (i, r) = (&h.income, &h.rigid_expense);
                        b.push_bind(h.county())
                            .push_bind(&h.number)
                            .push_bind(h.income_year.unwrap_or_default() as i64)
                            .push_bind(to_fen(i.wage))
                            .push_bind(to_fen(i.business))
                            .push_bind(to_fen(i.property))
                            .push_bind(to_fen(i.transfer))
                            .push_bind(to_fen(i.business_cost))
                            .push_bind(to_fen(r.medical))
                            .push_bind(to_fen(r.education))
                            .push_bind(to_fen(r.disaster))
                            .push_bind(to_fen(r.other));
                    });
                    qb.push(
                        " ON CONFLICT (county, household_number, year) DO UPDATE SET wage = excluded.wage, \
                         business = excluded.business, property = excluded.property, transfer = excluded.transfer, \
                         business_cost = excluded.business_cost, medical_expense = excluded.medical_expense, \
                         education_expense = excluded.education_expense, disaster_loss = excluded.disaster_loss, \
                         other_expense = excluded.other_expense",
                    );
                    qb.build().execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Writes the plans' events, member changes, income and audit entries (not the household rows).
            async fn write_details(
                conn: &mut <$DB as sqlx::Database>::Connection,
                plans: &[&Plan],
                date: NaiveDate,
                actor: &str,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let incomes: Vec<&HouseholdRecord> = plans
                    .iter()
                    .filter(|p| {
                        p.before.as_ref().is_none_or(|b| {
                            b.income_year != p.after.income_year
                                || b.income != p.after.income
                                || b.rigid_expense != p.after.rigid_expense
                        })
                    })
                    .map(|p| &p.after)
                    .collect();
                Self::upsert_income(conn, &incomes).await?;
                let members: Vec<(&HouseholdRecord, &MemberRecord, i64)> = plans
                    .iter()
                    .flat_map(|p| p.joins.iter().chain(&p.member_updates).map(move |(m, seq)| (&p.after, m, *seq)))
                    .collect();
                Self::upsert_members(conn, &members, date).await?;
                for p in plans {
                    for (id, reason) in &p.leaves {
                        sqlx::query(
                            "UPDATE member SET left_on = $1, left_reason = $2 WHERE county = $3 \
                             AND household_number = $4 AND id_number = $5 AND left_on IS NULL",
                        )
                        .bind(date)
                        .bind(reason.code())
                        .bind(p.after.county())
                        .bind(&p.after.number)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                let events: Vec<(&HouseholdRecord, &Event)> =
                    plans.iter().flat_map(|p| p.events.iter().map(move |e| (&p.after, e))).collect();
                for chunk in events.chunks(MEMBER_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$DB>::new(
                        "INSERT INTO event (county, household_number, id_number, kind, detail, reason, \
                         effective_date, actor, recorded_at) ",
                    );
                    qb.push_values(chunk, |mut b, (h, e)| {
                        b.push_bind(h.county())
                            .push_bind(&h.number)
                            .push_bind(&e.id_number)
                            .push_bind(&e.kind)
                            .push_bind(&e.detail)
                            .push_bind(&e.reason)
                            .push_bind(e.date)
                            .push_bind(&e.actor)
                            .push_bind(now);
                    });
                    qb.build().execute(&mut *conn).await?;
                }
                // A new household's whole record; a changed one's changed fields only, before and after.
                let entry = |p: &Plan| match &p.before {
                    None => (None, serde_json::to_value(&p.after).ok().map(sqlx::types::Json)),
                    Some(b) => {
                        let (before, after) = audit_diff(b, &p.after);
                        (Some(sqlx::types::Json(before)), Some(sqlx::types::Json(after)))
                    }
                };
                for chunk in plans.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$DB>::new(
                        "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, \
                         before_json, after_json) ",
                    );
                    qb.push_values(chunk, |mut b, p| {
                        let h = &p.after;
                        let (before, after) = entry(p);
                        b.push_bind(h.county())
                            .push_bind("household")
                            .push_bind(&h.number)
                            .push_bind(if p.before.is_none() { "create" } else { "update" })
                            .push_bind(actor)
                            .push_bind(now)
                            .push_bind(date)
                            .push_bind(before)
                            .push_bind(after);
                    });
                    qb.build().execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Writes households with multi-row statements: new ones (`changed` false), or changed
            /// ones as an upsert that only replaces a row still at the version the plan read (a
            /// stale one is a conflict).
            async fn write_rows(
                conn: &mut <$DB as sqlx::Database>::Connection,
                plans: &[&Plan],
                date: NaiveDate,
                actor: &str,
                changed: bool,
            ) -> Result<(), StoreError> {
                let now = Utc::now();
                let mut qb = sqlx::QueryBuilder::<$DB>::new(
                    "INSERT INTO household (area_code, village_group, attribute, main_cause, secondary_causes, \
                     status, monitoring, housing_grade, food, clothing, water, phone, bank_account, version, \
                     updated_at, fingerprint, people, rule_members, rule_income, county, number) ",
                );
                qb.push_values(plans, |mut b, p| {
                    let h = &p.after;
                    let (people, members, income) = crate::scan::facts(p.before.as_ref(), h);
                    b.push_bind(&h.area_code)
                        .push_bind(&h.village_group)
                        .push_bind(opt_code(h.attribute))
                        .push_bind(opt_code(h.main_cause))
                        .push_bind(join_causes(h))
                        .push_bind(h.status.code())
                        .push_bind(opt_code(h.monitoring))
                        .push_bind(h.housing_grade.code())
                        .push_bind(h.food)
                        .push_bind(h.clothing)
                        .push_bind(h.water)
                        .push_bind(&h.phone)
                        .push_bind(&h.bank_account)
                        .push_bind(h.version)
                        .push_bind(now)
                        .push_bind(&p.fingerprint)
                        .push_bind(people)
                        .push_bind(members)
                        .push_bind(income)
                        .push_bind(h.county())
                        .push_bind(&h.number);
                });
                if changed {
                    qb.push(
                        " ON CONFLICT (county, number) DO UPDATE SET area_code = excluded.area_code, \
                         village_group = excluded.village_group, attribute = excluded.attribute, \
                         main_cause = excluded.main_cause, secondary_causes = excluded.secondary_causes, \
                         status = excluded.status, monitoring = excluded.monitoring, housing_grade = excluded.housing_grade, \
                         food = excluded.food, clothing = excluded.clothing, water = excluded.water, phone = excluded.phone, \
                         bank_account = excluded.bank_account, version = excluded.version, updated_at = excluded.updated_at, \
                         fingerprint = excluded.fingerprint, people = excluded.people, rule_members = excluded.rule_members, \
                         rule_income = excluded.rule_income WHERE household.version = excluded.version - 1",
                    );
                }
                let done = qb.build().execute(&mut *conn).await?;
                if changed && done.rows_affected() != plans.len() as u64 {
                    // Name the first household whose stored version moved on.
                    let numbers: Vec<&str> = plans.iter().map(|p| p.after.number.as_str()).collect();
                    let sql = "SELECT number, CAST(version AS TEXT) AS v FROM household WHERE number IN";
                    let found = Self::lookup(conn, sql, &numbers).await?;
                    let stale = plans
                        .iter()
                        .find(|p| found.get(&p.after.number).and_then(|v| v.parse::<i64>().ok()) != Some(p.after.version))
                        .unwrap_or(&plans[0]);
                    return Err(StoreError::Conflict {
                        number: stale.after.number.clone(),
                        expected: stale.after.version - 1,
                        found: -1,
                    });
                }
                Self::write_details(conn, plans, date, actor, now).await
            }

            async fn import_in(
                &self,
                batch: Vec<Incoming>,
                area_infos: &[Area],
                opts: &ImportOptions,
                expected_version: Option<i64>,
            ) -> Result<(ImportOutcome, Option<HouseholdRecord>), StoreError> {
                let policy = PolicySet::builtin();
                let mut out = ImportOutcome::default();
                let mut tx = self.pool.begin().await?;
                // Households stored exactly as the file has them are left alone without being loaded.
                let fingerprints: Vec<String> = batch.iter().map(|h| h.record.fingerprint()).collect();
                let numbers: Vec<&str> = batch.iter().map(|h| h.record.number.as_str()).collect();
                let stored = match expected_version {
                    None => {
                        let sql = "SELECT number, fingerprint FROM household WHERE fingerprint IS NOT NULL AND number IN";
                        Self::lookup(&mut tx, sql, &numbers).await?
                    }
                    Some(_) => HashMap::new(),
                };
                let same: Vec<bool> = batch
                    .iter()
                    .zip(&fingerprints)
                    .map(|(h, f)| stored.get(&h.record.number) == Some(f))
                    .collect();
                let to_load: Vec<&str> =
                    numbers.iter().zip(&same).filter(|(_, s)| !**s).map(|(n, _)| *n).collect();
                let existing = Self::load_existing(&mut tx, &to_load).await?;
                let ids: Vec<&str> = batch
                    .iter()
                    .zip(&same)
                    .filter(|(_, s)| !**s)
                    .flat_map(|(h, _)| h.record.members.iter().map(|m| m.id_number.as_str()))
                    .collect();
                // The household each person of the file is a current member of.
                let sql = "SELECT id_number, household_number FROM member WHERE left_on IS NULL AND id_number IN";
                let owners = Self::lookup(&mut tx, sql, &ids).await?;
                let in_batch: HashMap<&str, &Incoming> = batch.iter().map(|h| (h.record.number.as_str(), h)).collect();
                let mut bad: HashSet<usize> = HashSet::new();
                for (i, e) in batch_duplicates(&batch) {
                    bad.insert(i);
                    out.errors.push(e);
                }
                let mut plans = Vec::new();
                for (i, h) in batch.iter().enumerate() {
                    if same[i] {
                        if !bad.contains(&i) {
                            out.unchanged += 1;
                        }
                        continue;
                    }
                    let number = h.record.number.as_str();
                    let ex = existing.get(number);
                    if let Some(expected) = expected_version {
                        let found = ex.map_or(0, |e| e.record.version);
                        if found != expected {
                            return Err(StoreError::Conflict { number: number.to_string(), expected, found });
                        }
                    }
                    for m in &h.record.members {
                        if let Some(owner) = owners.get(&m.id_number) {
                            // Someone else's member may move here when the file also takes them out there.
                            let moves = in_batch
                                .get(owner.as_str())
                                .is_some_and(|o| !o.record.members.iter().any(|x| x.id_number == m.id_number));
                            if owner != number && !moves {
                                bad.insert(i);
                                let row = h.member_rows.get(&m.id_number).copied().unwrap_or(h.row);
                                out.errors.push(
                                    RowError::new(
                                        row,
                                        "id_number",
                                        &m.id_number,
                                        "duplicate_person",
                                        &format!("此人已登记在户 {owner} 中"),
                                        &format!("this person is already registered in household {owner}"),
                                    )
                                    .in_household(number),
                                );
                            }
                        }
                    }
                    match plan(ex, h, opts.date, &opts.actor, &policy) {
                        Ok(mut p) if !bad.contains(&i) => {
                            p.fingerprint = fingerprints[i].clone();
                            plans.push(p);
                        }
                        Ok(_) => {}
                        Err(e) => {
                            bad.insert(i);
                            out.errors.push(*e);
                        }
                    }
                }
                out.skipped = bad.len() as u64;
                for p in &plans {
                    if p.before.is_none() {
                        out.created += 1;
                    } else if p.is_noop() {
                        out.unchanged += 1;
                    } else {
                        out.updated += 1;
                    }
                    out.events += p.events.len() as u64;
                }
                out.errors.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
                if opts.dry_run || (!out.errors.is_empty() && !opts.partial) {
                    tx.rollback().await?;
                    return Ok((out, None));
                }
                let areas: BTreeSet<String> = plans.iter().map(|p| p.after.area_code.clone()).collect();
                Self::ensure_areas(&mut tx, &areas, area_infos, &opts.actor, opts.date).await?;
                // New households go in with multi-row inserts; changed ones one by one.
                let (new, changed): (Vec<&Plan>, Vec<&Plan>) = plans.iter().partition(|p| p.before.is_none());
                let mut done = 0u64;
                let noops = changed.iter().filter(|p| p.is_noop()).count() as u64;
                let changed: Vec<&Plan> = changed.into_iter().filter(|p| !p.is_noop()).collect();
                for (chunk, is_changed) in new
                    .chunks(NEW_CHUNK)
                    .map(|c| (c, false))
                    .chain(changed.chunks(NEW_CHUNK).map(|c| (c, true)))
                {
                    Self::write_rows(&mut tx, chunk, opts.date, &opts.actor, is_changed).await?;
                    done += chunk.len() as u64;
                    if let Some(progress) = &opts.progress {
                        progress(done);
                    }
                }
                done += noops;
                // The dashboards' roll-ups: mark the villages written (and a moved household's old
                // village), refresh them now unless the caller refreshes later.
                let mut touched: BTreeSet<String> = plans
                    .iter()
                    .flat_map(|p| std::iter::once(&p.after).chain(p.before.as_ref()))
                    .map(|h| h.area_code.clone())
                    .collect();
                touched.extend(
                    area_infos.iter().filter(|a| a.rural_population.is_some()).map(|a| a.code.clone()),
                );
                crate::rollup::mark(&mut crate::sql::Conn::from(&mut *tx), &touched).await?;
                tx.commit().await?;
                out.committed = true;
                if done >= ANALYZE_AFTER {
                    // Fresh statistics, or the next import's lookups (and the roll-up refresh) may
                    // scan whole tables.
                    sqlx::raw_sql($analyze).execute(&self.pool).await?;
                }
                if !opts.defer_rollups {
                    // After the commit, in a transaction of its own: the marks are committed with the
                    // data, so if this does not happen, the next read refreshes them.
                    let mut tx = self.pool.begin().await?;
                    crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                    tx.commit().await?;
                }
                Ok((out, plans.pop().map(|p| p.after)))
            }
        }

        impl Repository for $Repo {
            fn backend(&self) -> Backend {
                $backend
            }

            fn import_with_areas<'a>(
                &'a self,
                batch: Vec<Incoming>,
                areas: Vec<Area>,
                opts: &'a ImportOptions,
            ) -> BoxFut<'a, ImportOutcome> {
                Box::pin(async move { Ok(self.import_in(batch, &areas, opts, None).await?.0) })
            }

            fn areas<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<Area>> {
                Box::pin(async move {
                    let (lo, hi) = area_range(prefix);
                    let mut conn = self.pool.acquire().await?;
                    Self::load_areas(&mut conn, &lo, &hi).await
                })
            }

            fn save<'a>(
                &'a self,
                incoming: Incoming,
                expected_version: i64,
                date: NaiveDate,
                actor: &'a str,
            ) -> BoxFut<'a, HouseholdRecord> {
                Box::pin(async move {
                    let opts = ImportOptions::new(date, actor);
                    let (mut out, after) = self.import_in(vec![incoming], &[], &opts, Some(expected_version)).await?;
                    match after {
                        Some(h) => Ok(h),
                        None => Err(StoreError::Rejected(Box::new(out.errors.remove(0)))),
                    }
                })
            }

            fn household<'a>(&'a self, number: &'a str) -> BoxFut<'a, Option<HouseholdRecord>> {
                Box::pin(async move {
                    let mut conn = self.pool.acquire().await?;
                    Ok(Self::load_existing(&mut conn, &[number]).await?.remove(number).map(|e| e.record))
                })
            }

            fn history<'a>(&'a self, number: &'a str, as_of: Option<NaiveDate>) -> BoxFut<'a, History> {
                Box::pin(async move {
                    let mut conn = self.pool.acquire().await?;
                    let h = Self::load_existing(&mut conn, &[number])
                        .await?
                        .remove(number)
                        .ok_or_else(|| StoreError::NotFound(number.to_string()))?
                        .record;
                    let day = as_of.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"));
                    let rows = sqlx::query(
                        "SELECT effective_date, kind, detail, id_number, reason, actor FROM event \
                         WHERE county = $1 AND household_number = $2 AND effective_date <= $3 ORDER BY effective_date, id",
                    )
                    .bind(h.county())
                    .bind(number)
                    .bind(day)
                    .fetch_all(&mut *conn)
                    .await?;
                    let mut events = Vec::new();
                    for r in rows {
                        events.push(Event {
                            date: r.try_get("effective_date")?,
                            kind: r.try_get("kind")?,
                            detail: r.try_get("detail")?,
                            id_number: r.try_get("id_number")?,
                            reason: r.try_get("reason")?,
                            actor: r.try_get("actor")?,
                        });
                    }
                    let status = match as_of {
                        None => h.status,
                        Some(d) => events
                            .iter()
                            .rev()
                            .find(|e| kind::STATUS.contains(&e.kind.as_str()))
                            .and_then(|e| e.detail.as_deref().and_then(HouseholdStatus::parse))
                            .ok_or_else(|| StoreError::NotFound(format!("{number} @ {d}")))?,
                    };
                    let monitoring = match as_of {
                        None => h.monitoring,
                        Some(_) => events
                            .iter()
                            .rev()
                            .find(|e| kind::MONITORING.contains(&e.kind.as_str()))
                            .and_then(|e| e.detail.as_deref().and_then(fupin_core::codes::MonitoringCategory::parse)),
                    };
                    let rows = sqlx::query(
                        "SELECT id_number, name, relation, joined_on, left_on, left_reason FROM member \
                         WHERE county = $1 AND household_number = $2 AND joined_on <= $3 \
                         AND (left_on IS NULL OR left_on > $3) ORDER BY seq",
                    )
                    .bind(h.county())
                    .bind(number)
                    .bind(day)
                    .fetch_all(&mut *conn)
                    .await?;
                    let mut members = Vec::new();
                    for r in rows {
                        members.push(HistoryMember {
                            id_number: r.try_get("id_number")?,
                            name: r.try_get("name")?,
                            relation: need_code(r.try_get("relation")?)?,
                            joined_on: r.try_get("joined_on")?,
                            left_on: r.try_get("left_on")?,
                            left_reason: r.try_get("left_reason")?,
                        });
                    }
                    Ok(History {
                        household: number.to_string(),
                        area_code: h.area_code.clone(),
                        as_of,
                        status,
                        monitoring,
                        members,
                        events,
                    })
                })
            }

            fn change_report<'a>(
                &'a self,
                from: NaiveDate,
                to: NaiveDate,
                area: &'a str,
            ) -> BoxFut<'a, ChangeReport> {
                Box::pin(async move {
                    let mut conn = self.pool.acquire().await?;
                    let (lo, hi) = area_range(area);
                    let mut report = ChangeReport {
                        from,
                        to,
                        area: area.to_string(),
                        households: HouseholdFlows::default(),
                        people: PeopleFlows::default(),
                        end: EndStock::default(),
                    };
                    // Flows: the period's events, each with the household's members on its day.
                    let rows = sqlx::query(
                        "SELECT e.kind, e.detail, COUNT(*) AS households, CAST(SUM((SELECT COUNT(*) FROM member m \
                         WHERE m.county = e.county AND m.household_number = e.household_number \
                         AND m.joined_on <= e.effective_date AND (m.left_on IS NULL OR m.left_on > e.effective_date))) \
                         AS BIGINT) AS people FROM event e \
                         JOIN household h ON h.county = e.county AND h.number = e.household_number \
                         WHERE h.area_code BETWEEN $1 AND $2 AND e.effective_date BETWEEN $3 AND $4 \
                         AND e.kind IN ('identified', 'exited', 'returned', 'removed', 'member_joined', 'member_left') \
                         GROUP BY e.kind, e.detail",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *conn)
                    .await?;
                    for r in rows {
                        let k: String = r.try_get("kind")?;
                        let detail: Option<String> = r.try_get("detail")?;
                        let n = r.try_get::<i64, _>("households")? as u64;
                        let people = r.try_get::<Option<i64>, _>("people")?.unwrap_or(0) as u64;
                        let (hf, pf) = (&mut report.households, &mut report.people);
                        match (k.as_str(), detail.as_deref()) {
                            (kind::IDENTIFIED, _) => (hf.identified, pf.identified) = (hf.identified + n, pf.identified + people),
                            (kind::EXITED, _) => (hf.exited, pf.exited) = (hf.exited + n, pf.exited + people),
                            (kind::RETURNED, _) => (hf.returned, pf.returned) = (hf.returned + n, pf.returned + people),
                            (kind::REMOVED, _) => (hf.removed, pf.removed) = (hf.removed + n, pf.removed + people),
                            (kind::MEMBER_JOINED, Some("birth")) => pf.natural_increase += n,
                            (kind::MEMBER_LEFT, Some("death")) => pf.natural_decrease += n,
                            _ => {}
                        }
                    }
                    // The stock at the end: each household under its last status on or before `to`.
                    let rows = sqlx::query(
                        "SELECT s.status, COUNT(*) AS households, CAST(SUM(s.people) AS BIGINT) AS people FROM (\
                         SELECT (SELECT e.detail FROM event e WHERE e.county = h.county AND e.household_number = h.number \
                         AND e.kind IN ('identified', 'recorded', 'exited', 'returned', 'removed') AND e.effective_date <= $3 \
                         ORDER BY e.effective_date DESC, e.id DESC LIMIT 1) AS status, \
                         (SELECT COUNT(*) FROM member m WHERE m.county = h.county AND m.household_number = h.number \
                         AND m.joined_on <= $3 AND (m.left_on IS NULL OR m.left_on > $3)) AS people \
                         FROM household h WHERE h.area_code BETWEEN $1 AND $2) s GROUP BY s.status",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .bind(to)
                    .fetch_all(&mut *conn)
                    .await?;
                    for r in rows {
                        let status: Option<String> = r.try_get("status")?;
                        let stock = match status.as_deref() {
                            Some("poor") => &mut report.end.poor,
                            Some("exited") => &mut report.end.exited,
                            Some("returned") => &mut report.end.returned,
                            Some("removed") => &mut report.end.removed,
                            _ => continue,
                        };
                        stock.households = r.try_get::<i64, _>("households")? as u64;
                        stock.people = r.try_get::<Option<i64>, _>("people")?.unwrap_or(0) as u64;
                    }
                    Ok(report)
                })
            }

            fn year_report<'a>(&'a self, year: i32, area: &'a str) -> BoxFut<'a, ChangeReport> {
                Box::pin(async move {
                    if crate::rollup::DEPTHS.contains(&area.len()) && year > 0 {
                        let mut tx = self.pool.begin().await?;
                        crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                        let rows = crate::rollup::year_rows(&mut crate::sql::Conn::from(&mut *tx), area, i64::from(year)).await?;
                        tx.commit().await?;
                        return Ok(crate::rollup::year_report(year, area, &rows));
                    }
                    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| StoreError::File(format!("year {year}")))?;
                    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| StoreError::File(format!("year {year}")))?;
                    self.change_report(from, to, area).await
                })
            }

            fn refresh_rollups(&self) -> BoxFut<'_, usize> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    let n = crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                    tx.commit().await?;
                    Ok(n)
                })
            }

            fn export<'a>(&'a self, filter: &'a ExportFilter, sink: &'a mut Sink<'a>) -> BoxFut<'a, u64> {
                Box::pin(async move {
                    let (lo, hi) = area_range(&filter.area);
                    let statuses = if filter.statuses.is_empty() {
                        String::new()
                    } else {
                        format!(" AND h.status IN ({})", placeholders(3, filter.statuses.len()))
                    };
                    let sql = format!(
                        "SELECT {HOUSEHOLD_COLUMNS}, {MEMBER_COLUMNS} FROM household h {INCOME_JOIN} \
                         LEFT JOIN member m ON m.county = h.county AND m.household_number = h.number AND m.left_on IS NULL \
                         WHERE h.area_code BETWEEN $1 AND $2{statuses} ORDER BY h.county, h.number, m.seq"
                    );
                    let mut q = sqlx::query(&sql).bind(&lo).bind(&hi);
                    for s in &filter.statuses {
                        q = q.bind(s.code());
                    }
                    let mut rows = q.fetch(&self.pool);
                    let mut current: Option<HouseholdRecord> = None;
                    let mut n = 0;
                    while let Some(r) = rows.try_next().await? {
                        let number: String = r.try_get("number")?;
                        if current.as_ref().is_none_or(|c| c.number != number) {
                            if let Some(done) = current.take() {
                                sink(&done)?;
                                n += 1;
                            }
                            current = Some(Self::household_from_row(&r)?);
                        }
                        let id: Option<String> = r.try_get("id_number")?;
                        if id.is_some() {
                            let m = Self::member_from_row(&r)?;
                            current.as_mut().expect("set above").members.push(m);
                        }
                    }
                    if let Some(done) = current.take() {
                        sink(&done)?;
                        n += 1;
                    }
                    Ok(n)
                })
            }

            fn audit<'a>(&'a self, number: &'a str) -> BoxFut<'a, Vec<AuditEntry>> {
                Box::pin(async move {
                    let rows = sqlx::query(
                        "SELECT entity, entity_key, action, actor, at, effective_date, before_json, after_json \
                         FROM audit_log WHERE entity = 'household' AND entity_key = $1 ORDER BY id",
                    )
                    .bind(number)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::new();
                    for r in rows {
                        let before: Option<sqlx::types::Json<serde_json::Value>> = r.try_get("before_json")?;
                        let after: Option<sqlx::types::Json<serde_json::Value>> = r.try_get("after_json")?;
                        out.push(AuditEntry {
                            entity: r.try_get("entity")?,
                            entity_key: r.try_get("entity_key")?,
                            action: r.try_get("action")?,
                            actor: r.try_get("actor")?,
                            at: r.try_get("at")?,
                            effective_date: r.try_get("effective_date")?,
                            before: before.map(|j| j.0),
                            after: after.map(|j| j.0),
                        });
                    }
                    Ok(out)
                })
            }

            fn schema(&self) -> BoxFut<'_, BTreeMap<String, BTreeSet<String>>> {
                Box::pin(async move {
                    let rows = sqlx::query(self.schema_sql()).fetch_all(&self.pool).await?;
                    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
                    for r in rows {
                        out.entry(r.try_get("t")?).or_default().insert(r.try_get("c")?);
                    }
                    Ok(out)
                })
            }
        }
    };
}

/// The embedded default: one SQLite file, WAL journal, foreign keys on.
pub struct SqliteRepo {
    pool: sqlx::SqlitePool,
}

impl SqliteRepo {
    pub async fn open(url: &str) -> Result<SqliteRepo, StoreError> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|_| StoreError::Url(url.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // A county's registry is about a gigabyte: read it through memory maps and a larger cache.
            .pragma("mmap_size", "4294967296")
            .pragma("cache_size", "-131072")
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        crate::migrate::run(&crate::sql::Db::Sqlite(pool.clone())).await?;
        Ok(SqliteRepo { pool })
    }

    fn schema_sql(&self) -> &'static str {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    }
}

/// PostgreSQL, for a province or the nation.
pub struct PgRepo {
    pool: sqlx::PgPool,
}

impl PgRepo {
    /// Opens the database at `url`; with `schema`, in that schema, dropped and created anew.
    pub async fn open(url: &str, schema: Option<&str>) -> Result<PgRepo, StoreError> {
        use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
        let mut opts =
            PgConnectOptions::from_str(url).map_err(|_| StoreError::Url(url.to_string()))?;
        if let Some(schema) = schema {
            if !schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(StoreError::Url(format!("{url} (schema {schema})")));
            }
            let setup = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(opts.clone())
                .await?;
            sqlx::raw_sql(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .execute(&setup)
            .await?;
            setup.close().await;
            opts = opts.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        crate::migrate::run(&crate::sql::Db::Pg(pool.clone())).await?;
        Ok(PgRepo { pool })
    }

    /// The pool, for bulk loading with `COPY` in the benchmark.
    pub fn pool(&self) -> &sqlx::PgPool {
        &self.pool
    }

    fn schema_sql(&self) -> &'static str {
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    }
}

sql_repository!(
    SqliteRepo,
    sqlx::Sqlite,
    sqlx::SqlitePool,
    Backend::Sqlite,
    "PRAGMA optimize"
);
sql_repository!(
    PgRepo,
    sqlx::Postgres,
    sqlx::PgPool,
    Backend::Postgres,
    "ANALYZE household, household_income, member, event"
);
