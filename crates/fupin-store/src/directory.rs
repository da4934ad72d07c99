//! The web application's side of the store: accounts, pairings of cadres with households,
//! identification applications, household lists with filters and search, and dashboard figures.
//! One trait, [`Directory`], with the same SQL on SQLite and PostgreSQL. Every write goes to the
//! audit log with its actor.

use crate::error::StoreError;
use crate::repo::BoxFut;
use chrono::Utc;
use serde::Serialize;
use sqlx::Row;
use std::sync::Arc;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub name: String,
    /// `admin`, `county`, `township`, `village`, `cadre` or `viewer`.
    pub role: String,
    /// The area-code prefix the account covers (empty for admin).
    pub area: String,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
}

/// Filters of the household list. `area` is always the caller's scope (or narrower).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub area: String,
    pub status: Option<String>,
    pub cause: Option<String>,
    pub attribute: Option<String>,
    pub monitoring: Option<String>,
    /// A name, or part of an ID number or household number.
    pub q: Option<String>,
    /// Only households paired with this cadre.
    pub cadre: Option<String>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One line of the household list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    pub number: String,
    pub area_code: String,
    pub head: Option<String>,
    pub people: i64,
    pub status: String,
    pub monitoring: Option<String>,
    pub main_cause: Option<String>,
    pub attribute: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub rows: Vec<T>,
}

/// Households and people of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub households: i64,
    pub people: i64,
}

/// Figures of one sub-area on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubArea {
    pub code: String,
    pub name: String,
    /// People in poor and returned households.
    pub poor_people: i64,
    pub households: i64,
    /// Registered rural population (sum over its villages), when known.
    pub rural_population: Option<i64>,
}

/// The dashboard figures of an area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub area: String,
    /// By status code.
    pub status: Vec<(String, Count)>,
    pub sub_areas: Vec<SubArea>,
    /// Registered (not `non_poor`, not `removed`) households by main cause.
    pub causes: Vec<(String, i64)>,
    /// By monitoring category.
    pub monitoring: Vec<(String, Count)>,
    /// The rural population of the area (sum over its villages), when known.
    pub rural_population: Option<i64>,
}

/// One line of a household's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEntry {
    pub at: String,
    pub entity: String,
    pub action: String,
    pub actor: String,
}

/// An area as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent: Option<String>,
    pub region: Option<String>,
    pub rural_population: Option<i64>,
}

/// An identification application (两公示一公告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
pub struct StepRecord {
    pub step: String,
    /// `passed` or `rejected`.
    pub outcome: String,
    pub actor: String,
    pub at: String,
    pub note: Option<String>,
}

/// Accounts, pairings, applications, lists and figures.
pub trait Directory: Send + Sync {
    fn add_user<'a>(&'a self, user: &'a User, actor: &'a str) -> BoxFut<'a, ()>;
    fn user<'a>(&'a self, name: &'a str) -> BoxFut<'a, Option<User>>;
    fn users(&self) -> BoxFut<'_, Vec<User>>;
    fn set_password<'a>(&'a self, name: &'a str, hash: &'a str, actor: &'a str) -> BoxFut<'a, ()>;

    /// Pairs a cadre with a household from `date`.
    fn pair<'a>(
        &'a self,
        cadre: &'a str,
        area_code: &'a str,
        number: &'a str,
        date: &'a str,
        actor: &'a str,
    ) -> BoxFut<'a, ()>;
    /// Is the cadre paired with this household now?
    fn is_paired<'a>(&'a self, cadre: &'a str, number: &'a str) -> BoxFut<'a, bool>;

    fn list_households<'a>(&'a self, filter: &'a ListFilter) -> BoxFut<'a, Page<HouseholdRow>>;
    /// The dashboard figures of an area prefix: from the roll-ups (refreshed first if a write left
    /// them behind) for prefixes of 0, 2, 4, 6, 9 or 12 digits, else [`Directory::figures_scan`].
    fn figures<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures>;
    /// The same figures computed from the household rows, without roll-ups.
    fn figures_scan<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures>;
    /// The latest year with an event in the area (from the roll-ups where the area has them).
    fn last_event_year<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<i32>>;
    /// The audit trail of a household without its before/after copies, oldest first:
    /// (at, entity, action, actor). Uses the county-first index.
    fn audit_trail<'a>(
        &'a self,
        area_code: &'a str,
        number: &'a str,
    ) -> BoxFut<'a, Vec<TrailEntry>>;
    /// The latest effective date of any household event in the area (`YYYY-MM-DD`).
    fn last_event_date<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<String>>;

    fn upsert_area<'a>(&'a self, area: &'a AreaRow) -> BoxFut<'a, ()>;
    fn area<'a>(&'a self, code: &'a str) -> BoxFut<'a, Option<AreaRow>>;
    /// Areas directly below the area `prefix` (its children).
    fn children<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<AreaRow>>;

    /// Sets the village indicators (road, electricity, ...) of a village.
    fn set_indicators<'a>(&'a self, code: &'a str, values: &'a [(String, bool)]) -> BoxFut<'a, ()>;
    /// The recorded indicators of a village.
    fn indicators<'a>(&'a self, code: &'a str) -> BoxFut<'a, Vec<(String, bool)>>;

    fn create_application<'a>(&'a self, app: &'a Application, actor: &'a str) -> BoxFut<'a, ()>;
    fn application<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Application>>;
    fn applications<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Application>>;
    /// Records a step (the caller has checked the order with `fupin_core::identification`).
    fn record_step<'a>(
        &'a self,
        id: &'a str,
        step: &'a StepRecord,
        rejected: bool,
    ) -> BoxFut<'a, ()>;
}

/// `(lo, hi)` bounds of the 12-digit codes under a prefix.
fn range(prefix: &str) -> (String, String) {
    (format!("{prefix:0<12}"), format!("{prefix:9<12}"))
}

/// The prefix length of the children of an area prefix.
pub fn child_len(prefix_len: usize) -> Option<usize> {
    match prefix_len {
        0 => Some(2),
        1..=2 => Some(4),
        3..=4 => Some(6),
        5..=6 => Some(9),
        7..=9 => Some(12),
        _ => None,
    }
}

fn county(code: &str) -> &str {
    &code[..code.len().min(6)]
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

macro_rules! directory_impl {
    ($Dir:ident, $DB:ty, $Pool:ty) => {
        /// The directory on one database.
        pub struct $Dir {
            pool: $Pool,
        }

        impl $Dir {
            pub async fn new(pool: $Pool) -> Result<$Dir, StoreError> {
                Ok($Dir { pool })
            }

            async fn audit(
                &self,
                tx: &mut sqlx::Transaction<'_, $DB>,
                county: &str,
                [entity, key, action]: [&str; 3],
                actor: &str,
                after: serde_json::Value,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, effective_date, before_json, after_json) \
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, $7)",
                )
                .bind(county)
                .bind(entity)
                .bind(key)
                .bind(action)
                .bind(actor)
                .bind(Utc::now())
                .bind(sqlx::types::Json(after))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn load_steps(&self, id: &str) -> Result<Vec<StepRecord>, StoreError> {
                let rows = sqlx::query(
                    "SELECT step, outcome, actor, at, note FROM application_step WHERE application_id = $1 ORDER BY at, step",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .iter()
                    .map(|r| StepRecord {
                        step: r.get("step"),
                        outcome: r.get("outcome"),
                        actor: r.get("actor"),
                        at: r.get("at"),
                        note: r.get("note"),
                    })
                    .collect())
            }
        }

        impl Directory for $Dir {
            fn add_user<'a>(&'a self, user: &'a User, actor: &'a str) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    let exists = sqlx::query("SELECT 1 FROM app_user WHERE name = $1")
                        .bind(&user.name)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some();
                    if exists {
                        return Err(StoreError::Rejected(Box::new(crate::error::RowError::new(
                            0,
                            "name",
                            &user.name,
                            "user_exists",
                            "用户名已存在",
                            "the user name exists",
                        ))));
                    }
                    sqlx::query(
                        "INSERT INTO app_user (name, role, area, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&user.name)
                    .bind(&user.role)
                    .bind(&user.area)
                    .bind(&user.password_hash)
                    .bind(user.disabled)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                    let after = serde_json::json!({"name": user.name, "role": user.role, "area": user.area});
                    self.audit(&mut tx, county(&user.area), ["user", &user.name, "create"], actor, after).await?;
                    tx.commit().await?;
                    Ok(())
                })
            }

            fn user<'a>(&'a self, name: &'a str) -> BoxFut<'a, Option<User>> {
                Box::pin(async move {
                    let row = sqlx::query("SELECT name, role, area, password_hash, disabled FROM app_user WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(row.map(|r| User {
                        name: r.get("name"),
                        role: r.get("role"),
                        area: r.get("area"),
                        password_hash: r.get("password_hash"),
                        disabled: r.get("disabled"),
                    }))
                })
            }

            fn users(&self) -> BoxFut<'_, Vec<User>> {
                Box::pin(async move {
                    let rows = sqlx::query("SELECT name, role, area, password_hash, disabled FROM app_user ORDER BY area, name")
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows
                        .iter()
                        .map(|r| User {
                            name: r.get("name"),
                            role: r.get("role"),
                            area: r.get("area"),
                            password_hash: r.get("password_hash"),
                            disabled: r.get("disabled"),
                        })
                        .collect())
                })
            }

            fn set_password<'a>(&'a self, name: &'a str, hash: &'a str, actor: &'a str) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    let n = sqlx::query("UPDATE app_user SET password_hash = $1 WHERE name = $2")
                        .bind(hash)
                        .bind(name)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n == 0 {
                        return Err(StoreError::NotFound(name.to_string()));
                    }
                    self.audit(&mut tx, "", ["user", name, "password"], actor, serde_json::json!({"password": "changed"})).await?;
                    tx.commit().await?;
                    Ok(())
                })
            }

            fn pair<'a>(&'a self, cadre: &'a str, area_code: &'a str, number: &'a str, date: &'a str, actor: &'a str) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(
                        "INSERT INTO pairing (county, household_number, cadre, start_date, end_date) VALUES ($1, $2, $3, $4, NULL) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(county(area_code))
                    .bind(number)
                    .bind(cadre)
                    .bind(date)
                    .execute(&mut *tx)
                    .await?;
                    let after = serde_json::json!({"cadre": cadre, "household": number, "from": date});
                    self.audit(&mut tx, county(area_code), ["pairing", number, "create"], actor, after).await?;
                    tx.commit().await?;
                    Ok(())
                })
            }

            fn is_paired<'a>(&'a self, cadre: &'a str, number: &'a str) -> BoxFut<'a, bool> {
                Box::pin(async move {
                    Ok(sqlx::query("SELECT 1 FROM pairing WHERE cadre = $1 AND household_number = $2 AND end_date IS NULL")
                        .bind(cadre)
                        .bind(number)
                        .fetch_optional(&self.pool)
                        .await?
                        .is_some())
                })
            }

            fn list_households<'a>(&'a self, f: &'a ListFilter) -> BoxFut<'a, Page<HouseholdRow>> {
                Box::pin(async move {
                    let (lo, hi) = range(&f.area);
                    let mut cond = String::from("h.area_code BETWEEN $1 AND $2");
                    let mut binds: Vec<String> = vec![lo, hi];
                    let mut add = |cond: &mut String, sql: &str, v: String| {
                        binds.push(v);
                        cond.push_str(&sql.replace("$?", &format!("${}", binds.len())));
                    };
                    for (col, v) in [("status", &f.status), ("main_cause", &f.cause), ("attribute", &f.attribute), ("monitoring", &f.monitoring)] {
                        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                            add(&mut cond, &format!(" AND h.{col} = $?"), v.clone());
                        }
                    }
                    if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
                        let like = format!("%{}%", q.replace(['%', '_'], ""));
                        add(
                            &mut cond,
                            " AND (h.number LIKE $? OR EXISTS (SELECT 1 FROM member s WHERE s.county = h.county AND s.household_number = h.number \
                             AND s.left_on IS NULL AND (s.name LIKE $? OR s.id_number LIKE $?)))",
                            like,
                        );
                    }
                    if let Some(c) = &f.cadre {
                        add(
                            &mut cond,
                            " AND EXISTS (SELECT 1 FROM pairing p WHERE p.county = h.county AND p.household_number = h.number \
                             AND p.cadre = $? AND p.end_date IS NULL)",
                            c.clone(),
                        );
                    }
                    // Filtered by area, status and monitoring only: the total is in the roll-ups.
                    let by_rollup = crate::rollup::DEPTHS.contains(&f.area.len())
                        && [&f.cause, &f.attribute, &f.q].iter().all(|v| v.as_deref().is_none_or(|v| v.trim().is_empty()))
                        && f.cadre.is_none()
                        && !(f.status.as_deref().is_some_and(|v| !v.is_empty()) && f.monitoring.as_deref().is_some_and(|v| !v.is_empty()));
                    let total: i64 = if by_rollup {
                        let mut tx = self.pool.begin().await?;
                        crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                        let rows = crate::rollup::rows(&mut crate::sql::Conn::from(&mut *tx), &f.area, 0).await?;
                        tx.commit().await?;
                        let item = match (f.status.as_deref().filter(|v| !v.is_empty()), f.monitoring.as_deref().filter(|v| !v.is_empty())) {
                            (Some(s), _) => format!("status:{s}"),
                            (_, Some(m)) => format!("monitoring:{m}"),
                            _ => "status:".to_string(),
                        };
                        rows.iter()
                            .filter(|(i, _, _)| if item == "status:" { i.starts_with("status:") } else { *i == item })
                            .map(|(_, h, _)| h)
                            .sum()
                    } else {
                        let count_sql = format!("SELECT COUNT(*) AS n FROM household h WHERE {cond}");
                        let mut q = sqlx::query(&count_sql);
                        for b in &binds {
                            q = q.bind(b);
                        }
                        q.fetch_one(&self.pool).await?.get("n")
                    };
                    let per_page = f.per_page.clamp(1, 500);
                    let page = f.page.max(1);
                    let offset = i64::from(page - 1) * i64::from(per_page);
                    let sql = format!(
                        "SELECT h.number, h.area_code, h.status, h.monitoring, h.main_cause, h.attribute, \
                         (SELECT m.name FROM member m WHERE m.county = h.county AND m.household_number = h.number AND m.left_on IS NULL \
                          ORDER BY m.seq LIMIT 1) AS head, \
                         h.people AS people \
                         FROM household h WHERE {cond} ORDER BY h.area_code, h.number LIMIT {per_page} OFFSET {offset}"
                    );
                    let mut q = sqlx::query(&sql);
                    for b in &binds {
                        q = q.bind(b);
                    }
                    let rows = q
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(|r| HouseholdRow {
                            number: r.get("number"),
                            area_code: r.get("area_code"),
                            head: r.get("head"),
                            people: r.get("people"),
                            status: r.get("status"),
                            monitoring: r.get("monitoring"),
                            main_cause: r.get("main_cause"),
                            attribute: r.get("attribute"),
                        })
                        .collect();
                    Ok(Page { total: total as u64, page, per_page, rows })
                })
            }

            fn figures<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures> {
                Box::pin(async move {
                    if !crate::rollup::DEPTHS.contains(&area.len()) {
                        return self.figures_scan(area).await;
                    }
                    let mut tx = self.pool.begin().await?;
                    crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                    let rows = crate::rollup::rows(&mut crate::sql::Conn::from(&mut *tx), area, 0).await?;
                    let children = crate::rollup::child_rows(&mut crate::sql::Conn::from(&mut *tx), area).await?;
                    tx.commit().await?;
                    let mut names = std::collections::HashMap::new();
                    if let Some(n) = child_len(area.len()) {
                        let (lo, hi) = range(area);
                        let level = fupin_core::area::AreaLevel::from_prefix_len(n).map_or("village", |l| l.code());
                        for r in sqlx::query("SELECT code, name FROM area WHERE code BETWEEN $1 AND $2 AND level = $3")
                            .bind(&lo)
                            .bind(&hi)
                            .bind(level)
                            .fetch_all(&self.pool)
                            .await?
                        {
                            let code: String = r.get("code");
                            names.insert(code[..n].to_string(), r.get::<String, _>("name"));
                        }
                    }
                    Ok(crate::rollup::figures(area, &rows, &children, &names))
                })
            }

            fn last_event_year<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<i32>> {
                Box::pin(async move {
                    if crate::rollup::DEPTHS.contains(&area.len()) {
                        let mut tx = self.pool.begin().await?;
                        crate::rollup::refresh(&mut crate::sql::Conn::from(&mut *tx)).await?;
                        let y = crate::rollup::last_event_year(&mut crate::sql::Conn::from(&mut *tx), area).await?;
                        tx.commit().await?;
                        return Ok(y.map(|y| y as i32));
                    }
                    let d = self.last_event_date(area).await?;
                    Ok(d.and_then(|d| d.get(..4).and_then(|y| y.parse().ok())))
                })
            }

            fn figures_scan<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures> {
                Box::pin(async move {
                    let (lo, hi) = range(area);
                    let people = "(SELECT COUNT(*) FROM member m WHERE m.county = h.county AND m.household_number = h.number AND m.left_on IS NULL)";
                    let rows = sqlx::query(&format!(
                        "SELECT h.status AS k, COUNT(*) AS households, CAST(COALESCE(SUM({people}), 0) AS BIGINT) AS people \
                         FROM household h WHERE h.area_code BETWEEN $1 AND $2 GROUP BY h.status ORDER BY h.status"
                    ))
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                    let count = |r: &<$DB as sqlx::Database>::Row| Count { households: r.get("households"), people: r.get("people") };
                    let status = rows.iter().map(|r| (r.get::<String, _>("k"), count(r))).collect();
                    let rows = sqlx::query(&format!(
                        "SELECT h.monitoring AS k, COUNT(*) AS households, CAST(COALESCE(SUM({people}), 0) AS BIGINT) AS people \
                         FROM household h WHERE h.area_code BETWEEN $1 AND $2 AND h.monitoring IS NOT NULL GROUP BY h.monitoring ORDER BY h.monitoring"
                    ))
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                    let monitoring = rows.iter().map(|r| (r.get::<String, _>("k"), count(r))).collect();
                    let rows = sqlx::query(
                        "SELECT COALESCE(h.main_cause, 'other') AS k, COUNT(*) AS n FROM household h \
                         WHERE h.area_code BETWEEN $1 AND $2 AND h.status IN ('poor', 'returned', 'exited') GROUP BY 1 ORDER BY 2 DESC, 1",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                    let causes = rows.iter().map(|r| (r.get::<String, _>("k"), r.get::<i64, _>("n"))).collect();
                    let rural_row = sqlx::query(
                        "SELECT CAST(SUM(rural_population) AS BIGINT) AS n FROM area WHERE level = 'village' AND code BETWEEN $1 AND $2",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_one(&self.pool)
                    .await?;
                    let rural_population: Option<i64> = rural_row.try_get("n")?;
                    let mut sub_areas = Vec::new();
                    if let Some(n) = child_len(area.len()) {
                        let rows = sqlx::query(&format!(
                            "SELECT substr(h.area_code, 1, {n}) AS k, COUNT(*) AS households, \
                             CAST(COALESCE(SUM(CASE WHEN h.status IN ('poor', 'returned') THEN {people} ELSE 0 END), 0) AS BIGINT) AS poor \
                             FROM household h WHERE h.area_code BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1"
                        ))
                        .bind(&lo)
                        .bind(&hi)
                        .fetch_all(&self.pool)
                        .await?;
                        let rural = sqlx::query(&format!(
                            "SELECT substr(code, 1, {n}) AS k, CAST(SUM(rural_population) AS BIGINT) AS n FROM area \
                             WHERE level = 'village' AND code BETWEEN $1 AND $2 GROUP BY 1"
                        ))
                        .bind(&lo)
                        .bind(&hi)
                        .fetch_all(&self.pool)
                        .await?;
                        let mut by_code = std::collections::HashMap::new();
                        for r in &rural {
                            by_code.insert(r.get::<String, _>("k"), r.try_get::<Option<i64>, _>("n")?);
                        }
                        let rural = by_code;
                        let level = fupin_core::area::AreaLevel::from_prefix_len(n).map_or("village", |l| l.code());
                        let names = sqlx::query("SELECT code, name FROM area WHERE code BETWEEN $1 AND $2 AND level = $3")
                            .bind(&lo)
                            .bind(&hi)
                            .bind(level)
                            .fetch_all(&self.pool)
                            .await?;
                        let names: std::collections::HashMap<String, String> =
                            names.iter().map(|r| (r.get::<String, _>("code"), r.get::<String, _>("name"))).collect();
                        for r in &rows {
                            let code: String = r.get("k");
                            let full = format!("{code:0<12}");
                            sub_areas.push(SubArea {
                                name: names.get(&full).cloned().unwrap_or_default(),
                                rural_population: rural.get(&code).copied().flatten(),
                                poor_people: r.get("poor"),
                                households: r.get("households"),
                                code,
                            });
                        }
                    }
                    Ok(Figures { area: area.to_string(), status, sub_areas, causes, monitoring, rural_population })
                })
            }

            fn audit_trail<'a>(&'a self, area_code: &'a str, number: &'a str) -> BoxFut<'a, Vec<TrailEntry>> {
                Box::pin(async move {
                    let rows = sqlx::query(
                        "SELECT CAST(at AS TEXT) AS at, entity, action, actor FROM audit_log \
                         WHERE county = $1 AND entity IN ('household', 'pairing') AND entity_key = $2 ORDER BY id",
                    )
                    .bind(county(area_code))
                    .bind(number)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .iter()
                        .map(|r| TrailEntry {
                            at: r.get::<String, _>("at").replace('T', " ").chars().take(16).collect(),
                            entity: r.get("entity"),
                            action: r.get("action"),
                            actor: r.get("actor"),
                        })
                        .collect())
                })
            }

            fn last_event_date<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<String>> {
                Box::pin(async move {
                    if area.is_empty() {
                        let r = sqlx::query("SELECT CAST(MAX(effective_date) AS TEXT) AS d FROM event")
                            .fetch_one(&self.pool)
                            .await?;
                        return Ok(r.try_get::<Option<String>, _>("d")?);
                    }
                    let (lo, hi) = range(area);
                    let r = sqlx::query(
                        "SELECT CAST(MAX(e.effective_date) AS TEXT) AS d FROM event e JOIN household h \
                         ON h.county = e.county AND h.number = e.household_number WHERE h.area_code BETWEEN $1 AND $2",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(r.try_get::<Option<String>, _>("d")?)
                })
            }

            fn upsert_area<'a>(&'a self, a: &'a AreaRow) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO area (code, name, level, parent, region, rural_population) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, parent = excluded.parent, \
                         region = excluded.region, rural_population = excluded.rural_population",
                    )
                    .bind(&a.code)
                    .bind(&a.name)
                    .bind(&a.level)
                    .bind(&a.parent)
                    .bind(&a.region)
                    .bind(a.rural_population)
                    .execute(&self.pool)
                    .await?;
                    if a.level == "village" {
                        // Its rural population is in the roll-ups: refreshed on the next read.
                        sqlx::query("INSERT INTO rollup_dirty (area) VALUES ($1) ON CONFLICT (area) DO NOTHING")
                            .bind(&a.code)
                            .execute(&self.pool)
                            .await?;
                    }
                    Ok(())
                })
            }

            fn area<'a>(&'a self, code: &'a str) -> BoxFut<'a, Option<AreaRow>> {
                Box::pin(async move {
                    let full = format!("{code:0<12}");
                    let r = sqlx::query("SELECT code, name, level, parent, region, rural_population FROM area WHERE code = $1")
                        .bind(&full)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(r.map(|r| AreaRow {
                        code: r.get("code"),
                        name: r.get("name"),
                        level: r.get("level"),
                        parent: r.get("parent"),
                        region: r.get("region"),
                        rural_population: r.get("rural_population"),
                    }))
                })
            }

            fn children<'a>(&'a self, prefix: &'a str) -> BoxFut<'a, Vec<AreaRow>> {
                Box::pin(async move {
                    let parent = format!("{prefix:0<12}");
                    let rows = sqlx::query(
                        "SELECT code, name, level, parent, region, rural_population FROM area WHERE parent = $1 ORDER BY code",
                    )
                    .bind(&parent)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows
                        .iter()
                        .map(|r| AreaRow {
                            code: r.get("code"),
                            name: r.get("name"),
                            level: r.get("level"),
                            parent: r.get("parent"),
                            region: r.get("region"),
                            rural_population: r.get("rural_population"),
                        })
                        .collect())
                })
            }

            fn set_indicators<'a>(&'a self, code: &'a str, values: &'a [(String, bool)]) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    for (k, ok) in values {
                        sqlx::query(
                            "INSERT INTO village_indicator (county, area_code, indicator, ok) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (county, area_code, indicator) DO UPDATE SET ok = excluded.ok",
                        )
                        .bind(county(code))
                        .bind(code)
                        .bind(k)
                        .bind(*ok)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                })
            }

            fn indicators<'a>(&'a self, code: &'a str) -> BoxFut<'a, Vec<(String, bool)>> {
                Box::pin(async move {
                    let rows = sqlx::query("SELECT indicator, ok FROM village_indicator WHERE county = $1 AND area_code = $2")
                        .bind(county(code))
                        .bind(code)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(rows.iter().map(|r| (r.get("indicator"), r.get("ok"))).collect())
                })
            }

            fn create_application<'a>(&'a self, a: &'a Application, actor: &'a str) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(
                        "INSERT INTO application (county, id, area_code, applicant_name, applicant_id_number, members, reason, step, rejected, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9)",
                    )
                    .bind(county(&a.area_code))
                    .bind(&a.id)
                    .bind(&a.area_code)
                    .bind(&a.applicant_name)
                    .bind(&a.applicant_id_number)
                    .bind(a.members)
                    .bind(&a.reason)
                    .bind(&a.step)
                    .bind(&a.created_at)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO application_step (county, application_id, step, outcome, actor, at, note) VALUES ($1, $2, $3, 'passed', $4, $5, NULL)",
                    )
                    .bind(county(&a.area_code))
                    .bind(&a.id)
                    .bind(&a.step)
                    .bind(actor)
                    .bind(&a.created_at)
                    .execute(&mut *tx)
                    .await?;
                    let after = serde_json::json!({"id": a.id, "area_code": a.area_code, "applicant": a.applicant_name, "members": a.members});
                    self.audit(&mut tx, county(&a.area_code), ["application", &a.id, "create"], actor, after).await?;
                    tx.commit().await?;
                    Ok(())
                })
            }

            fn application<'a>(&'a self, id: &'a str) -> BoxFut<'a, Option<Application>> {
                Box::pin(async move {
                    let r = sqlx::query(
                        "SELECT id, area_code, applicant_name, applicant_id_number, members, reason, step, rejected, created_at \
                         FROM application WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(r) = r else { return Ok(None) };
                    Ok(Some(Application {
                        id: r.get("id"),
                        area_code: r.get("area_code"),
                        applicant_name: r.get("applicant_name"),
                        applicant_id_number: r.get("applicant_id_number"),
                        members: r.get("members"),
                        reason: r.get("reason"),
                        step: r.get("step"),
                        rejected: r.get("rejected"),
                        created_at: r.get("created_at"),
                        steps: self.load_steps(id).await?,
                    }))
                })
            }

            fn applications<'a>(&'a self, area: &'a str) -> BoxFut<'a, Vec<Application>> {
                Box::pin(async move {
                    let (lo, hi) = range(area);
                    let rows = sqlx::query(
                        "SELECT id FROM application WHERE area_code BETWEEN $1 AND $2 ORDER BY created_at DESC, id",
                    )
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut out = Vec::new();
                    for r in rows {
                        let id: String = r.get("id");
                        if let Some(a) = self.application(&id).await? {
                            out.push(a);
                        }
                    }
                    Ok(out)
                })
            }

            fn record_step<'a>(&'a self, id: &'a str, s: &'a StepRecord, rejected: bool) -> BoxFut<'a, ()> {
                Box::pin(async move {
                    let mut tx = self.pool.begin().await?;
                    let row = sqlx::query("SELECT county FROM application WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
                    let county: String = row.get("county");
                    sqlx::query(
                        "INSERT INTO application_step (county, application_id, step, outcome, actor, at, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&county)
                    .bind(id)
                    .bind(&s.step)
                    .bind(&s.outcome)
                    .bind(&s.actor)
                    .bind(&s.at)
                    .bind(&s.note)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE application SET step = $1, rejected = $2 WHERE county = $3 AND id = $4")
                        .bind(&s.step)
                        .bind(rejected)
                        .bind(&county)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let after = serde_json::json!({"step": s.step, "outcome": s.outcome, "note": s.note});
                    self.audit(&mut tx, &county, ["application", id, "step"], &s.actor, after).await?;
                    tx.commit().await?;
                    Ok(())
                })
            }
        }
    };
}

directory_impl!(SqliteDirectory, sqlx::Sqlite, sqlx::SqlitePool);
directory_impl!(PgDirectory, sqlx::Postgres, sqlx::PgPool);

/// Opens the registry and the directory on one database URL (opening and migrating both).
pub async fn open_both(
    url: &str,
) -> Result<(Arc<dyn crate::Repository>, Arc<dyn Directory>), StoreError> {
    let repo = crate::open(url).await?;
    let dir: Arc<dyn Directory> = if url.starts_with("sqlite:") {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
        use std::str::FromStr;
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|_| StoreError::Url(url.to_string()))?
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        Arc::new(SqliteDirectory::new(pool).await?)
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(8)
            .connect(url)
            .await?;
        Arc::new(PgDirectory::new(pool).await?)
    };
    Ok((repo, dir))
}

/// Opens the directory in a PostgreSQL schema (tests run side by side).
pub async fn open_pg_schema(url: &str, schema: &str) -> Result<Arc<dyn Directory>, StoreError> {
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    use std::str::FromStr;
    let opts = PgConnectOptions::from_str(url)
        .map_err(|_| StoreError::Url(url.to_string()))?
        .options([("search_path", schema)]);
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(opts)
        .await?;
    Ok(Arc::new(PgDirectory::new(pool).await?))
}
