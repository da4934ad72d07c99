//! The registry's operations, scoped by [`AppState::household_for`] / [`AppState::area_for`] and
//! authorised by [`crate::authz`]: the JSON API and the pages both call these.

use super::{
    Assessment, FailedCheck, Household, Indicator, Join, ListQuery, Transition, Village,
    VillageExit,
};
use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::Session;
use crate::state::Dashboard;
use crate::AppState;
use axum::http::StatusCode;
use chrono::NaiveDate;
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_store::directory::ListFilter;
use fupin_store::{HouseholdRecord, Incoming, MemberRecord};
use serde_json::{json, Value};
use std::sync::Arc;

/// Today in China (UTC+8, no daylight saving), whatever the server's own time zone: the date a
/// county office means, also on a server kept in UTC.
pub fn today() -> NaiveDate {
    china_date(chrono::Utc::now())
}

/// The date in China (UTC+8) at an instant.
pub fn china_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

/// A date given as YYYY-MM-DD, default today.
pub fn date_of(given: Option<&str>) -> Result<NaiveDate, ApiError> {
    match given.filter(|d| !d.is_empty()) {
        None => Ok(today()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(
                "date",
                format!("日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {d}"),
            )
        }),
    }
}

/// The version a write carries (required).
pub fn version_of(given: Option<i64>) -> Result<i64, ApiError> {
    given.ok_or_else(|| {
        ApiError::bad_request("version", "缺少 version(版本号)/ version is required")
    })
}

/// The filter of a list query within the session's scope.
pub fn list_filter(st: &AppState, s: &Session, q: &ListQuery) -> Result<ListFilter, ApiError> {
    let area = st.area_for(s, q.area.as_deref())?;
    let text = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
    let mut unknown_code = false;
    Ok(ListFilter {
        area,
        status: filter_code(&q.status, &mut unknown_code),
        cause: filter_code(&q.cause, &mut unknown_code),
        attribute: filter_code(&q.attribute, &mut unknown_code),
        monitoring: filter_code(&q.monitoring, &mut unknown_code),
        q: text(&q.q),
        cadre: authz::by_pairing(&s.scope).then(|| s.user.clone()),
        unknown_code,
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(50),
    })
}

/// The code a list filter asks for (`None` when blank). A value that is no code of the list
/// sets `unknown` (the list is then empty).
fn filter_code<T: fupin_core::CodeList>(v: &Option<String>, unknown: &mut bool) -> Option<T> {
    let v = v.as_deref().filter(|x| !x.trim().is_empty())?;
    let found = T::all().iter().copied().find(|c| c.code() == v);
    *unknown |= found.is_none();
    found
}

/// A stored household in the API's shape (the one a PUT takes back).
pub fn household_doc(h: &HouseholdRecord) -> Household {
    let v = serde_json::to_value(h).expect("json");
    serde_json::from_value(v).expect("a stored household reads as the API's household")
}

/// Builds the stored record from an API household (the `fupin assess` format plus `number`,
/// `village_group`, `phone`, `bank_account`), validated by fupin-core; what the body does not carry
/// is kept from `base`.
pub fn record_from(
    body: &Household,
    base: Option<&HouseholdRecord>,
) -> Result<HouseholdRecord, ApiError> {
    let mut v = serde_json::to_value(body).expect("json");
    if v.get("id").is_none() {
        if let Some(n) = &body.number {
            v["id"] = json!(n);
        } else if let Some(b) = base {
            v["id"] = json!(b.number);
        }
    }
    if let (Some(b), None) = (base, &body.status) {
        v["status"] = json!(b.status.code());
    }
    // fupin-core's input format names a member's insurance `medical_insured`.
    if let Some(members) = v.get_mut("members").and_then(Value::as_array_mut) {
        for m in members.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(x) = m.remove("medical_insurance") {
                m.insert("medical_insured".into(), x);
            }
        }
    }
    let parsed = fupin_core::input::parse_household(&v, 0, today());
    let income_year = income_year_of(body, base);
    let (h, income_year) = match (parsed, income_year) {
        (Ok(h), Ok(y)) => (h, y),
        (parsed, year) => {
            let mut fields: Vec<Value> = parsed
                .err()
                .unwrap_or_default()
                .iter()
                .map(|x| serde_json::to_value(x).expect("json"))
                .collect();
            fields.extend(year.err());
            return Err(ApiError::invalid(
                "数据有误 / the household has invalid fields",
                fields,
            ));
        }
    };
    let text = |given: &Option<String>| given.clone().filter(|s| !s.is_empty());
    let members = h
        .members
        .iter()
        .map(|m| {
            let old = base.and_then(|b| {
                b.members
                    .iter()
                    .find(|o| o.id_number == m.id_number.as_str())
            });
            MemberRecord {
                id_number: m.id_number.as_str().to_string(),
                name: m.name.clone(),
                relation: m.relation,
                labor: m.labor,
                health: m.health,
                disability_grade: old.and_then(|o| o.disability_grade),
                school_status: m.school_status,
                medical_insurance: m.medical_insured,
                pension_insurance: old.is_some_and(|o| o.pension_insurance),
                work_place: old.and_then(|o| o.work_place),
                work_months: old.and_then(|o| o.work_months),
            }
        })
        .collect();
    Ok(HouseholdRecord {
        number: h.id.clone(),
        area_code: h.area.as_str().to_string(),
        village_group: text(&body.village_group)
            .or_else(|| base.and_then(|b| b.village_group.clone())),
        attribute: h.attribute,
        main_cause: h.main_cause,
        secondary_causes: base.map(|b| b.secondary_causes.clone()).unwrap_or_default(),
        status: h.status,
        monitoring: base.and_then(|b| b.monitoring),
        housing_grade: h.housing_grade,
        food: h.food,
        clothing: h.clothing,
        water: h.water,
        income_year: Some(income_year),
        income: h.income,
        rigid_expense: h.rigid_expense,
        phone: text(&body.phone).or_else(|| base.and_then(|b| b.phone.clone())),
        bank_account: text(&body.bank_account)
            .or_else(|| base.and_then(|b| b.bank_account.clone())),
        version: base.map_or(0, |b| b.version),
        members,
    })
}

/// The year a body's income is of: the one it gives (`income_year`), else the year stored, else the
/// year before the change (the `fupin assess` format's default); an edit never re-stamps it. A year
/// after the change's year, or before 1949, is a field error.
fn income_year_of(body: &Household, base: Option<&HouseholdRecord>) -> Result<i32, Value> {
    use chrono::Datelike;
    let date = date_of(body.date.as_deref()).unwrap_or_else(|_| today());
    match body.income_year {
        Some(y) if !(1949..=date.year()).contains(&y) => Err(json!({
            "field": "income_year",
            "code": "income_year",
            "message": format!(
                "收入年度应在 1949 至 {} 之间 / the income year must be from 1949 to {}: {y}",
                date.year(),
                date.year()
            ),
        })),
        Some(y) => Ok(y),
        None => Ok(base.and_then(|b| b.income_year).unwrap_or(date.year() - 1)),
    }
}

/// Registers a new household.
pub async fn create(
    st: &AppState,
    s: &Session,
    body: &Household,
) -> Result<HouseholdRecord, ApiError> {
    let record = record_from(body, None)?;
    authz::check(
        &s.scope,
        Action::CreateHousehold {
            area: &record.area_code,
        },
    )?;
    // Taken anywhere (inside the area or not): one answer, which says nothing of where.
    if st.repo.household(&record.number).await?.is_some() {
        return Err(number_taken());
    }
    let date = date_of(body.date.as_deref())?;
    let saved = st
        .repo
        .save(Incoming::new(record), 0, date, &s.user, &st.policies)
        .await;
    saved.map_err(|e| refusal(s, e))
}

/// The answer to a new household whose number is taken, inside the session's area or outside it
/// (the same answer: it reveals nothing about a household outside the area).
pub fn number_taken() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "number_taken",
        "户编号不可用,请换一个编号 / this household number cannot be used; choose another",
    )
}

/// A store error as the session may see it. A `duplicate_person` naming a household the session
/// may not read (another county, another village, a cadre's unpaired household) is answered without
/// the household's number: outside the area looks like anywhere else.
pub(crate) fn refusal(s: &Session, e: fupin_store::StoreError) -> ApiError {
    let fupin_store::StoreError::Rejected(row) = &e else {
        return e.into();
    };
    if row.code != "duplicate_person" {
        return e.into();
    }
    let owner = row
        .zh
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() >= 15);
    // The owner's area is the first 12 digits of its number (village code + 3 digits); a cadre
    // reaches only paired households, so for a cadre no other household is named.
    let visible = owner.is_some_and(|n| {
        !authz::by_pairing(&s.scope)
            && authz::may(
                &s.scope,
                Action::ReadHousehold {
                    area: &n[..12],
                    paired: false,
                },
            )
    });
    if visible {
        return e.into();
    }
    let generic = fupin_store::RowError {
        zh: "证件号码已登记,请联系县级管理员核实".into(),
        en: "this ID number is already registered; ask the county office to check".into(),
        ..(**row).clone()
    };
    fupin_store::StoreError::Rejected(Box::new(generic)).into()
}

/// The first free household number of a village: its code and three digits, counting on from the
/// number of households it holds.
pub async fn next_number(st: &AppState, village: &str) -> Result<String, ApiError> {
    let f = ListFilter {
        area: village.to_string(),
        page: 1,
        per_page: 1,
        ..ListFilter::default()
    };
    let held = st.dir.list_households(&f).await?.total;
    for n in held + 1..=999 {
        let number = format!("{village}{n:03}");
        if st.repo.household(&number).await?.is_none() {
            return Ok(number);
        }
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "no_free_number",
        format!("村 {village} 已无可用户编号 / village {village} has no free household number"),
    ))
}

/// 建档立卡: the registration step of an identification application registers its household — status
/// `poor`, in the application's village, the applicant as head (first member; added uninsured when
/// the members given leave them out), the main cause from the application's reason unless given,
/// the members and facts of the household survey (`body`, the API's household; required), the
/// next free number unless given. The household's `identified` event and audit entry are the
/// store's, as for every new household. Called before the step is recorded, so a refused household
/// leaves the application at its announcement.
pub async fn register_application(
    st: &AppState,
    s: &Session,
    app: &fupin_store::directory::Application,
    body: Option<&Household>,
) -> Result<HouseholdRecord, ApiError> {
    let Some(body) = body else {
        return Err(ApiError::invalid(
            "建档立卡须填写入户调查的家庭信息 / registration needs the household of the survey",
            vec![json!({"field": "household", "code": "missing_field",
                "message": "请填写家庭成员、收入与两不愁三保障情况 / give the members, income and guarantees"})],
        ));
    };
    let mut h = body.clone();
    h.area_code = Some(app.area_code.clone());
    h.status = Some(HouseholdStatus::Poor.code().to_string());
    if h.main_cause.is_none() {
        h.main_cause =
            fupin_core::codes::Cause::parse(app.reason.trim()).map(|c| c.code().to_string());
    }
    let number = match h
        .number
        .clone()
        .or_else(|| h.id.clone())
        .filter(|n| !n.is_empty())
    {
        Some(n) => n,
        None => next_number(st, &app.area_code).await?,
    };
    h.number = Some(number);
    h.id = None;
    let mut members = h.members.take().unwrap_or_default();
    let applicant = members.iter().position(|m| {
        m.id_number.as_deref().map(str::trim) == Some(app.applicant_id_number.as_str())
    });
    let mut head = match applicant {
        Some(i) => members.remove(i),
        None => super::Member {
            id_number: Some(app.applicant_id_number.clone()),
            name: Some(app.applicant_name.clone()),
            medical_insurance: Some(false),
            ..super::Member::default()
        },
    };
    head.relation = Some(fupin_core::codes::Relation::Head.code().to_string());
    members.insert(0, head);
    h.members = Some(members);
    create(st, s, &h).await
}

/// Changes a household (not its number or status) at the version the body carries.
pub async fn update(
    st: &AppState,
    s: &Session,
    number: &str,
    body: &Household,
) -> Result<HouseholdRecord, ApiError> {
    let current = st.household_for(s, number, true).await?;
    let version = version_of(body.version)?;
    save_edit(
        st,
        s,
        number,
        &current,
        version,
        body,
        &MemberChanges::default(),
    )
    .await
}

/// The reasons of the member changes of an edit (the page's form gives them; a PUT's members that
/// are gone leave with `other`, new ones join with the core's default).
#[derive(Debug, Clone, Default)]
pub struct MemberChanges {
    pub joins: std::collections::HashMap<String, fupin_store::model::JoinReason>,
    pub leaves: Vec<(String, fupin_store::model::LeaveReason)>,
}

/// A 422 naming the field of a member change the core's validator refused.
pub fn member_field_error(field: &str, e: fupin_core::validate::Invalid) -> ApiError {
    ApiError::invalid(
        "数据有误 / the member change has invalid fields",
        vec![json!({"field": field, "code": e.code, "message": format!("{} / {}", e.zh, e.en)})],
    )
}

/// Saves an edit of `current` (API PUT and the page's form): same number and status, a new area
/// only where the session may write.
pub async fn save_edit(
    st: &AppState,
    s: &Session,
    number: &str,
    current: &HouseholdRecord,
    version: i64,
    body: &Household,
    changes: &MemberChanges,
) -> Result<HouseholdRecord, ApiError> {
    let mut record = record_from(body, Some(current))?;
    if record.number != number {
        return Err(ApiError::bad_request(
            "number",
            "户编号不能修改 / the household number cannot change",
        ));
    }
    if record.status != current.status {
        return Err(ApiError::bad_request(
            "status",
            "状态请用 exit/return/remove 变更 / change the status with exit, return or remove",
        ));
    }
    authz::check(
        &s.scope,
        Action::MoveHousehold {
            from: &current.area_code,
            to: &record.area_code,
        },
    )?;
    record.version = current.version;
    let date = date_of(body.date.as_deref())?;
    let mut incoming = Incoming::new(record);
    incoming.joins = changes.joins.clone();
    incoming.leaves = changes.leaves.clone();
    let saved = st
        .repo
        .save(incoming, version, date, &s.user, &st.policies)
        .await;
    saved.map_err(|e| refusal(s, e))
}

/// Runs a lifecycle action (exit, return, remove) for a session.
pub async fn lifecycle(
    st: &AppState,
    s: &Session,
    number: &str,
    to: HouseholdStatus,
    body: &Transition,
) -> Result<HouseholdRecord, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let paired = st.paired(s, number).await?;
    let area = h.area_code.as_str();
    authz::check(&s.scope, Action::Lifecycle { area, paired })?;
    let version = version_of(body.version)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let date = date_of(body.date.as_deref())?;
    Ok(st
        .repo
        .transition(number, version, to, date, reason, &s.user, &st.policies)
        .await?)
}

/// Adds a member to a household.
pub async fn add_member(
    st: &AppState,
    s: &Session,
    number: &str,
    body: &Join,
) -> Result<HouseholdRecord, ApiError> {
    let current = st.household_for(s, number, true).await?;
    let version = version_of(body.version)?;
    let member = body
        .member
        .clone()
        .ok_or_else(|| ApiError::bad_request("member", "缺少 member / member is required"))?;
    let reason = fupin_core::validate::join_reason(body.reason.as_deref().unwrap_or(""))
        .map_err(|e| member_field_error("reason", e))?;
    let date = match body.date.as_deref() {
        Some(d) => fupin_core::validate::change_date(d, today())
            .map_err(|e| member_field_error("date", e))?,
        None => today(),
    };
    let mut doc = household_doc(&current);
    doc.members.get_or_insert_with(Vec::new).push(member);
    let record = record_from(&doc, Some(&current))?;
    let mut incoming = Incoming::new(record);
    let id = incoming
        .record
        .members
        .last()
        .expect("pushed")
        .id_number
        .clone();
    incoming.joins.insert(id, reason);
    let saved = st
        .repo
        .save(incoming, version, date, &s.user, &st.policies)
        .await;
    saved.map_err(|e| refusal(s, e))
}

/// Records a member leaving a household.
pub async fn remove_member(
    st: &AppState,
    s: &Session,
    number: &str,
    id_number: &str,
    q: &super::Leave,
) -> Result<HouseholdRecord, ApiError> {
    let mut current = st.household_for(s, number, true).await?;
    let reason = fupin_core::validate::leave_reason(&q.reason)
        .map_err(|e| member_field_error("reason", e))?;
    let given = q.date.map(|d| d.to_string()).unwrap_or_default();
    let date = fupin_core::validate::change_date(&given, today())
        .map_err(|e| member_field_error("date", e))?;
    let before = current.members.len();
    current.members.retain(|m| m.id_number != id_number);
    if current.members.len() == before {
        return Err(ApiError::not_found());
    }
    let mut incoming = Incoming::new(current);
    incoming.leaves.push((id_number.to_string(), reason));
    Ok(st
        .repo
        .save(incoming, q.version, date, &s.user, &st.policies)
        .await?)
}

/// The assessment of a stored household under its area's policy at a date.
pub fn assess_record(
    st: &AppState,
    h: &HouseholdRecord,
    date: NaiveDate,
) -> Result<fupin_core::assess::HouseholdResult, ApiError> {
    let core = h.to_core().ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "invalid_record",
            "stored household is invalid",
        )
    })?;
    fupin_core::assess::assess_household(&core, &st.policies, date)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, &e.code, e.message))
}

/// The assessment of a household the session may read, with its failed checks explained.
pub async fn assessment(
    st: &AppState,
    s: &Session,
    number: &str,
    as_of: Option<NaiveDate>,
) -> Result<Assessment, ApiError> {
    let h = st.household_for(s, number, false).await?;
    let date = as_of.unwrap_or_else(today);
    let r = assess_record(st, &h, date)?;
    let failed_checks = r
        .exit
        .failed
        .iter()
        .map(|c| {
            let check = fupin_core::codes::Check::parse(c).expect("known");
            FailedCheck {
                code: c.to_string(),
                zh: check.zh().to_string(),
                en: check.en().to_string(),
            }
        })
        .collect();
    let mut assessment = serde_json::to_value(r).expect("json");
    // The monitoring category as stored and listed: the income of its year against that year's line.
    let judged = fupin_core::registry::monitoring::judge(&h, &st.policies, date).shown();
    assessment["monitoring"] = serde_json::to_value(judged).expect("json");
    Ok(Assessment {
        as_of: date,
        assessment,
        failed_checks,
    })
}

/// The areas below a parent the session may read (default: its own area).
pub async fn areas(st: &AppState, s: &Session, parent: Option<&str>) -> Result<Value, ApiError> {
    let area = st.area_for(s, parent)?;
    let areas = st.dir.children(&area).await?;
    Ok(json!({"parent": area, "areas": areas}))
}

/// A page of the household list within the session's scope.
pub async fn list(
    st: &AppState,
    s: &Session,
    q: &ListQuery,
) -> Result<fupin_store::directory::Page<fupin_store::directory::HouseholdRow>, ApiError> {
    let f = list_filter(st, s, q)?;
    Ok(st.dir.list_households(&f).await?)
}

/// A household's status, members and events as of a date.
pub async fn history(
    st: &AppState,
    s: &Session,
    number: &str,
    as_of: Option<NaiveDate>,
) -> Result<fupin_store::History, ApiError> {
    st.household_for(s, number, false).await?;
    Ok(st.repo.history(number, as_of).await?)
}

/// A household's audit trail.
pub async fn audit(st: &AppState, s: &Session, number: &str) -> Result<Value, ApiError> {
    st.household_for(s, number, false).await?;
    let entries = st.repo.audit(number).await?;
    Ok(json!({"household": number, "entries": entries}))
}

/// The change report of a period in an area the session may read.
pub async fn change_report(
    st: &AppState,
    s: &Session,
    q: &super::Period,
) -> Result<fupin_store::ChangeReport, ApiError> {
    let area = st.area_for(s, q.area.as_deref())?;
    Ok(fupin_store::period_report(st.repo.as_ref(), q.from, q.to, &area).await?)
}

/// The dashboard's year: the one asked for, else the latest year with events in the area, else this year.
pub async fn dashboard_year(
    st: &AppState,
    area: &str,
    asked: Option<i32>,
) -> Result<i32, ApiError> {
    if let Some(y) = asked.filter(|y| (1949..=2200).contains(y)) {
        return Ok(y);
    }
    let last = st.dir.last_event_year(area).await?;
    Ok(last.unwrap_or_else(|| chrono::Datelike::year(&today())))
}

/// The dashboard of an area the session asks for, reused for [`crate::state::DASHBOARD_TTL`]
/// unless something was written since.
pub async fn dashboard(
    st: &AppState,
    s: &Session,
    area: Option<&str>,
    year: Option<i32>,
) -> Result<(String, Arc<Dashboard>), ApiError> {
    let area = st.area_for(s, area)?;
    let key = (area.clone(), year);
    let (hit, generation) = st.cached_dashboard(&key);
    if let Some(d) = hit {
        return Ok((area, d));
    }
    let figures = st.dir.figures(&area).await?;
    let year = dashboard_year(st, &area, year).await?;
    let changes = st.repo.year_report(year, &area).await?;
    let d = Arc::new(Dashboard {
        figures,
        year,
        changes,
    });
    st.cache_dashboard(key, generation, d.clone());
    Ok((area, d))
}

/// One year of the dashboard's trend: households and people by status at the year's end.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendYear {
    pub year: i32,
    pub stock: fupin_core::registry::EndStock,
}

/// How many years the dashboard's trend goes back at most.
pub const TREND_YEARS: i32 = 10;

/// Households and people by status at the end of each year up to `last`, from the registry's
/// events (the yearly change reports, from the roll-ups where the area has them), beginning with
/// the first year that has any household (at most [`TREND_YEARS`] years).
pub async fn trend(st: &AppState, area: &str, last: i32) -> Result<Vec<TrendYear>, ApiError> {
    let mut out = Vec::new();
    for year in last - TREND_YEARS + 1..=last {
        let end = st.repo.year_report(year, area).await?.end;
        let any = [&end.poor, &end.exited, &end.returned, &end.removed]
            .iter()
            .any(|s| s.households > 0);
        if any || !out.is_empty() {
            out.push(TrendYear { year, stock: end });
        }
    }
    Ok(out)
}

/// The village page's figures: incidence and the village exit check under its policy.
pub async fn village_figures(st: &AppState, s: &Session, code: &str) -> Result<Village, ApiError> {
    let area = st.area_for(s, Some(code))?;
    if area.len() != 12 {
        return Err(ApiError::not_found());
    }
    let info = st.dir.area(&area).await?;
    let figures = st.dir.figures(&area).await?;
    let poor: i64 = figures
        .status
        .iter()
        .filter(|(k, _)| k == "poor" || k == "returned")
        .map(|(_, c)| c.people)
        .sum();
    let rural = info.as_ref().and_then(|a| a.rural_population).unwrap_or(0);
    let policy = st.policies.for_area(&area);
    let region = info.as_ref().and_then(|a| a.region);
    let recorded = st.dir.indicators(&area).await?;
    let rule = fupin_core::assess::VillageExit::under(&policy, region, &recorded)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()))?;
    let incidence = fupin_core::rules::incidence_pct(poor as u64, rural as u64).ok();
    let failed: Vec<String> = rule
        .failed(poor as u64, rural as u64)
        .iter()
        .map(|c| c.code().to_string())
        .collect();
    let indicators = &rule.indicators;
    Ok(Village {
        area_code: area,
        name: info.as_ref().map(|a| a.name.clone()),
        poor_population: poor,
        rural_population: rural,
        incidence_pct: incidence.map(fupin_core::money::fmt2),
        max_incidence_pct: fupin_core::money::fmt_plain(rule.max_incidence_pct),
        indicators: indicators
            .iter()
            .map(|(i, ok)| Indicator {
                code: i.code().to_string(),
                zh: i.zh().to_string(),
                en: i.en().to_string(),
                ok: *ok,
            })
            .collect(),
        exit: VillageExit {
            meets_standard: failed.is_empty() && incidence.is_some(),
            failed,
        },
        status: figures
            .status
            .iter()
            .map(|x| serde_json::to_value(x).expect("json"))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::china_date;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_date_is_chinas() {
        // 17:00 UTC on 31 December is already 1 January in China.
        let at = Utc.with_ymd_and_hms(2025, 12, 31, 17, 0, 0).unwrap();
        assert_eq!(china_date(at).to_string(), "2026-01-01");
        let at = Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap();
        assert_eq!(china_date(at).to_string(), "2025-12-31");
    }
}
