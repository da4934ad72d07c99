//! Writing the plans of a write ([`crate::plan::Plan`]) inside its transaction: households, income,
//! members, events and audit entries with multi-row statements, and the areas they lie in.

use super::copy::{copy_statement, CopyRows, Put};
use super::read::{load_areas, lookup};
use super::CHUNK;
use crate::audit::{Chain, Content};
use crate::error::StoreError;
use crate::model::{county_of, Area, Event, HouseholdRecord, MemberRecord};
use crate::plan::Plan;
use crate::rollup::{Computed, EventFact, HouseholdFact, MemberSpan};
use crate::sql::{values, Conn};
use chrono::{DateTime, NaiveDate, Utc};
use fupin_core::codes::CodeList;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sqlx::types::Json;
use std::collections::{BTreeMap, BTreeSet};

/// How many members or events one multi-row insert writes (15 values each: under SQLite's 32766).
const MEMBER_CHUNK: usize = 2000;

/// The columns of `household` a write sets, in the order [`write_rows`] binds them.
const HOUSEHOLD_INSERT: &str = "INSERT INTO household (area_code, village_group, attribute, \
     main_cause, secondary_causes, status, monitoring, housing_grade, food, clothing, water, phone, \
     bank_account, version, updated_at, fingerprint, people, rule_members, rule_income, county, \
     number) ";

/// A changed household replaces its row only while the row is still at the version the plan read.
const HOUSEHOLD_UPSERT: &str = " ON CONFLICT (county, number) DO UPDATE SET \
     area_code = excluded.area_code, village_group = excluded.village_group, \
     attribute = excluded.attribute, main_cause = excluded.main_cause, \
     secondary_causes = excluded.secondary_causes, status = excluded.status, \
     monitoring = excluded.monitoring, housing_grade = excluded.housing_grade, \
     food = excluded.food, clothing = excluded.clothing, water = excluded.water, \
     phone = excluded.phone, bank_account = excluded.bank_account, version = excluded.version, \
     updated_at = excluded.updated_at, fingerprint = excluded.fingerprint, \
     people = excluded.people, rule_members = excluded.rule_members, \
     rule_income = excluded.rule_income WHERE household.version = excluded.version - 1";

const MEMBER_INSERT: &str = "INSERT INTO member (county, household_number, id_number, seq, name, \
     relation, labor, health, disability_grade, school_status, medical_insurance, \
     pension_insurance, work_place, work_months, joined_on) ";

/// A member who left and comes back gets a new `joined_on`.
const MEMBER_UPSERT: &str = " ON CONFLICT (county, household_number, id_number) DO UPDATE SET \
     seq = excluded.seq, name = excluded.name, relation = excluded.relation, \
     labor = excluded.labor, health = excluded.health, \
     disability_grade = excluded.disability_grade, school_status = excluded.school_status, \
     medical_insurance = excluded.medical_insurance, \
     pension_insurance = excluded.pension_insurance, work_place = excluded.work_place, \
     work_months = excluded.work_months, \
     joined_on = CASE WHEN member.left_on IS NULL THEN member.joined_on \
     ELSE excluded.joined_on END, left_on = NULL, left_reason = NULL";

const INCOME_INSERT: &str = "INSERT INTO household_income (county, household_number, year, wage, \
     business, property, transfer, business_cost, medical_expense, education_expense, \
     disaster_loss, other_expense) ";

const INCOME_UPSERT: &str = " ON CONFLICT (county, household_number, year) DO UPDATE SET \
     wage = excluded.wage, business = excluded.business, property = excluded.property, \
     transfer = excluded.transfer, business_cost = excluded.business_cost, \
     medical_expense = excluded.medical_expense, education_expense = excluded.education_expense, \
     disaster_loss = excluded.disaster_loss, other_expense = excluded.other_expense";

const EVENT_INSERT: &str = "INSERT INTO event (county, household_number, id_number, kind, detail, \
     reason, effective_date, actor, recorded_at) ";

const AUDIT_INSERT: &str = "INSERT INTO audit_log (id, county, entity, entity_key, action, actor, \
     at, effective_date, before_json, after_json, state, seq, hash) ";

fn opt_code<T: CodeList>(v: Option<T>) -> Option<&'static str> {
    v.map(|c| c.code())
}

fn join_causes(h: &HouseholdRecord) -> String {
    h.secondary_causes
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(";")
}

/// Creates the areas of the households (`codes`) and of `infos` with their ancestors, and writes
/// what `infos` says about them (audited).
pub(super) async fn ensure_areas(
    conn: &mut Conn<'_>,
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
        conn.query(
            "INSERT INTO area (code, name, level, parent) VALUES ($1, '', $2, $3) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(a.as_str())
        .bind(a.level().code())
        .bind(a.parent().map(|p| p.as_str().to_string()))
        .execute(&mut *conn)
        .await?;
    }
    let now = Utc::now();
    for info in infos {
        let Ok(code) = fupin_core::AreaCode::parse(&info.code) else {
            continue;
        };
        let code = code.as_str();
        let before = load_areas(conn, code, code).await?.pop();
        conn.query(
            "UPDATE area SET name = CASE WHEN $1 = '' THEN name ELSE $1 END, \
             region = COALESCE($2, region), rural_population = COALESCE($3, rural_population) \
             WHERE code = $4",
        )
        .bind(&info.name)
        .bind(info.region.map(|r| r.code()))
        .bind(info.rural_population)
        .bind(code)
        .execute(&mut *conn)
        .await?;
        let after = load_areas(conn, code, code).await?.pop();
        if before != after {
            let json = |a: &Option<Area>| {
                a.as_ref()
                    .and_then(|a| serde_json::to_value(a).ok())
                    .map(Json)
            };
            conn.query(
                "INSERT INTO audit_log (county, entity, entity_key, action, actor, at, \
                 effective_date, before_json, after_json) \
                 VALUES ($1, 'area', $2, 'update', $3, $4, $5, $6, $7)",
            )
            .bind(county_of(code))
            .bind(code)
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

/// Writes households with one multi-row statement: new ones (`changed` false), or changed ones as
/// an upsert that only replaces a row still at the version the plan read (a stale one is a
/// conflict); then their details ([`write_details`]). Their audit entries are built apart
/// ([`audit_entries`]) and written by [`write_audit`]. `now`: the time of the write, in
/// microseconds as both databases keep it (the audit chain hashes it as written).
pub(super) async fn write_rows(
    conn: &mut Conn<'_>,
    plans: &[&Plan],
    date: NaiveDate,
    changed: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let (false, Conn::Pg(pg)) = (changed, &mut *conn) {
        // New households on PostgreSQL: by `COPY` (super::copy).
        let mut rows = CopyRows::default();
        for p in plans {
            household_row(&mut rows, p, now);
        }
        rows.send(pg, &copy_statement(HOUSEHOLD_INSERT)).await?;
        return write_details(conn, plans, date, now, true).await;
    }
    let mut sql = format!(
        "{HOUSEHOLD_INSERT}{}",
        values(conn.backend(), plans.len(), 21)
    );
    if changed {
        sql.push_str(HOUSEHOLD_UPSERT);
    }
    let mut q = conn.query(&sql);
    for p in plans {
        household_row(&mut q, p, now);
    }
    let done = q.execute(&mut *conn).await?;
    if changed && done != plans.len() as u64 {
        // Name the first household whose stored version moved on.
        let numbers: Vec<&str> = plans.iter().map(|p| p.after.number.as_str()).collect();
        let sql = "SELECT number, CAST(version AS TEXT) AS v FROM household WHERE number IN";
        let found = lookup(conn, sql, &numbers).await?;
        let stale = plans
            .iter()
            .find(|p| {
                let stored = found
                    .get(&p.after.number)
                    .and_then(|v| v.parse::<i64>().ok());
                stored != Some(p.after.version)
            })
            .unwrap_or(&plans[0]);
        return Err(StoreError::Conflict {
            number: stale.after.number.clone(),
            expected: stale.after.version - 1,
            found: -1,
        });
    }
    write_details(conn, plans, date, now, false).await
}

/// The values of a household's row, in the order of [`HOUSEHOLD_INSERT`].
fn household_row<'q>(r: &mut impl Put<'q>, p: &'q Plan, now: DateTime<Utc>) {
    let h = &p.after;
    let (people, members, income) = crate::scan::facts(p.before.as_ref(), h);
    r.put(&h.area_code);
    r.put(&h.village_group);
    r.put(opt_code(h.attribute));
    r.put(opt_code(h.main_cause));
    r.put(join_causes(h));
    r.put(h.status.code());
    r.put(opt_code(h.monitoring));
    r.put(h.housing_grade.code());
    r.put(h.food);
    r.put(h.clothing);
    r.put(h.water);
    r.put(&h.phone);
    r.put(&h.bank_account);
    r.put(h.version);
    r.put(now);
    r.put(&p.fingerprint);
    r.put(people);
    r.put(members);
    r.put(income);
    r.put(h.county());
    r.put(&h.number);
    r.end();
}

/// Writes the plans' income, member changes and events (not the household rows nor the audit
/// entries); `copy`: new households on PostgreSQL, by `COPY`.
async fn write_details(
    conn: &mut Conn<'_>,
    plans: &[&Plan],
    date: NaiveDate,
    now: DateTime<Utc>,
    copy: bool,
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
    upsert_income(conn, &incomes, copy).await?;
    let members: Vec<(&HouseholdRecord, &MemberRecord, i64)> = plans
        .iter()
        .flat_map(|p| {
            p.joins
                .iter()
                .chain(&p.member_updates)
                .map(move |(m, seq)| (&p.after, m, *seq))
        })
        .collect();
    upsert_members(conn, &members, date, copy).await?;
    for p in plans {
        for (id, reason) in &p.leaves {
            conn.query(
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
    let events: Vec<(&HouseholdRecord, &Event)> = plans
        .iter()
        .flat_map(|p| p.events.iter().map(move |e| (&p.after, e)))
        .collect();
    if let (true, Conn::Pg(pg)) = (copy, &mut *conn) {
        let mut rows = CopyRows::default();
        for (h, e) in &events {
            event_row(&mut rows, h, e, now);
        }
        rows.send(pg, &copy_statement(EVENT_INSERT)).await?;
        return Ok(());
    }
    for chunk in events.chunks(MEMBER_CHUNK) {
        let sql = format!("{EVENT_INSERT}{}", values(conn.backend(), chunk.len(), 9));
        let mut q = conn.query(&sql);
        for (h, e) in chunk {
            event_row(&mut q, h, e, now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn event_row<'q>(r: &mut impl Put<'q>, h: &'q HouseholdRecord, e: &'q Event, now: DateTime<Utc>) {
    r.put(h.county());
    r.put(&h.number);
    r.put(&e.id_number);
    r.put(&e.kind);
    r.put(&e.detail);
    r.put(&e.reason);
    r.put(e.date);
    r.put(&e.actor);
    r.put(now);
    r.end();
}

/// A household's audit entry, chained: built by [`audit_entries`] apart from the writes (on a
/// thread of its own while the rows go in), written by [`write_audit`].
pub(super) struct AuditEntry {
    id: i64,
    county: String,
    number: String,
    action: &'static str,
    /// JSON, as stored (and hashed).
    before: Option<Box<RawValue>>,
    after: Option<Box<RawValue>>,
    state: String,
    seq: i64,
    hash: String,
}

/// The audit entries of `plans`, in their order, with the ids `ids` (one each), chained after
/// `chain`: a new household's whole record; a changed one's changed fields, before and after.
/// Pure work (the JSON and the hashes are most of an import's own processor time), so that it
/// can run beside the writes of the rows.
pub(super) fn audit_entries(
    plans: &[&Plan],
    actor: &str,
    now: DateTime<Utc>,
    date: NaiveDate,
    ids: &[i64],
    chain: &mut Chain,
) -> Vec<AuditEntry> {
    plans
        .iter()
        .zip(ids)
        .map(|(p, &id)| {
            let h = &p.after;
            let (action, before, after) = match &p.before {
                None => ("create", None, raw(&Sorted(h))),
                Some(b) => {
                    let (before, after) = audit_diff(b, h);
                    ("update", raw(&before), raw(&after))
                }
            };
            // The household as this write leaves it, for `fupin audit verify` (crate::audit).
            let state = h.fingerprint();
            let (seq, hash) = chain.append(Content {
                id,
                seq: 0,
                county: h.county(),
                entity: "household",
                key: &h.number,
                action,
                actor,
                at: now,
                effective: Some(date),
                before: before.as_deref(),
                after: after.as_deref(),
                state: Some(&state),
            });
            AuditEntry {
                id,
                county: h.county().to_string(),
                number: h.number.clone(),
                action,
                before,
                after,
                state,
                seq,
                hash,
            }
        })
        .collect()
}

/// `v` as compact JSON (None if it cannot be written: no value of the registry's).
fn raw<T: Serialize + ?Sized>(v: &T) -> Option<Box<RawValue>> {
    serde_json::value::to_raw_value(v).ok()
}

/// A household record written as `serde_json` writes its [`Value`] (every object's keys in
/// order), without building the value: the audit entry of a new household, hashed as the chain's
/// verify reads it back (`crate::audit`). The keys are listed in order by hand; the unit test
/// `sorted_record_is_written_as_its_value` fails when a field is missing or out of place.
struct Sorted<'a>(&'a HouseholdRecord);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let (i, r) = (&h.income, &h.rigid_expense);
        let mut m = s.serialize_map(Some(19))?;
        m.serialize_entry("area_code", &h.area_code)?;
        m.serialize_entry("attribute", &h.attribute)?;
        m.serialize_entry("bank_account", &h.bank_account)?;
        m.serialize_entry("clothing", &h.clothing)?;
        m.serialize_entry("food", &h.food)?;
        m.serialize_entry("housing_grade", &h.housing_grade)?;
        m.serialize_entry(
            "income",
            &Entries(&[
                ("business", &i.business),
                ("business_cost", &i.business_cost),
                ("property", &i.property),
                ("transfer", &i.transfer),
                ("wage", &i.wage),
            ]),
        )?;
        m.serialize_entry("income_year", &h.income_year)?;
        m.serialize_entry("main_cause", &h.main_cause)?;
        let members: Vec<SortedMember> = h.members.iter().map(SortedMember).collect();
        m.serialize_entry("members", &members)?;
        m.serialize_entry("monitoring", &h.monitoring)?;
        m.serialize_entry("number", &h.number)?;
        m.serialize_entry("phone", &h.phone)?;
        m.serialize_entry(
            "rigid_expense",
            &Entries(&[
                ("disaster", &r.disaster),
                ("education", &r.education),
                ("medical", &r.medical),
                ("other", &r.other),
            ]),
        )?;
        m.serialize_entry("secondary_causes", &h.secondary_causes)?;
        m.serialize_entry("status", &h.status)?;
        m.serialize_entry("version", &h.version)?;
        m.serialize_entry("village_group", &h.village_group)?;
        m.serialize_entry("water", &h.water)?;
        m.end()
    }
}

/// A member of [`Sorted`], its keys in order.
struct SortedMember<'a>(&'a MemberRecord);

impl Serialize for SortedMember<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(Some(11))?;
        m.serialize_entry("disability_grade", &p.disability_grade)?;
        m.serialize_entry("health", &p.health)?;
        m.serialize_entry("id_number", &p.id_number)?;
        m.serialize_entry("labor", &p.labor)?;
        m.serialize_entry("medical_insurance", &p.medical_insurance)?;
        m.serialize_entry("name", &p.name)?;
        m.serialize_entry("pension_insurance", &p.pension_insurance)?;
        m.serialize_entry("relation", &p.relation)?;
        m.serialize_entry("school_status", &p.school_status)?;
        m.serialize_entry("work_months", &p.work_months)?;
        m.serialize_entry("work_place", &p.work_place)?;
        m.end()
    }
}

/// Amounts as one object, keys in the order given.
struct Entries<'a>(&'a [(&'static str, &'a rust_decimal::Decimal)]);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Inserts audit entries built by [`audit_entries`] (`copy`: on PostgreSQL, by `COPY`).
pub(super) async fn write_audit(
    conn: &mut Conn<'_>,
    entries: &[AuditEntry],
    actor: &str,
    now: DateTime<Utc>,
    date: NaiveDate,
    copy: bool,
) -> Result<(), StoreError> {
    if let (true, Conn::Pg(pg)) = (copy, &mut *conn) {
        let mut rows = CopyRows::default();
        for e in entries {
            audit_row(&mut rows, e, actor, now, date);
        }
        rows.send(pg, &copy_statement(AUDIT_INSERT)).await?;
        return Ok(());
    }
    for chunk in entries.chunks(CHUNK) {
        let sql = format!("{AUDIT_INSERT}{}", values(conn.backend(), chunk.len(), 13));
        let mut q = conn.query(&sql);
        for e in chunk {
            audit_row(&mut q, e, actor, now, date);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The values of an audit entry's row, in the order of [`AUDIT_INSERT`].
fn audit_row<'q>(
    r: &mut impl Put<'q>,
    e: &'q AuditEntry,
    actor: &'q str,
    now: DateTime<Utc>,
    date: NaiveDate,
) {
    r.put(e.id);
    r.put(&e.county);
    r.put("household");
    r.put(&e.number);
    r.put(e.action);
    r.put(actor);
    r.put(now);
    r.put(date);
    r.put(e.before.as_deref().map(Json));
    r.put(e.after.as_deref().map(Json));
    r.put(&e.state);
    r.put(e.seq);
    r.put(&e.hash);
    r.end();
}

/// Adds to `computed` the roll-up rows of the households `plans` create, from the rows
/// [`write_rows`] writes for them (`date`: the members' `joined_on`; `next_event` numbers the
/// events in the order they are inserted, as their ids do). False, and nothing added, when a plan
/// changes a stored household: then the roll-ups are read back from the tables.
pub(super) fn rollup_rows(
    computed: &mut Computed,
    plans: &[Plan],
    date: NaiveDate,
    next_event: &mut i64,
) -> bool {
    if plans
        .iter()
        .any(|p| p.before.is_some() || !p.leaves.is_empty())
    {
        return false;
    }
    let joined = date.format("%Y-%m-%d").to_string();
    type Facts = (Vec<HouseholdFact>, Vec<EventFact>, Vec<MemberSpan>);
    let mut villages: BTreeMap<&str, Facts> = BTreeMap::new();
    for p in plans {
        let h = &p.after;
        let (households, events, members) = villages.entry(&h.area_code).or_default();
        let (county, number) = (h.county().to_string(), h.number.clone());
        households.push(HouseholdFact {
            county: county.clone(),
            number: number.clone(),
            status: h.status.code().to_string(),
            monitoring: opt_code(h.monitoring).map(String::from),
            main_cause: opt_code(h.main_cause).map(String::from),
            people: crate::scan::people(h),
        });
        for e in &p.events {
            *next_event += 1;
            events.push(EventFact {
                county: county.clone(),
                number: number.clone(),
                kind: e.kind.clone(),
                detail: e.detail.clone(),
                date: e.date.format("%Y-%m-%d").to_string(),
                id: *next_event,
            });
        }
        for _ in p.joins.iter().chain(&p.member_updates) {
            members.push(MemberSpan {
                county: county.clone(),
                number: number.clone(),
                joined: joined.clone(),
                left: None,
            });
        }
    }
    for (village, (households, events, members)) in &villages {
        computed.add(village, households, events, members);
    }
    true
}

/// Inserts or updates members with one multi-row statement per chunk.
async fn upsert_members(
    conn: &mut Conn<'_>,
    rows: &[(&HouseholdRecord, &MemberRecord, i64)],
    date: NaiveDate,
    copy: bool,
) -> Result<(), StoreError> {
    if let (true, Conn::Pg(pg)) = (copy, &mut *conn) {
        let mut copied = CopyRows::default();
        for (h, m, seq) in rows {
            member_row(&mut copied, h, m, *seq, date);
        }
        copied.send(pg, &copy_statement(MEMBER_INSERT)).await?;
        return Ok(());
    }
    for chunk in rows.chunks(MEMBER_CHUNK) {
        let sql = format!(
            "{MEMBER_INSERT}{}{MEMBER_UPSERT}",
            values(conn.backend(), chunk.len(), 15)
        );
        let mut q = conn.query(&sql);
        for (h, m, seq) in chunk {
            member_row(&mut q, h, m, *seq, date);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn member_row<'q>(
    r: &mut impl Put<'q>,
    h: &'q HouseholdRecord,
    m: &'q MemberRecord,
    seq: i64,
    date: NaiveDate,
) {
    r.put(h.county());
    r.put(&h.number);
    r.put(&m.id_number);
    r.put(seq);
    r.put(&m.name);
    r.put(m.relation.code());
    r.put(opt_code(m.labor));
    r.put(opt_code(m.health));
    r.put(m.disability_grade);
    r.put(m.school_status.code());
    r.put(m.medical_insurance);
    r.put(m.pension_insurance);
    r.put(opt_code(m.work_place));
    r.put(m.work_months);
    r.put(date);
    r.end();
}

/// Writes the income year of each household (replacing a stored row of the same year).
async fn upsert_income(
    conn: &mut Conn<'_>,
    households: &[&HouseholdRecord],
    copy: bool,
) -> Result<(), StoreError> {
    let with_income: Vec<_> = households
        .iter()
        .filter(|h| h.income_year.is_some())
        .collect();
    if let (true, Conn::Pg(pg)) = (copy, &mut *conn) {
        let mut rows = CopyRows::default();
        for h in &with_income {
            income_row(&mut rows, h);
        }
        rows.send(pg, &copy_statement(INCOME_INSERT)).await?;
        return Ok(());
    }
    for chunk in with_income.chunks(CHUNK) {
        let sql = format!(
            "{INCOME_INSERT}{}{INCOME_UPSERT}",
            values(conn.backend(), chunk.len(), 12)
        );
        let mut q = conn.query(&sql);
        for h in chunk {
            income_row(&mut q, h);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn income_row<'q>(r: &mut impl Put<'q>, h: &'q HouseholdRecord) {
    r.put(h.county());
    r.put(&h.number);
    r.put(i64::from(h.income_year.unwrap_or_default()));
    for fen in h.money_fen() {
        r.put(fen);
    }
    r.end();
}

/// The audit entry of a change: the fields that changed, before and after. Members are keyed by ID
/// number, with only those added, removed (null on the other side) or changed.
fn audit_diff(before: &HouseholdRecord, after: &HouseholdRecord) -> (Value, Value) {
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
            let (om, nm) = members_diff(bv, av);
            old.insert(k.clone(), Value::Object(om));
            new.insert(k.clone(), Value::Object(nm));
        } else {
            old.insert(k.clone(), bv.clone());
            new.insert(k.clone(), av.clone());
        }
    }
    (Value::Object(old), Value::Object(new))
}

/// The members that differ between two member lists, keyed by ID number (null where absent).
fn members_diff(before: &Value, after: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let by_id = |v: &Value| -> Map<String, Value> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let id = m["id_number"].as_str().unwrap_or_default();
                (id.to_string(), m.clone())
            })
            .collect()
    };
    let (bm, am) = (by_id(before), by_id(after));
    let (mut old, mut new) = (Map::new(), Map::new());
    for id in bm.keys().chain(am.keys()) {
        let x = bm.get(id).unwrap_or(&Value::Null);
        let y = am.get(id).unwrap_or(&Value::Null);
        if x != y {
            old.insert(id.clone(), x.clone());
            new.insert(id.clone(), y.clone());
        }
    }
    (old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_diff_keeps_changed_fields_and_members_only() {
        let before = serde_json::json!({"status": "poor", "phone": "1", "members": [
            {"id_number": "A", "name": "甲"}, {"id_number": "B", "name": "乙"}]});
        let after = serde_json::json!({"status": "exited", "phone": "1", "members": [
            {"id_number": "A", "name": "甲"}, {"id_number": "C", "name": "丙"}]});
        let (om, nm) = members_diff(&before["members"], &after["members"]);
        assert_eq!(
            (Value::Object(om), Value::Object(nm)),
            (
                serde_json::json!({"B": {"id_number": "B", "name": "乙"}, "C": null}),
                serde_json::json!({"B": null, "C": {"id_number": "C", "name": "丙"}})
            )
        );
    }

    #[test]
    fn sorted_record_is_written_as_its_value() {
        use fupin_core::codes::*;
        use rust_decimal::Decimal;
        let member = |id: &str, full: bool| MemberRecord {
            id_number: id.into(),
            name: "张三\"引号".into(),
            relation: if full {
                Relation::Head
            } else {
                Relation::Spouse
            },
            labor: full.then_some(Labor::Skilled),
            health: full.then_some(Health::Chronic),
            disability_grade: full.then_some(2),
            school_status: SchoolStatus::NotInSchool,
            medical_insurance: full,
            pension_insurance: !full,
            work_place: full.then_some(WorkPlace::County),
            work_months: full.then_some(7),
        };
        let full = HouseholdRecord {
            number: "H0000001".into(),
            area_code: "140525101201".into(),
            village_group: Some("2组".into()),
            attribute: Some(Attribute::Dibao),
            main_cause: Some(Cause::Illness),
            secondary_causes: vec![Cause::Disability, Cause::Illness],
            status: HouseholdStatus::Exited,
            monitoring: Some(MonitoringCategory::NoRisk),
            housing_grade: HousingGrade::B,
            food: true,
            clothing: false,
            water: true,
            income_year: Some(2019),
            income: fupin_core::model::Income {
                wage: Decimal::new(1500001, 2),
                business: Decimal::new(120050, 2),
                property: Decimal::new(3, 1),
                transfer: Decimal::new(60000, 2),
                business_cost: Decimal::new(30000, 2),
            },
            rigid_expense: fupin_core::model::RigidExpense {
                medical: Decimal::new(100, 2),
                education: Decimal::new(200, 2),
                disaster: Decimal::new(300, 2),
                other: Decimal::new(400, 2),
            },
            phone: Some("13900000001".into()),
            bank_account: Some("6217000000000000".into()),
            version: 3,
            members: vec![
                member("14052519600101001X", true),
                member("140525196201010014", false),
            ],
        };
        let bare = HouseholdRecord {
            village_group: None,
            attribute: None,
            main_cause: None,
            secondary_causes: vec![],
            monitoring: None,
            income_year: None,
            phone: None,
            bank_account: None,
            members: vec![],
            ..full.clone()
        };
        for h in [&full, &bare] {
            let value = serde_json::to_value(h).unwrap();
            assert_eq!(
                raw(&Sorted(h)).unwrap().get(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }
}
