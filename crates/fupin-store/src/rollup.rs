//! Incrementally maintained roll-ups of the dashboard figures (DESIGN.md, scale path).
//!
//! Every write marks the villages it touches in `rollup_dirty` (in its own transaction). A refresh
//! recomputes each dirty village's rows of the `rollup` table from its households, members and events
//! ([`village_rows`], pure), then each ancestor (township, county, city, province, the whole registry)
//! as the sum of its children's rows, and empties `rollup_dirty`. The dashboard then reads a handful of
//! rows for any area, at any scale. Imports refresh right after they commit unless they defer it
//! ([`crate::ImportOptions::defer_rollups`]); readers refresh whatever is still dirty before reading,
//! so the figures are never stale.
//!
//! Rows: `year = 0` holds the current figures (`status:CODE`, `monitoring:CODE`, `cause:CODE` for
//! registered households, `rural` with the village count and rural population); a calendar year holds
//! that year's change report, as [`crate::Repository::change_report`] computes it from 1 January to
//! 31 December: the flows `identified`, `exited`, `returned`, `removed`, `natural_increase`,
//! `natural_decrease`, and `events` (every event of the year), and `end:STATUS`, by how much the
//! stock on 31 December changed since the year before. The stock at the end of year Y is the sum of
//! the `end:` rows of the years up to Y, so nothing needs rewriting when a year passes, and every row
//! sums over villages.

use crate::error::StoreError;
use crate::model::kind;
use crate::sql::{values, Backend, Conn};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The area prefix lengths that have roll-up rows, the whole registry first.
pub const DEPTHS: [usize; 6] = [0, 2, 4, 6, 9, 12];

/// The depth of the children of a depth.
pub fn child_depth(depth: usize) -> Option<usize> {
    DEPTHS
        .iter()
        .position(|d| *d == depth)
        .and_then(|i| DEPTHS.get(i + 1).copied())
}

/// One household of a village, as the roll-up needs it.
#[derive(Debug, Clone)]
pub struct HouseholdFact {
    pub county: String,
    pub number: String,
    pub status: String,
    pub monitoring: Option<String>,
    pub main_cause: Option<String>,
    pub people: i64,
}

/// One event of a village's household (`date` is `YYYY-MM-DD`).
#[derive(Debug, Clone)]
pub struct EventFact {
    pub county: String,
    pub number: String,
    pub kind: String,
    pub detail: Option<String>,
    pub date: String,
    pub id: i64,
}

/// One membership span of a village's household (`YYYY-MM-DD`; `left` open while a member).
#[derive(Debug, Clone)]
pub struct MemberSpan {
    pub county: String,
    pub number: String,
    pub joined: String,
    pub left: Option<String>,
}

/// (year, item) → (households, people).
pub type Rows = BTreeMap<(i64, String), (i64, i64)>;

fn add(rows: &mut Rows, year: i64, item: &str, households: i64, people: i64) {
    let e = rows.entry((year, item.to_string())).or_default();
    e.0 += households;
    e.1 += people;
}

fn year_of(date: &str) -> i64 {
    date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// The roll-up rows of one village: its current figures (year 0) and, for every year with a change,
/// that year's flows and the change of its year-end stock. Only non-zero rows.
pub fn village_rows(
    households: &[HouseholdFact],
    events: &[EventFact],
    members: &[MemberSpan],
    rural: Option<i64>,
) -> Rows {
    let mut rows = Rows::new();
    for h in households {
        add(&mut rows, 0, &format!("status:{}", h.status), 1, h.people);
        if let Some(m) = &h.monitoring {
            add(&mut rows, 0, &format!("monitoring:{m}"), 1, h.people);
        }
        if matches!(h.status.as_str(), "poor" | "returned" | "exited") {
            let cause = h.main_cause.as_deref().unwrap_or("other");
            add(&mut rows, 0, &format!("cause:{cause}"), 1, h.people);
        }
    }
    if let Some(n) = rural {
        add(&mut rows, 0, "rural", 1, n);
    }
    // (county, number) → (joined, left) of each member.
    type Spans<'a> = HashMap<(&'a str, &'a str), Vec<(&'a str, Option<&'a str>)>>;
    let mut spans: Spans = HashMap::new();
    for m in members {
        spans
            .entry((&m.county, &m.number))
            .or_default()
            .push((&m.joined, m.left.as_deref()));
    }
    let people_on = |county: &str, number: &str, date: &str| -> i64 {
        spans.get(&(county, number)).map_or(0, |v| {
            v.iter()
                .filter(|(j, l)| *j <= date && l.is_none_or(|l| l > date))
                .count() as i64
        })
    };
    let Some(first) = events.iter().map(|e| year_of(&e.date)).min() else {
        return rows;
    };
    // After the last event or membership date, no year-end stock changes.
    let last = events
        .iter()
        .map(|e| year_of(&e.date))
        .chain(
            members
                .iter()
                .flat_map(|m| std::iter::once(&m.joined).chain(&m.left))
                .map(|d| year_of(d)),
        )
        .max()
        .unwrap_or(first);
    for e in events {
        let y = year_of(&e.date);
        add(&mut rows, y, "events", 1, 0);
        let people = || people_on(&e.county, &e.number, &e.date);
        match (e.kind.as_str(), e.detail.as_deref()) {
            (kind::IDENTIFIED | kind::EXITED | kind::RETURNED | kind::REMOVED, _) => {
                add(&mut rows, y, &e.kind, 1, people())
            }
            (kind::MEMBER_JOINED, Some("birth")) => add(&mut rows, y, "natural_increase", 1, 0),
            (kind::MEMBER_LEFT, Some("death")) => add(&mut rows, y, "natural_decrease", 1, 0),
            _ => {}
        }
    }
    // The stock on 31 December of each year: each household under its last status event by then.
    let mut status_events: HashMap<(&str, &str), Vec<&EventFact>> = HashMap::new();
    for e in events
        .iter()
        .filter(|e| kind::STATUS.contains(&e.kind.as_str()))
    {
        status_events
            .entry((&e.county, &e.number))
            .or_default()
            .push(e);
    }
    for ((county, number), mut evs) in status_events {
        evs.sort_by(|a, b| (&a.date, a.id).cmp(&(&b.date, b.id)));
        let mut before: Option<(&str, i64)> = None;
        for y in first..=last {
            let end = format!("{y:04}-12-31");
            let now = evs
                .iter()
                .rev()
                .find(|e| e.date.as_str() <= end.as_str())
                .and_then(|e| e.detail.as_deref())
                .filter(|s| matches!(*s, "poor" | "exited" | "returned" | "removed"))
                .map(|s| (s, people_on(county, number, &end)));
            if now != before {
                if let Some((s, p)) = before {
                    add(&mut rows, y, &format!("end:{s}"), -1, -p);
                }
                if let Some((s, p)) = now {
                    add(&mut rows, y, &format!("end:{s}"), 1, p);
                }
            }
            before = now;
        }
    }
    rows.retain(|_, (h, p)| *h != 0 || *p != 0);
    rows
}

/// The change report of `year` over `area` from its roll-up rows `(item, households, people)`.
pub fn year_report(year: i32, area: &str, rows: &[(String, i64, i64)]) -> crate::ChangeReport {
    use crate::model::{EndStock, HouseholdFlows, PeopleFlows};
    let mut r = crate::ChangeReport {
        from: chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("year"),
        to: chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("year"),
        area: area.to_string(),
        households: HouseholdFlows::default(),
        people: PeopleFlows::default(),
        end: EndStock::default(),
    };
    for (item, h, p) in rows {
        let (h, p) = (*h as u64, *p as u64);
        let (hf, pf) = (&mut r.households, &mut r.people);
        match item.as_str() {
            "identified" => (hf.identified, pf.identified) = (h, p),
            "exited" => (hf.exited, pf.exited) = (h, p),
            "returned" => (hf.returned, pf.returned) = (h, p),
            "removed" => (hf.removed, pf.removed) = (h, p),
            "natural_increase" => pf.natural_increase = h,
            "natural_decrease" => pf.natural_decrease = h,
            "end:poor" => {
                r.end.poor = crate::model::Stock {
                    households: h,
                    people: p,
                }
            }
            "end:exited" => {
                r.end.exited = crate::model::Stock {
                    households: h,
                    people: p,
                }
            }
            "end:returned" => {
                r.end.returned = crate::model::Stock {
                    households: h,
                    people: p,
                }
            }
            "end:removed" => {
                r.end.removed = crate::model::Stock {
                    households: h,
                    people: p,
                }
            }
            _ => {}
        }
    }
    r
}

// The SQL of the roll-ups, the same on both backends.

/// Serialises refreshes on PostgreSQL (readers refresh too); SQLite has one writer anyway.
const REFRESH_LOCK: &str = "SELECT pg_advisory_xact_lock(7340001)";

/// Marks the villages of `codes` dirty (inside the writer's transaction).
pub async fn mark(conn: &mut Conn<'_>, codes: &BTreeSet<String>) -> Result<(), StoreError> {
    let codes: Vec<&String> = codes.iter().filter(|c| c.len() == 12).collect();
    for chunk in codes.chunks(500) {
        let sql = format!(
            "INSERT INTO rollup_dirty (area) {} ON CONFLICT (area) DO NOTHING",
            values(conn.backend(), chunk.len(), 1)
        );
        let mut q = conn.query(&sql);
        for c in chunk {
            q.push(c.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn village(conn: &mut Conn<'_>, code: &str) -> Result<(), StoreError> {
    let households: Vec<_> = conn.query(
        "SELECT county, number, status, monitoring, main_cause, people FROM household WHERE area_code = $1",
    )
    .bind(code)
    .fetch_all_as(&mut *conn)
    .await?
    .into_iter()
    .map(|(county, number, status, monitoring, main_cause, people)| HouseholdFact {
        county,
        number,
        status,
        monitoring,
        main_cause,
        people,
    })
    .collect();
    let events: Vec<_> = conn.query(
        "SELECT e.county, e.household_number, e.kind, e.detail, CAST(e.effective_date AS TEXT), e.id \
         FROM event e JOIN household h ON h.county = e.county AND h.number = e.household_number \
         WHERE h.area_code = $1",
    )
    .bind(code)
    .fetch_all_as(&mut *conn)
    .await?
    .into_iter()
    .map(|(county, number, kind, detail, date, id)| EventFact {
        county,
        number,
        kind,
        detail,
        date,
        id,
    })
    .collect();
    let members: Vec<_> = conn.query(
        "SELECT m.county, m.household_number, CAST(m.joined_on AS TEXT), CAST(m.left_on AS TEXT) \
         FROM member m JOIN household h ON h.county = m.county AND h.number = m.household_number \
         WHERE h.area_code = $1",
    )
    .bind(code)
    .fetch_all_as(&mut *conn)
    .await?
    .into_iter()
    .map(|(county, number, joined, left)| MemberSpan {
        county,
        number,
        joined,
        left,
    })
    .collect();
    let rural = rural_of(conn, code).await?;
    let rows = village_rows(&households, &events, &members, rural);
    store_village(conn, code, rows).await
}

/// The rural population of a village (its `rural` roll-up row).
async fn rural_of(conn: &mut Conn<'_>, code: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query("SELECT rural_population FROM area WHERE code = $1 AND level = 'village'")
        .bind(code)
        .scalar::<Option<i64>>(&mut *conn)
        .await?
        .flatten())
}

/// Replaces the roll-up rows of a village.
async fn store_village(conn: &mut Conn<'_>, code: &str, rows: Rows) -> Result<(), StoreError> {
    conn.query("DELETE FROM rollup WHERE depth = 12 AND area = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(500) {
        let sql = format!(
            "INSERT INTO rollup (depth, area, year, item, households, people) {}",
            values(conn.backend(), chunk.len(), 6)
        );
        let mut q = conn.query(&sql);
        for ((year, item), (h, p)) in chunk {
            q.push(12i64);
            q.push(code);
            q.push(*year);
            q.push(item.as_str());
            q.push(*h);
            q.push(*p);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The roll-up rows of villages summed from the households a write creates, as it writes them,
/// for villages that had no household before it (an import into a registry without households):
/// [`village_rows`] adds up over households (each household's rows depend on its own events and
/// members only), so [`refresh_with`] stores these sums instead of reading the villages back
/// (a first import of 1,000,000 members: its whole registry).
///
/// Held compactly (a province's first import sums all its villages: 19,548 in the demo profile, 55
/// rows each): a row is 12 bytes, its item a number into one list of the items' names, so a
/// village costs about 0.7 KB rather than the 5 KB of its [`Rows`].
#[derive(Debug, Default)]
pub struct Computed {
    /// The items' names, by their number.
    items: Vec<String>,
    numbers: HashMap<String, u32>,
    /// A village's rows, sorted: (year << 16 | the item's number, households, people).
    villages: HashMap<String, Vec<(u32, i32, i32)>>,
}

impl Computed {
    /// How many villages it holds rows of.
    pub fn villages(&self) -> usize {
        self.villages.len()
    }

    /// Adds the rows of households of `village` (with their events and members).
    pub fn add(
        &mut self,
        village: &str,
        households: &[HouseholdFact],
        events: &[EventFact],
        members: &[MemberSpan],
    ) {
        let rows = village_rows(households, events, members, None);
        let keys: Vec<u32> = rows
            .keys()
            .map(|(year, item)| {
                let number = match self.numbers.get(item) {
                    Some(n) => *n,
                    None => {
                        let n = self.items.len() as u32;
                        self.items.push(item.clone());
                        self.numbers.insert(item.clone(), n);
                        n
                    }
                };
                ((*year as u32) << 16) | number
            })
            .collect();
        let into = match self.villages.get_mut(village) {
            Some(into) => into,
            None => self.villages.entry(village.to_string()).or_default(),
        };
        // A village's figures are far below 2^31 households or people.
        let small = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        for (key, (h, p)) in keys.into_iter().zip(rows.into_values()) {
            match into.binary_search_by_key(&key, |r| r.0) {
                Ok(i) => {
                    into[i].1 = small(i64::from(into[i].1) + h);
                    into[i].2 = small(i64::from(into[i].2) + p);
                }
                Err(i) => into.insert(i, (key, small(h), small(p))),
            }
        }
    }

    /// Takes out the rows of `village`.
    fn remove(&mut self, village: &str) -> Option<Rows> {
        let rows = self.villages.remove(village)?;
        Some(
            rows.into_iter()
                .map(|(key, h, p)| {
                    let item = self.items[(key & 0xffff) as usize].clone();
                    ((i64::from(key >> 16), item), (i64::from(h), i64::from(p)))
                })
                .collect(),
        )
    }
}

/// Recomputes the roll-ups of every dirty village and of their ancestors; returns how
/// many villages were refreshed. Runs inside the caller's transaction.
pub async fn refresh(conn: &mut Conn<'_>) -> Result<usize, StoreError> {
    refresh_with(conn, Computed::default()).await
}

/// [`refresh`], with the rows of the villages in `computed` as given (plus their rural
/// population) rather than read from their households, members and events.
pub async fn refresh_with(
    conn: &mut Conn<'_>,
    mut computed: Computed,
) -> Result<usize, StoreError> {
    // Every read calls this: nothing marked, nothing to lock.
    let any: Option<String> = conn
        .query("SELECT area FROM rollup_dirty LIMIT 1")
        .scalar(&mut *conn)
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    if conn.backend() == Backend::Postgres {
        conn.query(REFRESH_LOCK).execute(&mut *conn).await?;
    }
    let dirty: Vec<String> = conn
        .query("SELECT area FROM rollup_dirty ORDER BY area")
        .fetch_all_scalar(&mut *conn)
        .await?;
    let mut refreshed = 0;
    let mut ancestors = BTreeSet::new();
    for code in &dirty {
        if code.len() == 12 {
            match computed.remove(code) {
                Some(mut rows) => {
                    if let Some(n) = rural_of(conn, code).await? {
                        add(&mut rows, 0, "rural", 1, n);
                    }
                    rows.retain(|_, (h, p)| *h != 0 || *p != 0);
                    store_village(conn, code, rows).await?;
                }
                None => village(conn, code).await?,
            }
            refreshed += 1;
            for d in &DEPTHS[..5] {
                ancestors.insert((*d, code[..*d].to_string()));
            }
        }
        conn.query("DELETE FROM rollup_dirty WHERE area = $1")
            .bind(code)
            .execute(&mut *conn)
            .await?;
    }
    // Deepest first, so that each sums fresh children.
    for (depth, area) in ancestors.iter().rev() {
        let child = child_depth(*depth).expect("not a village");
        conn.query("DELETE FROM rollup WHERE depth = $1 AND area = $2")
            .bind(*depth as i64)
            .bind(area)
            .execute(&mut *conn)
            .await?;
        conn.query(
            "INSERT INTO rollup (depth, area, year, item, households, people) \
             SELECT $1, $2, year, item, CAST(SUM(households) AS BIGINT), CAST(SUM(people) AS BIGINT) \
             FROM rollup WHERE depth = $3 AND area BETWEEN $4 AND $5 GROUP BY year, item \
             HAVING SUM(households) <> 0 OR SUM(people) <> 0",
        )
        .bind(*depth as i64)
        .bind(area)
        .bind(child as i64)
        .bind(area)
        .bind(format!("{area}~"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(refreshed)
}

/// The change report rows of one area for one year: the year's flows, and the stock at
/// its end (the sum of the stock changes of the years up to it).
pub async fn year_rows(
    conn: &mut Conn<'_>,
    area: &str,
    year: i64,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let mut out = rows(conn, area, year).await?;
    out.retain(|(item, _, _)| !item.starts_with("end:"));
    let stock: Vec<(String, i64, i64)> = conn.query(
        "SELECT item, CAST(SUM(households) AS BIGINT), CAST(SUM(people) AS BIGINT) FROM rollup \
         WHERE depth = $1 AND area = $2 AND year BETWEEN 1 AND $3 AND item LIKE 'end:%' GROUP BY item",
    )
    .bind(area.len() as i64)
    .bind(area)
    .bind(year)
    .fetch_all_as(&mut *conn)
    .await?;
    out.extend(stock);
    Ok(out)
}

/// The rows of one area for one year (0: current figures).
pub async fn rows(
    conn: &mut Conn<'_>,
    area: &str,
    year: i64,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(conn.query(
        "SELECT item, households, people FROM rollup WHERE depth = $1 AND area = $2 AND year = $3 ORDER BY item",
    )
    .bind(area.len() as i64)
    .bind(area)
    .bind(year)
    .fetch_all_as(&mut *conn)
    .await?)
}

/// The current-figure rows of the children of an area: (child, item, households, people).
pub async fn child_rows(
    conn: &mut Conn<'_>,
    area: &str,
) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
    let Some(child) = child_depth(area.len()) else {
        return Ok(Vec::new());
    };
    Ok(conn.query(
        "SELECT area, item, households, people FROM rollup WHERE depth = $1 AND area BETWEEN $2 AND $3 \
         AND year = 0 ORDER BY area, item",
    )
    .bind(child as i64)
    .bind(area)
    .bind(format!("{area}~"))
    .fetch_all_as(&mut *conn)
    .await?)
}

/// The latest year with an event in the area, from the roll-ups.
pub async fn last_event_year(conn: &mut Conn<'_>, area: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn.query(
        "SELECT MAX(year) FROM rollup WHERE depth = $1 AND area = $2 AND item = 'events' AND year > 0",
    )
    .bind(area.len() as i64)
    .bind(area)
    .scalar::<Option<i64>>(&mut *conn)
    .await?
    .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hh(n: &str, status: &str, people: i64) -> HouseholdFact {
        HouseholdFact {
            county: "140525".into(),
            number: n.into(),
            status: status.into(),
            monitoring: None,
            main_cause: Some("illness".into()),
            people,
        }
    }

    fn ev(n: &str, kind: &str, detail: Option<&str>, date: &str, id: i64) -> EventFact {
        EventFact {
            county: "140525".into(),
            number: n.into(),
            kind: kind.into(),
            detail: detail.map(Into::into),
            date: date.into(),
            id,
        }
    }

    fn span(n: &str, joined: &str, left: Option<&str>) -> MemberSpan {
        MemberSpan {
            county: "140525".into(),
            number: n.into(),
            joined: joined.into(),
            left: left.map(Into::into),
        }
    }

    /// The year-end stock of `status` in `year` from the rows: the sum of its changes so far.
    fn stock(rows: &Rows, year: i64, status: &str) -> (i64, i64) {
        rows.iter()
            .filter(|((y, item), _)| *y >= 1 && *y <= year && item == &format!("end:{status}"))
            .fold((0, 0), |(h, p), (_, (a, b))| (h + a, p + b))
    }

    #[test]
    fn a_village_counts_flows_and_year_end_stock_with_members_on_the_day() {
        let households = [hh("1", "exited", 2), hh("2", "poor", 3)];
        let events = [
            ev("1", "identified", Some("poor"), "2014-10-15", 1),
            ev("2", "identified", Some("poor"), "2014-10-15", 2),
            ev("1", "exited", Some("exited"), "2016-11-30", 3),
            // A death in 2016: household 1 has 3 people on its exit day and 2 at the end of 2016.
            ev("1", "member_left", Some("death"), "2016-12-15", 4),
            ev("2", "member_joined", Some("birth"), "2017-03-15", 5),
        ];
        let members = [
            span("1", "2014-10-15", None),
            span("1", "2014-10-15", None),
            span("1", "2014-10-15", Some("2016-12-15")),
            span("2", "2014-10-15", None),
            span("2", "2014-10-15", None),
            span("2", "2017-03-15", None),
        ];
        let rows = village_rows(&households, &events, &members, Some(900));
        let get = |y: i64, item: &str| rows.get(&(y, item.to_string())).copied();
        assert_eq!(get(0, "status:exited"), Some((1, 2)));
        assert_eq!(get(0, "status:poor"), Some((1, 3)));
        assert_eq!(get(0, "cause:illness"), Some((2, 5)));
        assert_eq!(get(0, "rural"), Some((1, 900)));
        assert_eq!(get(2014, "identified"), Some((2, 5)));
        assert_eq!(stock(&rows, 2014, "poor"), (2, 5));
        assert_eq!(get(2016, "exited"), Some((1, 3)));
        assert_eq!(get(2016, "natural_decrease"), Some((1, 0)));
        assert_eq!(stock(&rows, 2016, "exited"), (1, 2));
        assert_eq!(stock(&rows, 2016, "poor"), (1, 2));
        assert_eq!(get(2017, "natural_increase"), Some((1, 0)));
        assert_eq!(stock(&rows, 2017, "poor"), (1, 3));
        // No rows once nothing changes; the stock stays the sum of the changes before.
        assert!(rows.keys().all(|(y, _)| *y <= 2017));
        assert_eq!(stock(&rows, 2030, "exited"), (1, 2));
        assert_eq!(stock(&rows, 2013, "poor"), (0, 0));
        assert_eq!(get(2015, "exited"), None);
        assert_eq!(get(2016, "events"), Some((2, 0)));
    }

    #[test]
    fn a_village_s_rows_are_the_sum_of_its_households_rows() {
        // Household 3 is identified in 2014 and removed in 2015, household 4 identified in 2015:
        // their 2015 stock changes of `end:poor` cancel out in the village.
        let households = [
            hh("1", "exited", 2),
            hh("2", "poor", 3),
            hh("3", "removed", 1),
            hh("4", "poor", 1),
        ];
        let events = [
            ev("1", "identified", Some("poor"), "2014-10-15", 1),
            ev("2", "identified", Some("poor"), "2014-10-15", 2),
            ev("3", "identified", Some("poor"), "2014-10-15", 3),
            ev("3", "removed", Some("removed"), "2015-05-01", 4),
            ev("4", "identified", Some("poor"), "2015-05-01", 5),
            ev("1", "exited", Some("exited"), "2016-11-30", 6),
            ev("1", "member_left", Some("death"), "2016-12-15", 7),
            ev("2", "member_joined", Some("birth"), "2017-03-15", 8),
        ];
        let members = [
            span("1", "2014-10-15", None),
            span("1", "2014-10-15", Some("2016-12-15")),
            span("2", "2014-10-15", None),
            span("2", "2014-10-15", None),
            span("2", "2017-03-15", None),
            span("3", "2014-10-15", None),
            span("4", "2014-10-15", None),
        ];
        let whole = village_rows(&households, &events, &members, None);
        assert_eq!(whole.get(&(2015, "end:poor".to_string())), None);
        let mut computed = Computed::default();
        for h in &households {
            let own = |n: &str| n == h.number;
            let events: Vec<_> = events.iter().filter(|e| own(&e.number)).cloned().collect();
            let members: Vec<_> = members.iter().filter(|m| own(&m.number)).cloned().collect();
            computed.add("140525100201", std::slice::from_ref(h), &events, &members);
        }
        assert_eq!(computed.villages(), 1);
        let mut summed = computed.remove("140525100201").unwrap();
        summed.retain(|_, (h, p)| *h != 0 || *p != 0);
        assert_eq!(summed, whole);
    }

    #[test]
    fn a_village_without_events_has_only_current_figures() {
        let rows = village_rows(&[hh("1", "poor", 2)], &[], &[], None);
        assert_eq!(rows.len(), 2);
        assert!(rows.keys().all(|(y, _)| *y == 0));
    }

    #[test]
    fn depths_chain_from_the_registry_to_villages() {
        assert_eq!(child_depth(0), Some(2));
        assert_eq!(child_depth(9), Some(12));
        assert_eq!(child_depth(12), None);
        assert_eq!(child_depth(5), None);
    }
}
