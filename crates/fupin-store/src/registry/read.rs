//! Reading the registry: rows into records, the households a write plans against, history as of a
//! date, the audit log, areas, and the export that streams every household in constant memory.

use super::CHUNK;
use crate::error::StoreError;
use crate::model::{
    from_fen, kind, Area, AuditEntry, Event, History, HistoryMember, HouseholdRecord, MemberRecord,
    YearIncome,
};
use crate::plan::Existing;
use crate::repo::{ExportFilter, Sink};
use crate::sql::{placeholders, Backend, Conn, Row};
use crate::store::SqlStore;
use chrono::NaiveDate;
use fupin_core::area::code_range;
use fupin_core::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use futures_util::TryStreamExt;
use sqlx::types::Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(super) const HOUSEHOLD_COLUMNS: &str =
    "h.county, h.number, h.area_code, h.village_group, h.attribute, h.main_cause, \
     h.secondary_causes, h.status, h.monitoring, h.housing_grade, h.food, h.clothing, h.water, \
     h.phone, h.bank_account, h.version, i.year, i.wage, i.business, i.property, i.transfer, \
     i.business_cost, i.medical_expense, i.education_expense, i.disaster_loss, i.other_expense";

/// The latest year of income of each household.
pub(super) const INCOME_JOIN: &str =
    "LEFT JOIN household_income i ON i.county = h.county AND i.household_number = h.number \
     AND i.year = (SELECT MAX(x.year) FROM household_income x \
     WHERE x.county = h.county AND x.household_number = h.number)";

pub(super) const MEMBER_COLUMNS: &str =
    "m.id_number, m.name, m.relation, m.labor, m.health, m.disability_grade, \
     m.school_status, m.medical_insurance, m.pension_insurance, m.work_place, m.work_months";

fn bad_value(what: &str, v: &str) -> StoreError {
    StoreError::File(format!(
        "数据库中的值无效 / bad stored value for {what}: {v:?}"
    ))
}

/// An optional code (empty or null: none).
pub(super) fn parse_code<T: CodeList>(v: Option<String>) -> Result<Option<T>, StoreError> {
    match v {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => T::parse(&s).map(Some).ok_or_else(|| bad_value(T::LIST, &s)),
    }
}

/// A required code.
pub(super) fn need_code<T: CodeList>(v: String) -> Result<T, StoreError> {
    T::parse(&v).ok_or_else(|| bad_value(T::LIST, &v))
}

/// The income items and rigid expenses of a row with `household_income`'s columns (a household
/// without an income row, through a left join: zero).
fn income_of(
    r: &Row,
) -> Result<(fupin_core::model::Income, fupin_core::model::RigidExpense), StoreError> {
    let fen = |c: &str| -> Result<fupin_core::Decimal, StoreError> {
        Ok(from_fen(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)))
    };
    Ok((
        fupin_core::model::Income {
            wage: fen("wage")?,
            business: fen("business")?,
            property: fen("property")?,
            transfer: fen("transfer")?,
            business_cost: fen("business_cost")?,
        },
        fupin_core::model::RigidExpense {
            medical: fen("medical_expense")?,
            education: fen("education_expense")?,
            disaster: fen("disaster_loss")?,
            other: fen("other_expense")?,
        },
    ))
}

/// A household (without members) from a row of [`HOUSEHOLD_COLUMNS`].
pub(super) fn household_from_row(r: &Row) -> Result<HouseholdRecord, StoreError> {
    let year: Option<i64> = r.try_get("year")?;
    let (income, rigid_expense) = income_of(r)?;
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
        income,
        rigid_expense,
        phone: r.try_get("phone")?,
        bank_account: r.try_get("bank_account")?,
        version: r.try_get("version")?,
        members: Vec::new(),
    })
}

/// A member from a row of [`MEMBER_COLUMNS`].
pub(super) fn member_from_row(r: &Row) -> Result<MemberRecord, StoreError> {
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
pub(super) async fn load_existing(
    conn: &mut Conn<'_>,
    numbers: &[&str],
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut out: HashMap<String, Existing> = HashMap::new();
    for chunk in numbers.chunks(CHUNK) {
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS} FROM household h {INCOME_JOIN} WHERE h.number IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = conn.query(&sql).once();
        for n in chunk {
            q.push(*n);
        }
        let mut by_county: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in q.fetch_all(&mut *conn).await? {
            let h = household_from_row(&r)?;
            by_county
                .entry(h.county().to_string())
                .or_default()
                .push(h.number.clone());
            let number = h.number.clone();
            let existing = Existing {
                record: h,
                last_event: None,
            };
            out.insert(number, existing);
        }
        for (county, nums) in by_county {
            let members = |list| {
                format!(
                    "SELECT m.household_number, {MEMBER_COLUMNS} FROM member m \
                     WHERE m.county = $1 AND m.left_on IS NULL AND m.household_number IN ({list}) \
                     ORDER BY m.household_number, m.seq"
                )
            };
            for r in county_rows(conn, &county, &nums, members).await? {
                let n: String = r.try_get("household_number")?;
                let m = member_from_row(&r)?;
                if let Some(e) = out.get_mut(&n) {
                    e.record.members.push(m);
                }
            }
            let last_events = |list| {
                format!(
                    "SELECT household_number, MAX(effective_date) AS last FROM event \
                     WHERE county = $1 AND household_number IN ({list}) GROUP BY household_number"
                )
            };
            for r in county_rows(conn, &county, &nums, last_events).await? {
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

/// Runs the statement `sql` makes of an `IN` list for households `numbers` of one county (`$1`).
async fn county_rows(
    conn: &mut Conn<'_>,
    county: &str,
    numbers: &[String],
    sql: impl FnOnce(String) -> String,
) -> Result<Vec<Row>, StoreError> {
    let sql = sql(placeholders(2, numbers.len()));
    let mut q = conn.query(&sql).once().bind(county);
    for n in numbers {
        q.push(n.as_str());
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// Runs `select` (two text columns, ending in `IN`) over `keys` in chunks: a map from the first
/// column to the second.
pub(super) async fn lookup(
    conn: &mut Conn<'_>,
    select: &str,
    keys: &[&str],
) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = format!("{select} ({})", placeholders(1, chunk.len()));
        // Planned for its values: the tables may have grown in the transaction (an import's).
        let mut q = conn.query(&sql).once();
        for k in chunk {
            q.push(*k);
        }
        let rows: Vec<(String, String)> = q.fetch_all_as(&mut *conn).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The areas with codes from `lo` to `hi`, by code.
pub(super) async fn load_areas(
    conn: &mut Conn<'_>,
    lo: &str,
    hi: &str,
) -> Result<Vec<Area>, StoreError> {
    let sql = format!(
        "{} WHERE code BETWEEN $1 AND $2 ORDER BY code",
        crate::areas::SELECT
    );
    let rows: Vec<crate::areas::AreaColumns> = conn
        .query(&sql)
        .bind(lo)
        .bind(hi)
        .fetch_all_as(&mut *conn)
        .await?;
    rows.into_iter().map(crate::areas::area_of).collect()
}

impl SqlStore {
    /// Every year of income of a household, the latest first.
    pub(super) async fn incomes_of(&self, number: &str) -> Result<Vec<YearIncome>, StoreError> {
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        let rows = conn
            .query(
                "SELECT i.year, i.wage, i.business, i.property, i.transfer, i.business_cost, \
                 i.medical_expense, i.education_expense, i.disaster_loss, i.other_expense \
                 FROM household h JOIN household_income i ON i.county = h.county \
                 AND i.household_number = h.number WHERE h.number = $1 ORDER BY i.year DESC",
            )
            .bind(number)
            .fetch_all(&mut conn)
            .await?;
        rows.iter()
            .map(|r| {
                let year: i64 = r.try_get("year")?;
                let (income, rigid_expense) = income_of(r)?;
                Ok(YearIncome {
                    year: year as i32,
                    income,
                    rigid_expense,
                })
            })
            .collect()
    }

    /// The current household with its current members.
    pub(super) async fn household_at(
        &self,
        number: &str,
    ) -> Result<Option<HouseholdRecord>, StoreError> {
        let mut pooled = self.db.acquire().await?;
        let mut found = load_existing(&mut pooled.conn(), &[number]).await?;
        Ok(found.remove(number).map(|e| e.record))
    }

    /// Status, members and events as of a date (or now).
    pub(super) async fn history_of(
        &self,
        number: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<History, StoreError> {
        let mut pooled = self.db.acquire().await?;
        let mut conn = pooled.conn();
        let h = load_existing(&mut conn, &[number])
            .await?
            .remove(number)
            .ok_or_else(|| StoreError::NotFound(number.to_string()))?
            .record;
        let day = as_of.unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"));
        let rows: Vec<EventRow> = conn
            .query(
                "SELECT effective_date, kind, detail, id_number, reason, actor FROM event \
                 WHERE county = $1 AND household_number = $2 AND effective_date <= $3 \
                 ORDER BY effective_date, id",
            )
            .bind(h.county())
            .bind(number)
            .bind(day)
            .fetch_all_as(&mut conn)
            .await?;
        let events: Vec<Event> = rows
            .into_iter()
            .map(|(date, kind, detail, id_number, reason, actor)| Event {
                date,
                kind,
                detail,
                id_number,
                reason,
                actor,
            })
            .collect();
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
                .and_then(|e| e.detail.as_deref().and_then(MonitoringCategory::parse)),
        };
        let rows: Vec<MemberSpanRow> = conn
            .query(
                "SELECT id_number, name, relation, joined_on, left_on, left_reason FROM member \
                 WHERE county = $1 AND household_number = $2 AND joined_on <= $3 \
                 AND (left_on IS NULL OR left_on > $3) ORDER BY seq",
            )
            .bind(h.county())
            .bind(number)
            .bind(day)
            .fetch_all_as(&mut conn)
            .await?;
        let mut members = Vec::with_capacity(rows.len());
        for (id_number, name, relation, joined_on, left_on, left_reason) in rows {
            members.push(HistoryMember {
                id_number,
                name,
                relation: need_code(relation)?,
                joined_on,
                left_on,
                left_reason,
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
    }

    /// The audit log of one household, oldest first.
    pub(super) async fn audit_of(&self, number: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = self
            .db
            .query(
                "SELECT entity, entity_key, action, actor, at, effective_date, before_json, \
                 after_json FROM audit_log WHERE entity = 'household' AND entity_key = $1 \
                 ORDER BY id",
            )
            .bind(number)
            .fetch_all_as(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(entity, entity_key, action, actor, at, effective_date, before, after)| {
                    AuditEntry {
                        entity,
                        entity_key,
                        action,
                        actor,
                        at,
                        effective_date,
                        before: before.map(|j| j.0),
                        after: after.map(|j| j.0),
                    }
                },
            )
            .collect())
    }

    /// Streams the current households under the filter to `sink`, in household-number order
    /// within each county, one row per member; returns how many households.
    pub(super) async fn export_to(
        &self,
        filter: &ExportFilter,
        sink: &mut Sink<'_>,
    ) -> Result<u64, StoreError> {
        let (lo, hi) = code_range(&filter.area);
        let statuses = if filter.statuses.is_empty() {
            String::new()
        } else {
            let list = placeholders(3, filter.statuses.len());
            format!(" AND h.status IN ({list})")
        };
        let sql = format!(
            "SELECT {HOUSEHOLD_COLUMNS}, {MEMBER_COLUMNS} FROM household h {INCOME_JOIN} \
             LEFT JOIN member m ON m.county = h.county AND m.household_number = h.number \
             AND m.left_on IS NULL \
             WHERE h.area_code BETWEEN $1 AND $2{statuses} ORDER BY h.county, h.number, m.seq"
        );
        let mut q = self.db.query(&sql).bind(&lo).bind(&hi);
        for s in &filter.statuses {
            q.push(s.code());
        }
        let mut rows = q.fetch(&self.db);
        let mut current: Option<HouseholdRecord> = None;
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            let number: String = r.try_get("number")?;
            if current.as_ref().is_none_or(|c| c.number != number) {
                if let Some(done) = current.take() {
                    sink(&done)?;
                    n += 1;
                }
                current = Some(household_from_row(&r)?);
            }
            let id: Option<String> = r.try_get("id_number")?;
            if id.is_some() {
                let m = member_from_row(&r)?;
                current.as_mut().expect("set above").members.push(m);
            }
        }
        if let Some(done) = current.take() {
            sink(&done)?;
            n += 1;
        }
        Ok(n)
    }

    /// Tables and their columns (not SQLite's search index of migration 10, a virtual table that
    /// PostgreSQL has as indexes, nor its write mark of migration 18, a setting on PostgreSQL).
    pub(super) async fn schema_columns(
        &self,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
        let sql = match self.db.backend() {
            Backend::Sqlite => {
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name NOT LIKE 'member_search%' AND m.name <> 'fupin_write'"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS t, column_name::text AS c \
                 FROM information_schema.columns WHERE table_schema = current_schema()"
            }
        };
        let rows: Vec<(String, String)> = self.db.query(sql).fetch_all_as(&self.db).await?;
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in rows {
            out.entry(table).or_default().insert(column);
        }
        Ok(out)
    }
}

impl SqlStore {
    /// The indexes (PostgreSQL: and foreign keys) of each table.
    pub(super) async fn schema_indexes(
        &self,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
        let sql = match self.db.backend() {
            Backend::Sqlite => {
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' \
                 AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT tablename::text, indexname::text FROM pg_indexes \
                 WHERE schemaname = current_schema() \
                 UNION ALL SELECT conrelid::regclass::text, conname::text FROM pg_constraint \
                 WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
            }
        };
        let rows: Vec<(String, String)> = self.db.query(sql).fetch_all_as(&self.db).await?;
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, name) in rows {
            out.entry(table).or_default().insert(name);
        }
        Ok(out)
    }
}

/// An event row: date, kind, detail, ID number, reason, actor.
type EventRow = (
    NaiveDate,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// A membership row: ID number, name, relation, joined, left, reason.
type MemberSpanRow = (
    String,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
);

/// An audit-log row.
type AuditRow = (
    String,
    String,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    Option<NaiveDate>,
    Option<Json<serde_json::Value>>,
    Option<Json<serde_json::Value>>,
);
