//! The JSON API under `/api/v1`. The same rules as the CLI: validation by fupin-core, scope by
//! [`AppState::household_for`] / [`AppState::area_for`], writes through the store with version checks.

use crate::{check_csrf, ApiError, AppState, Routes, Session};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Json;
use chrono::NaiveDate;
use fupin_core::access::Role;
use fupin_core::codes::{CodeList, HouseholdStatus};
use fupin_core::identification::{self, Exclusion, State as AppStep, Step};
use fupin_store::directory::{Application, ListFilter, StepRecord, User};
use fupin_store::{HouseholdRecord, Incoming, MemberRecord};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api(
        "/api/v1/session",
        &["get", "post", "delete"],
        get(session_get).post(session_post).delete(session_delete),
    )
    .api("/api/v1/session/password", &["put"], put(password_put))
    .api("/api/v1/areas", &["get"], get(areas))
    .api(
        "/api/v1/households",
        &["get", "post"],
        get(list).post(create),
    )
    .api(
        "/api/v1/households/{number}",
        &["get", "put"],
        get(read).put(update),
    )
    .api(
        "/api/v1/households/{number}/assessment",
        &["get"],
        get(assessment),
    )
    .api(
        "/api/v1/households/{number}/history",
        &["get"],
        get(history),
    )
    .api("/api/v1/households/{number}/audit", &["get"], get(audit))
    .api(
        "/api/v1/households/{number}/exit",
        &["post"],
        lifecycle_route(HouseholdStatus::Exited),
    )
    .api(
        "/api/v1/households/{number}/return",
        &["post"],
        lifecycle_route(HouseholdStatus::Returned),
    )
    .api(
        "/api/v1/households/{number}/remove",
        &["post"],
        lifecycle_route(HouseholdStatus::Removed),
    )
    .api(
        "/api/v1/households/{number}/members",
        &["post"],
        post(add_member),
    )
    .api(
        "/api/v1/households/{number}/members/{id_number}",
        &["delete"],
        delete(remove_member),
    )
    .api("/api/v1/reports/changes", &["get"], get(changes))
    .api("/api/v1/dashboard", &["get"], get(dashboard))
    .api("/api/v1/villages/{code}", &["get"], get(village))
    .api(
        "/api/v1/applications",
        &["get", "post"],
        get(applications).post(create_application),
    )
    .api("/api/v1/applications/{id}", &["get"], get(application))
    .api(
        "/api/v1/applications/{id}/steps",
        &["post"],
        post(record_step),
    )
    .api("/api/v1/users", &["get", "post"], get(users).post(add_user))
}

/// The session of a read, or 401.
pub fn authed(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    state.session(headers).ok_or_else(ApiError::unauthorized)
}

/// The session of a write, which must carry the session's CSRF token in `X-CSRF-Token`.
pub fn authed_write(state: &AppState, headers: &HeaderMap) -> Result<Session, ApiError> {
    let s = authed(state, headers)?;
    check_csrf(state, &s, headers, None)?;
    Ok(s)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn session_json(s: &Session) -> Value {
    json!({"user": s.user, "role": s.scope.role.code(), "area": s.scope.area, "csrf_token": s.csrf})
}

#[derive(Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

async fn session_post(State(st): St, Json(body): Json<Login>) -> Result<Response, ApiError> {
    let s = st.login(&body.username, &body.password).await?;
    Ok((
        [(header::SET_COOKIE, st.session_cookie(&s.token))],
        Json(session_json(&s)),
    )
        .into_response())
}

async fn session_get(State(st): St, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    Ok(Json(session_json(&authed(&st, &headers)?)))
}

async fn session_delete(State(st): St, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = authed_write(&st, &headers)?;
    st.logout(&s.token);
    Ok((
        [(
            header::SET_COOKIE,
            format!(
                "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                crate::SESSION_COOKIE
            ),
        )],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

#[derive(Deserialize)]
struct PasswordChange {
    old_password: String,
    new_password: String,
}

async fn password_put(
    State(st): St,
    headers: HeaderMap,
    Json(b): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let s = authed_write(&st, &headers)?;
    change_password(&st, &s, &b.old_password, &b.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the session user's password after checking the old one.
pub async fn change_password(
    st: &AppState,
    s: &Session,
    old: &str,
    new: &str,
) -> Result<(), ApiError> {
    let user = st
        .dir
        .user(&s.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if !crate::auth::verify_password(old, &user.password_hash) {
        return Err(ApiError::bad_request(
            "bad_password",
            "原密码错误 / the current password is wrong",
        ));
    }
    crate::auth::check_new_password(new).map_err(|m| ApiError::bad_request("weak_password", m))?;
    st.dir
        .set_password(&s.user, &crate::auth::hash_password(new), &s.user)
        .await?;
    Ok(())
}

#[derive(Deserialize)]
struct AreaQuery {
    parent: Option<String>,
}

async fn areas(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<AreaQuery>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let area = st.area_for(&s, q.parent.as_deref())?;
    Ok(Json(
        json!({"parent": area, "areas": st.dir.children(&area).await?}),
    ))
}

/// Query parameters of the household list (API and page).
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub area: Option<String>,
    pub status: Option<String>,
    pub cause: Option<String>,
    pub attribute: Option<String>,
    pub monitoring: Option<String>,
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
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
        cadre: (s.scope.role == Role::Cadre).then(|| s.user.clone()),
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

async fn list(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let f = list_filter(&st, &s, &q)?;
    Ok(Json(
        serde_json::to_value(st.dir.list_households(&f).await?).expect("json"),
    ))
}

async fn read(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Result<Json<HouseholdRecord>, ApiError> {
    let s = authed(&st, &headers)?;
    Ok(Json(st.household_for(&s, &number, false).await?))
}

/// Builds the stored record from a JSON household (the `fupin assess` format plus `number`,
/// `village_group`, `phone`, `bank_account`), keeping what the JSON does not carry from `base`.
pub fn record_from_json(
    body: &Value,
    base: Option<&HouseholdRecord>,
) -> Result<HouseholdRecord, ApiError> {
    let mut v = body.clone();
    if v.get("id").is_none() {
        if let Some(n) = v.get("number").cloned() {
            v["id"] = n;
        } else if let Some(b) = base {
            v["id"] = json!(b.number);
        }
    }
    if let Some(b) = base {
        if v.get("status").is_none() {
            v["status"] = json!(b.status.code());
        }
    }
    let h = fupin_core::input::parse_household(&v, 0, today()).map_err(|errors| {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "数据有误 / the household has invalid fields",
        );
        e.fields = errors
            .iter()
            .map(|x| serde_json::to_value(x).expect("json"))
            .collect();
        e
    })?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
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
        village_group: text("village_group").or_else(|| base.and_then(|b| b.village_group.clone())),
        attribute: h.attribute,
        main_cause: h.main_cause,
        secondary_causes: base.map(|b| b.secondary_causes.clone()).unwrap_or_default(),
        status: h.status,
        monitoring: base.and_then(|b| b.monitoring),
        housing_grade: h.housing_grade,
        food: h.food,
        clothing: h.clothing,
        water: h.water,
        income_year: Some(chrono::Datelike::year(&today())),
        income: h.income,
        rigid_expense: h.rigid_expense,
        phone: text("phone").or_else(|| base.and_then(|b| b.phone.clone())),
        bank_account: text("bank_account").or_else(|| base.and_then(|b| b.bank_account.clone())),
        version: base.map_or(0, |b| b.version),
        members,
    })
}

fn date_of(body: &Value) -> Result<NaiveDate, ApiError> {
    match body.get("date").and_then(Value::as_str) {
        None => Ok(today()),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(
                "date",
                format!("日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {d}"),
            )
        }),
    }
}

fn version_of(body: &Value) -> Result<i64, ApiError> {
    body.get("version").and_then(Value::as_i64).ok_or_else(|| {
        ApiError::bad_request("version", "缺少 version(版本号)/ version is required")
    })
}

async fn create(
    State(st): St,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<(StatusCode, Json<HouseholdRecord>), ApiError> {
    let s = authed_write(&st, &headers)?;
    let record = record_from_json(&body, None)?;
    if !s.scope.can_write_household(&record.area_code, false) || s.scope.role == Role::Cadre {
        return Err(ApiError::forbidden());
    }
    if st.repo.household(&record.number).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "exists",
            format!(
                "户 {} 已存在 / household {} exists",
                record.number, record.number
            ),
        ));
    }
    let saved = st
        .repo
        .save(
            Incoming::new(record),
            0,
            date_of(&body)?,
            &s.user,
            &st.policies,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn update(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Json(body): Json<Value>,
) -> Result<Json<HouseholdRecord>, ApiError> {
    let s = authed_write(&st, &headers)?;
    let current = st.household_for(&s, &number, true).await?;
    let version = version_of(&body)?;
    let mut record = record_from_json(&body, Some(&current))?;
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
    if !s.scope.can_write_household(&record.area_code, true) {
        return Err(ApiError::forbidden());
    }
    record.version = current.version;
    Ok(Json(
        st.repo
            .save(
                Incoming::new(record),
                version,
                date_of(&body)?,
                &s.user,
                &st.policies,
            )
            .await?,
    ))
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

#[derive(Deserialize)]
struct AsOf {
    as_of: Option<NaiveDate>,
}

async fn assessment(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let h = st.household_for(&s, &number, false).await?;
    let date = q.as_of.unwrap_or_else(today);
    let r = assess_record(&st, &h, date)?;
    let explain: Vec<Value> = r
        .exit
        .failed
        .iter()
        .map(|c| {
            let check = fupin_core::codes::Check::parse(c).expect("known");
            json!({"code": c, "zh": check.zh(), "en": check.en()})
        })
        .collect();
    Ok(Json(
        json!({"as_of": date, "assessment": r, "failed_checks": explain}),
    ))
}

async fn history(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    st.household_for(&s, &number, false).await?;
    Ok(Json(
        serde_json::to_value(st.repo.history(&number, q.as_of).await?).expect("json"),
    ))
}

async fn audit(
    State(st): St,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    st.household_for(&s, &number, false).await?;
    Ok(Json(
        json!({"household": number, "entries": st.repo.audit(&number).await?}),
    ))
}

/// Runs a lifecycle action (exit, return, remove) for a session.
pub async fn lifecycle(
    st: &AppState,
    s: &Session,
    number: &str,
    to: HouseholdStatus,
    body: &Value,
) -> Result<HouseholdRecord, ApiError> {
    st.household_for(s, number, true).await?;
    let version = version_of(body)?;
    let reason = body
        .get("reason")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let date = date_of(body)?;
    Ok(st
        .repo
        .transition(number, version, to, date, reason, &s.user, &st.policies)
        .await?)
}

/// The POST route of one lifecycle action (exit, return or remove).
fn lifecycle_route(to: HouseholdStatus) -> axum::routing::MethodRouter<Arc<AppState>> {
    post(
        move |State(st): St, headers: HeaderMap, Path(n): Path<String>, Json(b): Json<Value>| async move {
            let s = authed_write(&st, &headers)?;
            Ok::<_, ApiError>(Json(lifecycle(&st, &s, &n, to, &b).await?))
        },
    )
}

async fn add_member(
    State(st): St,
    headers: HeaderMap,
    Path(n): Path<String>,
    Json(b): Json<Value>,
) -> Result<Json<HouseholdRecord>, ApiError> {
    let s = authed_write(&st, &headers)?;
    let current = st.household_for(&s, &n, true).await?;
    let version = version_of(&b)?;
    let mut doc = serde_json::to_value(household_json(&current)).expect("json");
    let member = b
        .get("member")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("member", "缺少 member / member is required"))?;
    doc["members"].as_array_mut().expect("members").push(member);
    let record = record_from_json(&doc, Some(&current))?;
    let mut incoming = Incoming::new(record);
    if let Some(reason) = b
        .get("reason")
        .and_then(Value::as_str)
        .and_then(fupin_store::model::JoinReason::parse)
    {
        let id = incoming
            .record
            .members
            .last()
            .expect("pushed")
            .id_number
            .clone();
        incoming.joins.insert(id, reason);
    }
    Ok(Json(
        st.repo
            .save(incoming, version, date_of(&b)?, &s.user, &st.policies)
            .await?,
    ))
}

#[derive(Deserialize)]
struct Leave {
    version: i64,
    reason: String,
    date: Option<NaiveDate>,
}

async fn remove_member(
    State(st): St,
    headers: HeaderMap,
    Path((n, id_number)): Path<(String, String)>,
    Query(q): Query<Leave>,
) -> Result<Json<HouseholdRecord>, ApiError> {
    let s = authed_write(&st, &headers)?;
    let mut current = st.household_for(&s, &n, true).await?;
    let reason = fupin_store::model::LeaveReason::parse(&q.reason)
        .ok_or_else(|| ApiError::bad_request("reason", "原因应为 death、marriage、moved 或 other / reason must be death, marriage, moved or other"))?;
    let before = current.members.len();
    current.members.retain(|m| m.id_number != id_number);
    if current.members.len() == before {
        return Err(ApiError::not_found());
    }
    let mut incoming = Incoming::new(current);
    incoming.leaves.push((id_number, reason));
    Ok(Json(
        st.repo
            .save(
                incoming,
                q.version,
                q.date.unwrap_or_else(today),
                &s.user,
                &st.policies,
            )
            .await?,
    ))
}

/// A stored household as the JSON input format (for edits that start from it).
pub fn household_json(h: &HouseholdRecord) -> Value {
    json!({
        "id": h.number, "area_code": h.area_code, "status": h.status.code(),
        "attribute": h.attribute.map(|a| a.code()), "main_cause": h.main_cause.map(|c| c.code()),
        "income": {"wage": h.income.wage.to_string(), "business": h.income.business.to_string(), "property": h.income.property.to_string(),
                   "transfer": h.income.transfer.to_string(), "business_cost": h.income.business_cost.to_string()},
        "rigid_expense": {"medical": h.rigid_expense.medical.to_string(), "education": h.rigid_expense.education.to_string(),
                          "disaster": h.rigid_expense.disaster.to_string(), "other": h.rigid_expense.other.to_string()},
        "food": h.food, "clothing": h.clothing, "water": h.water, "housing_grade": h.housing_grade.code(),
        "village_group": h.village_group, "phone": h.phone, "bank_account": h.bank_account,
        "members": h.members.iter().map(|m| json!({
            "id_number": m.id_number, "name": m.name, "relation": m.relation.code(), "school_status": m.school_status.code(),
            "medical_insured": m.medical_insurance, "labor": m.labor.map(|l| l.code()), "health": m.health.map(|x| x.code())})).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    area: Option<String>,
}

async fn changes(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<Period>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let area = st.area_for(&s, q.area.as_deref())?;
    Ok(Json(
        serde_json::to_value(
            fupin_store::period_report(st.repo.as_ref(), q.from, q.to, &area).await?,
        )
        .expect("json"),
    ))
}

#[derive(Deserialize)]
pub struct AreaParam {
    pub area: Option<String>,
    /// The year of the changes shown on the dashboard (default: the latest year with events).
    pub year: Option<i32>,
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

async fn dashboard(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<AreaParam>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let area = st.area_for(&s, q.area.as_deref())?;
    let d = st.dashboard(&area, q.year).await?;
    Ok(Json(serde_json::to_value(&*d).expect("json")))
}

/// The village page's figures: incidence and the village exit check under its policy.
pub async fn village_figures(st: &AppState, s: &Session, code: &str) -> Result<Value, ApiError> {
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
    let failed: Vec<&str> = rule
        .failed(poor as u64, rural as u64)
        .iter()
        .map(|c| c.code())
        .collect();
    let indicators = &rule.indicators;
    Ok(json!({
        "area_code": area, "name": info.as_ref().map(|a| a.name.clone()),
        "poor_population": poor, "rural_population": rural,
        "incidence_pct": incidence.map(fupin_core::money::fmt2),
        "max_incidence_pct": fupin_core::money::fmt_plain(rule.max_incidence_pct),
        "indicators": indicators.iter().map(|(i, ok)| json!({"code": i.code(), "zh": i.zh(), "en": i.en(), "ok": ok})).collect::<Vec<_>>(),
        "exit": {"meets_standard": failed.is_empty() && incidence.is_some(), "failed": failed},
        "status": figures.status,
    }))
}

async fn village(
    State(st): St,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    Ok(Json(village_figures(&st, &s, &code).await?))
}

async fn applications(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<AreaParam>,
) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    let area = st.area_for(&s, q.area.as_deref())?;
    Ok(Json(
        json!({"applications": st.dir.applications(&area).await?}),
    ))
}

/// Creates an application after checking the applicant's ID number and the area.
pub async fn new_application(
    st: &AppState,
    s: &Session,
    b: &Value,
) -> Result<Application, ApiError> {
    if matches!(s.scope.role, Role::Viewer | Role::Cadre) {
        return Err(ApiError::forbidden());
    }
    let text = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let mut fields = Vec::new();
    let area = text("area_code");
    match fupin_core::AreaCode::parse(&area) {
        Ok(a) if a.level() == fupin_core::AreaLevel::Village => {}
        _ => fields.push(json!({"field": "area_code", "code": "area_code", "message": "应为12位村级区划代码 / a 12-digit village code"})),
    }
    let id = text("applicant_id_number");
    if let Err(e) = fupin_core::ResidentId::parse(&id) {
        fields.push(json!({"field": "applicant_id_number", "code": e.code(), "message": format!("{} / {}", e.zh(), e.en())}));
    }
    let name = text("applicant_name");
    if name.is_empty() {
        fields.push(json!({"field": "applicant_name", "code": "missing_field", "message": "请填写申请人 / the applicant is required"}));
    }
    let members = b
        .get("members")
        .and_then(Value::as_i64)
        .or_else(|| text("members").parse().ok())
        .unwrap_or(0);
    if members < 1 {
        fields.push(json!({"field": "members", "code": "no_members", "message": "家庭人口至少1人 / at least one member"}));
    }
    if !fields.is_empty() {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "申请有误 / the application has invalid fields",
        );
        e.fields = fields;
        return Err(e);
    }
    if !s.scope.covers(&area) {
        return Err(ApiError::not_found());
    }
    let app = Application {
        id: format!(
            "A{}{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S"),
            &crate::auth::random_token()[..4]
        ),
        area_code: area,
        applicant_name: name,
        applicant_id_number: fupin_core::ResidentId::parse(&id)
            .expect("checked")
            .as_str()
            .to_string(),
        members,
        reason: text("reason"),
        step: Step::Application.code().to_string(),
        rejected: false,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        steps: Vec::new(),
    };
    st.dir.create_application(&app, &s.user).await?;
    Ok(st.dir.application(&app.id).await?.expect("created"))
}

async fn create_application(
    State(st): St,
    headers: HeaderMap,
    Json(b): Json<Value>,
) -> Result<(StatusCode, Json<Application>), ApiError> {
    let s = authed_write(&st, &headers)?;
    Ok((
        StatusCode::CREATED,
        Json(new_application(&st, &s, &b).await?),
    ))
}

/// Loads an application within the session's area, else 404.
pub async fn application_for(
    st: &AppState,
    s: &Session,
    id: &str,
) -> Result<Application, ApiError> {
    let a = st
        .dir
        .application(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !s.scope.covers(&a.area_code) || s.scope.role == Role::Cadre {
        return Err(ApiError::not_found());
    }
    Ok(a)
}

async fn application(
    State(st): St,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Application>, ApiError> {
    let s = authed(&st, &headers)?;
    Ok(Json(application_for(&st, &s, &id).await?))
}

/// Records the next step of an application (`outcome`: `passed` or `rejected`).
pub async fn advance_application(
    st: &AppState,
    s: &Session,
    id: &str,
    b: &Value,
) -> Result<Application, ApiError> {
    if matches!(s.scope.role, Role::Viewer | Role::Cadre) {
        return Err(ApiError::forbidden());
    }
    let a = application_for(st, s, id).await?;
    let text = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let step = Step::parse(&text("step"))
        .ok_or_else(|| ApiError::bad_request("step", "未知步骤 / unknown step"))?;
    let rejected = text("outcome") == "rejected";
    let current = Step::parse(&a.step).unwrap_or(Step::Application);
    let state = if a.rejected {
        AppStep::Rejected(current)
    } else {
        AppStep::At(current)
    };
    let notice_days = a.steps.iter().find(|x| x.step == a.step).and_then(|x| {
        chrono::DateTime::parse_from_rfc3339(&x.at)
            .ok()
            .map(|at| (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_days())
    });
    let exclusions: Vec<Exclusion> = b
        .get("exclusions")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().and_then(Exclusion::parse))
                .collect()
        })
        .unwrap_or_default();
    let min_days = st
        .policies
        .for_area(&a.area_code)
        .count("public_notice_min_days")
        .map(|c| c.value as i64)
        .unwrap_or(5);
    let outcome = if rejected {
        identification::advance(state, step, notice_days, min_days, &[]).map(|_| "rejected")
    } else {
        identification::advance(state, step, notice_days, min_days, &exclusions).map(|_| "passed")
    };
    let (outcome, rejected, note) = match outcome {
        Ok(o) => (o, rejected, text("note")),
        // Exclusions found at the county review reject the application, with the findings as note.
        Err(e @ identification::StepError::Excluded(_)) => ("rejected", true, e.to_string()),
        Err(e) => return Err(ApiError::new(StatusCode::CONFLICT, e.code(), e.to_string())),
    };
    let rec = StepRecord {
        step: step.code().to_string(),
        outcome: outcome.to_string(),
        actor: s.user.clone(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        note: Some(note).filter(|n| !n.is_empty()),
    };
    st.dir.record_step(id, &rec, rejected).await?;
    Ok(st.dir.application(id).await?.expect("exists"))
}

async fn record_step(
    State(st): St,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(b): Json<Value>,
) -> Result<Json<Application>, ApiError> {
    let s = authed_write(&st, &headers)?;
    Ok(Json(advance_application(&st, &s, &id, &b).await?))
}

async fn users(State(st): St, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let s = authed(&st, &headers)?;
    if !s.scope.is_admin() {
        return Err(ApiError::forbidden());
    }
    Ok(Json(json!({"users": st.dir.users().await?})))
}

/// Creates an account (admin only) after checking role, area and password.
pub async fn create_user(
    st: &AppState,
    s: &Session,
    name: &str,
    role: &str,
    area: &str,
    password: &str,
) -> Result<User, ApiError> {
    if !s.scope.is_admin() {
        return Err(ApiError::forbidden());
    }
    let user = checked_user(name, role, area, password)?;
    st.dir.add_user(&user, &s.user).await?;
    Ok(user)
}

/// Validates a new account: name, role, the role's area prefix and the password.
pub fn checked_user(name: &str, role: &str, area: &str, password: &str) -> Result<User, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.contains(char::is_whitespace) {
        return Err(ApiError::bad_request(
            "name",
            "用户名不能为空且不含空格 / a user name is non-empty without spaces",
        ));
    }
    let r = Role::parse(role).ok_or_else(|| ApiError::bad_request("role", format!("未知角色 / unknown role {role}; known: admin, county, township, village, cadre, viewer")))?;
    let scope = fupin_core::access::Scope::new(r, Some(area).filter(|a| !a.trim().is_empty()))
        .map_err(|e| ApiError::bad_request("area", e.to_string()))?;
    crate::auth::check_new_password(password).map_err(|m| ApiError::bad_request("password", m))?;
    Ok(User {
        name: name.to_string(),
        role: r,
        area: scope.area,
        password_hash: crate::auth::hash_password(password),
        disabled: false,
    })
}

#[derive(Deserialize)]
struct NewUser {
    name: String,
    role: String,
    #[serde(default)]
    area: String,
    password: String,
}

async fn add_user(
    State(st): St,
    headers: HeaderMap,
    Json(b): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let s = authed_write(&st, &headers)?;
    Ok((
        StatusCode::CREATED,
        Json(create_user(&st, &s, &b.name, &b.role, &b.area, &b.password).await?),
    ))
}
