//! What the web application lists and charts: the household list with filters and search, the
//! dashboard figures of an area (from the roll-ups of [`crate::rollup`], or computed from the rows
//! for other prefixes), the latest event, and a household's audit trail.

use crate::error::StoreError;
use crate::repo::BoxFut;
use crate::rollup::{self, DEPTHS};
use crate::sql::{Backend, Db};
use crate::store::SqlStore;
use fupin_core::area::{child_len, code_range, county_of};
use fupin_core::codes::{Attribute, Cause, CodeList, HouseholdStatus, MonitoringCategory};
use fupin_core::AreaLevel;
use serde::Serialize;
use std::collections::HashMap;

/// Filters of the household list. `area` is always the caller's scope (or narrower).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub area: String,
    pub status: Option<HouseholdStatus>,
    pub cause: Option<Cause>,
    pub attribute: Option<Attribute>,
    pub monitoring: Option<MonitoringCategory>,
    /// A name, or part of an ID number or household number.
    pub q: Option<String>,
    /// Only households paired with this cadre.
    pub cadre: Option<String>,
    /// A filter asked for a value that is no code of its list: nothing matches.
    pub unknown_code: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One line of the household list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub rows: Vec<T>,
    /// A search stopped at [`SEARCH_LIMIT`] matches (members or household numbers): there may be
    /// more households than `total` counts (a search is for finding someone; more characters
    /// narrow it).
    pub more: bool,
}

/// The most households a search lists (see [`Page::more`]).
pub const SEARCH_LIMIT: usize = 1000;

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

/// Lists, figures and trails.
pub trait Listing: Send + Sync {
    fn list_households<'a>(&'a self, filter: &'a ListFilter) -> BoxFut<'a, Page<HouseholdRow>>;
    /// The dashboard figures of an area prefix: from the roll-ups (refreshed first if a write left
    /// them behind) for prefixes of 0, 2, 4, 6, 9 or 12 digits, else [`Listing::figures_scan`].
    fn figures<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures>;
    /// The same figures computed from the household rows, without roll-ups.
    fn figures_scan<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures>;
    /// The latest year with an event in the area (from the roll-ups where the area has them).
    fn last_event_year<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<i32>>;
    /// The latest effective date of any household event in the area (`YYYY-MM-DD`).
    fn last_event_date<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<String>>;
    /// The audit trail of a household without its before/after copies, oldest first. Uses the
    /// county-first index.
    fn audit_trail<'a>(&'a self, area: &'a str, number: &'a str) -> BoxFut<'a, Vec<TrailEntry>>;
}

impl Listing for SqlStore {
    fn list_households<'a>(&'a self, filter: &'a ListFilter) -> BoxFut<'a, Page<HouseholdRow>> {
        Box::pin(list(&self.db, filter))
    }

    fn figures<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures> {
        Box::pin(async move {
            if DEPTHS.contains(&area.len()) {
                figures(&self.db, area).await
            } else {
                figures_scan(&self.db, area).await
            }
        })
    }

    fn figures_scan<'a>(&'a self, area: &'a str) -> BoxFut<'a, Figures> {
        Box::pin(figures_scan(&self.db, area))
    }

    fn last_event_year<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<i32>> {
        Box::pin(async move {
            if DEPTHS.contains(&area.len()) {
                let mut pooled = self.db.acquire().await?;
                let year = rollup::last_event_year(&mut pooled.conn(), area).await?;
                return Ok(year.map(|y| y as i32));
            }
            let date = last_event_date(&self.db, area).await?;
            Ok(date.and_then(|d| d.get(..4).and_then(|y| y.parse().ok())))
        })
    }

    fn last_event_date<'a>(&'a self, area: &'a str) -> BoxFut<'a, Option<String>> {
        Box::pin(last_event_date(&self.db, area))
    }

    fn audit_trail<'a>(&'a self, area: &'a str, number: &'a str) -> BoxFut<'a, Vec<TrailEntry>> {
        Box::pin(async move {
            let rows: Vec<(String, String, String, String)> = self
                .db
                .query(
                    "SELECT CAST(at AS TEXT), entity, action, actor FROM audit_log \
                     WHERE county = $1 AND entity IN ('household', 'pairing', 'proposal', 'assistance_plan', 'assistance_measure') \
                     AND entity_key = $2 ORDER BY id",
                )
                .bind(county_of(area))
                .bind(number)
                .fetch_all_as(&self.db)
                .await?;
            Ok(rows
                .into_iter()
                .map(|(at, entity, action, actor)| TrailEntry {
                    // Whole, with its offset where the backend writes one: the page shows it in
                    // China time.
                    at,
                    entity,
                    action,
                    actor,
                })
                .collect())
        })
    }
}

/// The conditions of a list filter on `household h` (all but the search), with their values in
/// placeholder order.
fn conditions(f: &ListFilter) -> (String, Vec<String>) {
    let (lo, hi) = code_range(&f.area);
    let mut cond = String::from("h.area_code BETWEEN $1 AND $2");
    let mut values = vec![lo, hi];
    let mut add = |cond: &mut String, sql: &str, v: String| {
        values.push(v);
        cond.push_str(&sql.replace("$?", &format!("${}", values.len())));
    };
    let codes = [
        ("status", f.status.map(CodeList::code)),
        ("main_cause", f.cause.map(CodeList::code)),
        ("attribute", f.attribute.map(CodeList::code)),
        ("monitoring", f.monitoring.map(CodeList::code)),
    ];
    for (col, v) in codes {
        if let Some(v) = v {
            add(&mut cond, &format!(" AND h.{col} = $?"), v.to_string());
        }
    }
    if let Some(c) = &f.cadre {
        add(
            &mut cond,
            " AND EXISTS (SELECT 1 FROM pairing p LEFT JOIN resp_cadre rc ON rc.id = p.cadre \
             WHERE p.county = h.county AND p.household_number = h.number \
             AND COALESCE(rc.account, p.cadre) = $? AND p.end_date IS NULL)",
            c.clone(),
        );
    }
    (cond, values)
}

/// The search text of a filter, when there is one.
fn search(f: &ListFilter) -> Option<&str> {
    f.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
}

async fn list(db: &Db, f: &ListFilter) -> Result<Page<HouseholdRow>, StoreError> {
    let per_page = f.per_page.clamp(1, 500);
    let page = f.page.max(1);
    if f.unknown_code {
        return Ok(Page {
            total: 0,
            page,
            per_page,
            rows: Vec::new(),
            more: false,
        });
    }
    let (cond, values) = conditions(f);
    if let Some(q) = search(f) {
        return search_list(db, f, q, &cond, values, page, per_page).await;
    }
    // Filtered by area, status or monitoring only: the total is in the roll-ups.
    let by_rollup = DEPTHS.contains(&f.area.len())
        && f.cause.is_none()
        && f.attribute.is_none()
        && search(f).is_none()
        && f.cadre.is_none()
        && !(f.status.is_some() && f.monitoring.is_some());
    let total: i64 = if by_rollup {
        let mut pooled = db.acquire().await?;
        let rows = rollup::rows(&mut pooled.conn(), &f.area, 0).await?;
        drop(pooled);
        let item = match (f.status, f.monitoring) {
            (Some(s), _) => format!("status:{}", s.code()),
            (_, Some(m)) => format!("monitoring:{}", m.code()),
            _ => "status:".to_string(),
        };
        rows.iter()
            .filter(|(i, _, _)| {
                if item == "status:" {
                    i.starts_with("status:")
                } else {
                    *i == item
                }
            })
            .map(|(_, h, _)| h)
            .sum()
    } else {
        let sql = format!("SELECT COUNT(*) FROM household h WHERE {cond}");
        let mut q = db.query(&sql);
        for v in &values {
            q.push(v.as_str());
        }
        q.scalar(db).await?.unwrap_or(0)
    };
    let offset = i64::from(page - 1) * i64::from(per_page);
    let sql = format!(
        "{LINE} WHERE {cond} ORDER BY h.area_code, h.number LIMIT {per_page} OFFSET {offset}"
    );
    let mut q = db.query(&sql);
    for v in &values {
        q.push(v.as_str());
    }
    Ok(Page {
        total: total as u64,
        page,
        per_page,
        rows: lines(q, db).await?,
        more: false,
    })
}

/// The columns of a line of the list, from `household h` (the head: the first current member).
pub(crate) const LINE: &str = "SELECT h.number, h.area_code, \
     (SELECT m.name FROM member m WHERE m.county = h.county AND m.household_number = h.number \
      AND m.left_on IS NULL ORDER BY m.seq LIMIT 1), \
     h.people, h.status, h.monitoring, h.main_cause, h.attribute FROM household h";

/// The lines a query of [`LINE`] gives.
pub(crate) async fn lines(
    q: crate::sql::Query<'_>,
    db: &Db,
) -> Result<Vec<HouseholdRow>, StoreError> {
    type Line = (
        String,
        String,
        Option<String>,
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    Ok(q.fetch_all_as::<Line>(db)
        .await?
        .into_iter()
        .map(
            |(number, area_code, head, people, status, monitoring, main_cause, attribute)| {
                HouseholdRow {
                    number,
                    area_code,
                    head,
                    people,
                    status,
                    monitoring,
                    main_cause,
                    attribute,
                }
            },
        )
        .collect())
}

/// What a search text looks for, and through which index (migration 10).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Search {
    /// One or two characters (shorter than a trigram): names equal to it or starting with it
    /// (`member_by_name`, `member_by_county_name`).
    Prefix(String),
    /// Three or more characters, not all digits: names containing it (trigrams), and the household
    /// of that number.
    Name(String),
    /// Three or more digits (an ID number may end in X): ID numbers containing it (trigrams; a
    /// whole ID number through its own index), and household numbers starting with it
    /// (`household_by_number`).
    Digits(String),
    /// Eight digits that are a date (`YYYYMMDD`, years 1900 to 2099): members born that day, by
    /// the 7th to 14th characters of their ID numbers (`member_by_birth`, migration 17), exact;
    /// and household numbers starting with it, as for other digits.
    BirthDate(String),
}

impl Search {
    fn of(q: &str) -> Search {
        let digits = q
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'x' || c == 'X');
        if q.chars().count() < 3 {
            Search::Prefix(q.to_string())
        } else if q.len() == 8 && q.bytes().all(|b| b.is_ascii_digit()) && is_birth_date(q) {
            Search::BirthDate(q.to_string())
        } else if digits {
            Search::Digits(q.to_ascii_uppercase())
        } else {
            Search::Name(q.to_string())
        }
    }
}

/// Whether eight digits are a date an ID number can carry (years 1900 to 2099).
fn is_birth_date(d: &str) -> bool {
    matches!(&d[..2], "19" | "20") && chrono::NaiveDate::parse_from_str(d, "%Y%m%d").is_ok()
}

/// `q` for a `LIKE` pattern: `%`, `_` and the escape character `\\` escaped (PostgreSQL's default
/// escape).
fn like_escape(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// The smallest string above every string that starts with the digits `d` (`"1409"` → `"141"`),
/// `None` when there is none (all nines): household numbers with a prefix as a range, which an
/// ordinary index serves in any collation.
fn digits_after(d: &str) -> Option<String> {
    let mut b = d.as_bytes().to_vec();
    while let Some(last) = b.pop() {
        if last < b'9' {
            b.push(last + 1);
            return String::from_utf8(b).ok();
        }
    }
    None
}

/// The households a search finds, through the indexes of migration 10: their keys (at most
/// [`SEARCH_LIMIT`] + 1) first, then the lines of the page asked for.
#[allow(clippy::too_many_arguments)]
async fn search_list(
    db: &Db,
    f: &ListFilter,
    q: &str,
    cond: &str,
    mut values: Vec<String>,
    page: u32,
    per_page: u32,
) -> Result<Page<HouseholdRow>, StoreError> {
    let search = Search::of(q);
    // Members of a county's households live under its code: a search within one county reads
    // only its members where the index allows (`member_by_county_name`).
    let county = (f.area.len() >= 6).then(|| county_of(&f.area).to_string());
    let mut from = String::new();
    let push = |values: &mut Vec<String>, v: String| {
        values.push(v);
        format!("${}", values.len())
    };
    let member_cond = match (&search, db.backend()) {
        // A whole ID number: its own index (`member_by_id_number`), exact.
        (Search::Digits(id), _) if id.len() == 18 => {
            from.push_str("member m");
            format!("m.id_number = {}", push(&mut values, id.clone()))
        }
        // The expression of `member_by_birth`, written the same way for both planners to use it.
        (Search::BirthDate(d), _) => {
            from.push_str("member m");
            format!(
                "substr(m.id_number, 7, 8) = {}",
                push(&mut values, d.clone())
            )
        }
        (Search::Prefix(p), Backend::Sqlite) => {
            from.push_str("member m");
            let lo = push(&mut values, p.clone());
            let hi = push(&mut values, format!("{p}{}", char::MAX));
            format!("m.name >= {lo} AND m.name < {hi}")
        }
        (Search::Prefix(p), Backend::Postgres) => {
            from.push_str("member m");
            let k = push(&mut values, format!("{}%", like_escape(p)));
            format!("m.name LIKE {k}")
        }
        (Search::Name(t) | Search::Digits(t), Backend::Sqlite) => {
            from.push_str("member_search x CROSS JOIN member m");
            let column = match search {
                Search::Digits(_) => "id_number",
                _ => "name",
            };
            let k = push(
                &mut values,
                format!("{column} : \"{}\"", t.replace('"', "\"\"")),
            );
            format!("member_search MATCH {k} AND m.rowid = x.rowid")
        }
        (Search::Name(t), Backend::Postgres) => {
            from.push_str("member m");
            let k = push(&mut values, format!("%{}%", like_escape(t)));
            format!("m.name LIKE {k}")
        }
        (Search::Digits(t), Backend::Postgres) => {
            from.push_str("member m");
            let k = push(&mut values, format!("%{}%", like_escape(t)));
            format!("m.id_number LIKE {k}")
        }
    };
    let county_cond = match &county {
        Some(c) => format!(" AND m.county = {}", push(&mut values, c.clone())),
        None => String::new(),
    };
    // Within exactly one county, the members' county already confines their households (every key
    // starts with the county), so the households' area range is left out of the members' part:
    // beside the county PostgreSQL took the two conditions as independent and estimated the
    // county's 41,356 households at a few hundred, so it read them all and looked up their members
    // (a birth date 300-800 ms at province scale, 8-40 ms without it). `$1 <= $2` keeps the range's
    // parameters in the statement.
    let member_part_cond = if f.area.len() == 6 {
        cond.replacen("h.area_code BETWEEN $1 AND $2", "$1 <= $2", 1)
    } else {
        cond.to_string()
    };
    let mut sql = format!(
        "SELECT h.county, h.number, h.area_code FROM {from} CROSS JOIN household h \
         WHERE {member_cond} AND m.left_on IS NULL{county_cond} \
         AND h.county = m.county AND h.number = m.household_number AND {member_part_cond}"
    );
    let number = match &search {
        // Household numbers are digits only.
        Search::Digits(d) if d.contains('X') => String::new(),
        Search::Digits(d) | Search::BirthDate(d) => {
            let lo = push(&mut values, d.clone());
            match digits_after(d) {
                Some(after) => format!(
                    "h.number >= {lo} AND h.number < {}",
                    push(&mut values, after)
                ),
                None => format!("h.number >= {lo}"),
            }
        }
        Search::Name(n) => format!("h.number = {}", push(&mut values, n.clone())),
        Search::Prefix(_) => String::new(),
    };
    if !number.is_empty() {
        // SQLite would read a wide area's households through the area index (every household
        // of the registry for an admin) rather than the few numbers of the range.
        let households = match db.backend() {
            Backend::Sqlite => "household h INDEXED BY household_by_number",
            Backend::Postgres => "household h",
        };
        sql.push_str(&format!(
            " UNION ALL SELECT h.county, h.number, h.area_code FROM {households} \
             WHERE {number} AND {cond}"
        ));
    }
    sql.push_str(&format!(" LIMIT {}", SEARCH_LIMIT + 1));
    // Rows stream up to the limit (several members of a household may match, and its number):
    // when the limit stops them, there may be more households than those counted.
    let mut keys: Vec<(String, String, String)> =
        if matches!(search, Search::Prefix(_)) && db.backend() == Backend::Postgres {
            // One or two characters over a wide area: PostgreSQL estimates 2% of members match and
            // scans `member` until the limit (a rare surname reads far), or reads every match
            // through a bitmap; the name index read in order stops at the limit (a province's
            // one-character prefixes 110-350 ms -> 31-74 ms warm, docs/PERFORMANCE.md).
            let mut tx = db.begin().await?;
            for set in [
                "SET LOCAL enable_seqscan = off",
                "SET LOCAL enable_bitmapscan = off",
            ] {
                tx.query(set).execute(&mut tx).await?;
            }
            let mut query = tx.query(&sql);
            for v in &values {
                query.push(v.as_str());
            }
            let keys = query.fetch_all_as(&mut tx).await?;
            tx.rollback().await?;
            keys
        } else {
            let mut query = db.query(&sql);
            for v in &values {
                query.push(v.as_str());
            }
            query.fetch_all_as(db).await?
        };
    let more = keys.len() > SEARCH_LIMIT;
    keys.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    keys.dedup();
    keys.truncate(SEARCH_LIMIT);
    let start = (page as usize - 1).saturating_mul(per_page as usize);
    let shown: Vec<&(String, String, String)> =
        keys.iter().skip(start).take(per_page as usize).collect();
    let rows = if shown.is_empty() {
        Vec::new()
    } else {
        let sql = format!(
            "{LINE} WHERE (h.county, h.number) IN ({}) ORDER BY h.area_code, h.number",
            crate::sql::values(db.backend(), shown.len(), 2)
        );
        let mut q = db.query(&sql);
        for (county, number, _) in &shown {
            q.push(county.as_str());
            q.push(number.as_str());
        }
        lines(q, db).await?
    };
    Ok(Page {
        total: keys.len() as u64,
        page,
        per_page,
        rows,
        more,
    })
}

/// The names of the children of `area` (by their prefix of `n` digits).
async fn child_names(db: &Db, area: &str, n: usize) -> Result<HashMap<String, String>, StoreError> {
    let (lo, hi) = code_range(area);
    let level = AreaLevel::from_prefix_len(n).unwrap_or(AreaLevel::Village);
    let rows: Vec<(String, String)> = db
        .query("SELECT code, name FROM area WHERE code BETWEEN $1 AND $2 AND level = $3")
        .bind(lo)
        .bind(hi)
        .bind(level.code())
        .fetch_all_as(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name)| (code[..n].to_string(), name))
        .collect())
}

/// The figures of an area that has roll-ups.
async fn figures(db: &Db, area: &str) -> Result<Figures, StoreError> {
    let mut pooled = db.acquire().await?;
    let mut conn = pooled.conn();
    let rows = rollup::rows(&mut conn, area, 0).await?;
    let children = rollup::child_rows(&mut conn, area).await?;
    drop(pooled);
    let names = match child_len(area.len()) {
        Some(n) => child_names(db, area, n).await?,
        None => HashMap::new(),
    };
    Ok(figures_of_rollup(area, &rows, &children, &names))
}

/// Members in a household now, as a correlated subquery on `household h`.
const PEOPLE: &str = "(SELECT COUNT(*) FROM member m WHERE m.county = h.county \
                      AND m.household_number = h.number AND m.left_on IS NULL)";

/// Households and people under `(lo, hi)` by the value of column `key` (`extra`: more conditions).
async fn counts(
    db: &Db,
    (lo, hi): (&str, &str),
    key: &str,
    extra: &str,
) -> Result<Vec<(String, Count)>, StoreError> {
    let sql = format!(
        "SELECT h.{key}, COUNT(*), CAST(COALESCE(SUM({PEOPLE}), 0) AS BIGINT) FROM household h \
         WHERE h.area_code BETWEEN $1 AND $2{extra} GROUP BY h.{key} ORDER BY h.{key}"
    );
    let rows: Vec<(String, i64, i64)> = db.query(&sql).bind(lo).bind(hi).fetch_all_as(db).await?;
    Ok(rows
        .into_iter()
        .map(|(k, households, people)| (k, Count { households, people }))
        .collect())
}

async fn figures_scan(db: &Db, area: &str) -> Result<Figures, StoreError> {
    let (lo, hi) = code_range(area);
    let status = counts(db, (&lo, &hi), "status", "").await?;
    let monitoring = counts(
        db,
        (&lo, &hi),
        "monitoring",
        " AND h.monitoring IS NOT NULL",
    )
    .await?;
    let causes: Vec<(String, i64)> = db
        .query(
            "SELECT COALESCE(h.main_cause, 'other'), COUNT(*) FROM household h \
             WHERE h.area_code BETWEEN $1 AND $2 AND h.status IN ('poor', 'returned', 'exited') \
             GROUP BY 1 ORDER BY 2 DESC, 1",
        )
        .bind(lo.as_str())
        .bind(hi.as_str())
        .fetch_all_as(db)
        .await?;
    let rural_population: Option<i64> = db
        .query(
            "SELECT CAST(SUM(rural_population) AS BIGINT) FROM area \
             WHERE level = 'village' AND code BETWEEN $1 AND $2",
        )
        .bind(lo.as_str())
        .bind(hi.as_str())
        .scalar::<Option<i64>>(db)
        .await?
        .flatten();
    let mut sub_areas = Vec::new();
    if let Some(n) = child_len(area.len()) {
        let sql = format!(
            "SELECT substr(h.area_code, 1, {n}), COUNT(*), \
             CAST(COALESCE(SUM(CASE WHEN h.status IN ('poor', 'returned') THEN {PEOPLE} ELSE 0 END), 0) \
             AS BIGINT) FROM household h WHERE h.area_code BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1"
        );
        let rows: Vec<(String, i64, i64)> = db
            .query(&sql)
            .bind(lo.as_str())
            .bind(hi.as_str())
            .fetch_all_as(db)
            .await?;
        let sql = format!(
            "SELECT substr(code, 1, {n}), CAST(SUM(rural_population) AS BIGINT) FROM area \
             WHERE level = 'village' AND code BETWEEN $1 AND $2 GROUP BY 1"
        );
        let rural: HashMap<String, Option<i64>> = db
            .query(&sql)
            .bind(lo.as_str())
            .bind(hi.as_str())
            .fetch_all_as::<(String, Option<i64>)>(db)
            .await?
            .into_iter()
            .collect();
        let names = child_names(db, area, n).await?;
        for (code, households, poor_people) in rows {
            sub_areas.push(SubArea {
                name: names.get(&code).cloned().unwrap_or_default(),
                rural_population: rural.get(&code).copied().flatten(),
                poor_people,
                households,
                code,
            });
        }
    }
    Ok(Figures {
        area: area.to_string(),
        status,
        sub_areas,
        causes,
        monitoring,
        rural_population,
    })
}

async fn last_event_date(db: &Db, area: &str) -> Result<Option<String>, StoreError> {
    let date = if area.is_empty() {
        db.query("SELECT CAST(MAX(effective_date) AS TEXT) FROM event")
            .scalar::<Option<String>>(db)
            .await?
    } else {
        let (lo, hi) = code_range(area);
        db.query(
            "SELECT CAST(MAX(e.effective_date) AS TEXT) FROM event e JOIN household h \
             ON h.county = e.county AND h.number = e.household_number \
             WHERE h.area_code BETWEEN $1 AND $2",
        )
        .bind(lo)
        .bind(hi)
        .scalar::<Option<String>>(db)
        .await?
    };
    Ok(date.flatten())
}

/// The dashboard figures of `area` from its current-figure rows `(item, households, people)` and
/// its children's `(child, item, households, people)`; `names` of the children by prefix.
pub fn figures_of_rollup(
    area: &str,
    rows: &[(String, i64, i64)],
    children: &[(String, String, i64, i64)],
    names: &HashMap<String, String>,
) -> Figures {
    let pick = |prefix: &str| -> Vec<(String, Count)> {
        rows.iter()
            .filter_map(|(item, h, p)| {
                item.strip_prefix(prefix).map(|k| {
                    (
                        k.to_string(),
                        Count {
                            households: *h,
                            people: *p,
                        },
                    )
                })
            })
            .collect()
    };
    let mut causes: Vec<(String, i64)> = pick("cause:")
        .into_iter()
        .map(|(k, c)| (k, c.households))
        .collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rural_population = rows
        .iter()
        .find(|(item, _, _)| item == "rural")
        .map(|(_, _, p)| *p);
    let mut sub_areas: Vec<SubArea> = Vec::new();
    for (code, item, h, p) in children {
        if sub_areas.last().is_none_or(|s| &s.code != code) {
            sub_areas.push(SubArea {
                code: code.clone(),
                name: names.get(code).cloned().unwrap_or_default(),
                poor_people: 0,
                households: 0,
                rural_population: None,
            });
        }
        let s = sub_areas.last_mut().expect("pushed");
        if let Some(status) = item.strip_prefix("status:") {
            s.households += h;
            if matches!(status, "poor" | "returned") {
                s.poor_people += p;
            }
        } else if item == "rural" {
            s.rural_population = Some(*p);
        }
    }
    // Like the scan, list the children that have households.
    sub_areas.retain(|s| s.households > 0);
    Figures {
        area: area.to_string(),
        status: pick("status:"),
        sub_areas,
        causes,
        monitoring: pick("monitoring:"),
        rural_population,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_text_picks_its_index() {
        assert_eq!(Search::of("王"), Search::Prefix("王".into()));
        assert_eq!(Search::of("12"), Search::Prefix("12".into()));
        assert_eq!(Search::of("王秀英"), Search::Name("王秀英".into()));
        assert_eq!(Search::of("0312x"), Search::Digits("0312X".into()));
        assert_eq!(Search::of("H00012"), Search::Name("H00012".into()));
        assert_eq!(Search::of("19810229"), Search::Digits("19810229".into()));
        assert_eq!(Search::of("19840229"), Search::BirthDate("19840229".into()));
        assert_eq!(Search::of("20200131"), Search::BirthDate("20200131".into()));
        // Not a date, or not a year of a birth: any other part of an ID number.
        assert_eq!(Search::of("14052519"), Search::Digits("14052519".into()));
        assert_eq!(Search::of("19801301"), Search::Digits("19801301".into()));
        assert_eq!(Search::of("2020013"), Search::Digits("2020013".into()));
        assert_eq!(digits_after("1409"), Some("141".into()));
        assert_eq!(digits_after("140525"), Some("140526".into()));
        assert_eq!(digits_after("999"), None);
        assert_eq!(like_escape("a%b_c\\"), "a\\%b\\_c\\\\");
    }
}
