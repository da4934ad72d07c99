//! The registry's pages: dashboard, household list (and its htmx partial), a household with its
//! edit form and lifecycle actions, the village page. Thin over [`super::service`].

use super::{form, service, AreaParam, Household, ListQuery, Transition};
use crate::authz::{self, Action};
use crate::render::{FormWrite, Page};
use crate::{i18n, ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fupin_core::codes::HouseholdStatus;
use fupin_core::registry::{kind, JoinReason, LeaveReason};
use minijinja::{context, Value as JValue};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/", get(dashboard))
        .route("/households", get(households))
        .route("/households/export.xlsx", get(super::export::xlsx))
        .route("/households/{number}", get(household).post(household_edit))
        .route("/households/{number}/action", post(household_action))
        .route("/villages/{code}", get(village))
}

fn area_label(code: &str, name: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        format!("{name} {code}")
    }
}

/// The area one level up from `area`, not above the session's own.
fn parent_area(area: &str, own: &str) -> Option<String> {
    if area.len() <= own.len() {
        return None;
    }
    let n = match area.len() {
        12 => 9,
        9 => 6,
        6 => 4,
        4 => 2,
        _ => 0,
    };
    Some(area[..n.max(own.len())].to_string())
}

async fn dashboard(State(st): St, p: Page, Query(q): Query<AreaParam>) -> PageResult {
    let (area, d) = service::dashboard(&st, &p.session, q.area.as_deref(), q.year)
        .await
        .map_err(|e| p.error(e))?;
    let (figures, year, changes) = (&d.figures, d.year, &d.changes);
    let info = st.dir.area(&area).await.map_err(|e| p.error(e))?;
    let l = p.lang;
    let chart = json!({
        "status": figures.status.iter().map(|(k, c)| json!({"label": i18n::code_label(l, "status", k), "people": c.people, "households": c.households})).collect::<Vec<_>>(),
        "areas": figures.sub_areas.iter().map(|a| {
            let incidence = a.rural_population.filter(|r| *r > 0).map(|r| (a.poor_people as f64) * 100.0 / (r as f64)).unwrap_or(0.0);
            let href = if a.code.len() >= 12 { format!("/villages/{}", a.code) } else { format!("/?area={}", a.code) };
            json!({"label": area_label(&a.code, &a.name), "incidence": (incidence * 100.0).round() / 100.0, "href": href})
        }).collect::<Vec<_>>(),
        "causes": figures.causes.iter().map(|(k, n)| json!({"label": i18n::code_label(l, "cause", k), "value": n})).collect::<Vec<_>>(),
        "monitoring": figures.monitoring.iter().map(|(k, c)| json!({"label": i18n::code_label(l, "monitoring", k), "households": c.households})).collect::<Vec<_>>(),
    });
    let poor_people: i64 = figures
        .status
        .iter()
        .filter(|(k, _)| k == "poor" || k == "returned")
        .map(|(_, c)| c.people)
        .sum();
    let incidence = figures
        .rural_population
        .filter(|r| *r > 0)
        .and_then(|r| fupin_core::rules::incidence_pct(poor_people as u64, r as u64).ok())
        .map(fupin_core::money::fmt2);
    let ctx = context! {
        area => area.clone(),
        year => year,
        area_name => info.map(|a| a.name).unwrap_or_default(),
        parent => parent_area(&area, &p.session.scope.area),
        figures => JValue::from_serialize(figures),
        changes => JValue::from_serialize(changes),
        chart_json => chart.to_string().replace("</", "<\\/"),
        incidence => incidence,
        poor_people => poor_people,
    };
    Ok(p.render("registry/dashboard.html", ctx))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn households(
    State(st): St,
    p: Page,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let page = service::list(&st, &p.session, &q)
        .await
        .map_err(|e| p.error(e))?;
    let pages = page.total.div_ceil(u64::from(page.per_page)).max(1);
    let query = |n: u32| {
        let mut parts = vec![format!("page={n}")];
        for (k, v) in [
            ("area", &q.area),
            ("status", &q.status),
            ("cause", &q.cause),
            ("attribute", &q.attribute),
            ("monitoring", &q.monitoring),
            ("q", &q.q),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        parts.join("&")
    };
    let ctx = context! {
        page => JValue::from_serialize(&page),
        pages => pages,
        q => JValue::from_serialize(json!({"area": q.area, "status": q.status, "cause": q.cause, "attribute": q.attribute, "monitoring": q.monitoring, "q": q.q})),
        prev_query => (page.page > 1).then(|| query(page.page - 1)),
        next_query => (u64::from(page.page) < pages).then(|| query(page.page + 1)),
        export_query => query(1),
    };
    let partial = headers.contains_key("hx-request") && !headers.contains_key("hx-boosted");
    let name = if partial {
        "registry/households_table.html"
    } else {
        "registry/households.html"
    };
    Ok(p.render(name, ctx))
}

/// Renders the household page, with the edit form's values and errors when given.
async fn household_page(
    st: &AppState,
    p: &Page,
    number: &str,
    form: Option<(Household, HashMap<String, String>)>,
    flash: Option<String>,
) -> PageResult {
    let s = &p.session;
    let h = st
        .household_for(s, number, false)
        .await
        .map_err(|e| p.error(e))?;
    let today = service::today();
    let assessment = service::assess_record(st, &h, today).ok();
    let checklist = assessment.as_ref().map(|a| exit_checklist(&a.exit.failed));
    // The monitoring category as stored and listed, with its year and line.
    let monitoring = fupin_core::registry::monitoring::judge(&h, &st.policies, today).shown();
    let poor = matches!(h.status, HouseholdStatus::Poor | HouseholdStatus::Returned);
    let history = st
        .repo
        .history(number, None)
        .await
        .map_err(|e| p.error(e))?;
    let incomes = income_years(&st.repo.incomes(number).await.map_err(|e| p.error(e))?, &h);
    let audit = st
        .dir
        .audit_trail(&h.area_code, number)
        .await
        .map_err(|e| p.error(e))?;
    let paired = st.paired(s, number).await.unwrap_or(false);
    let area = h.area_code.as_str();
    let can_write = authz::may(&s.scope, Action::WriteHousehold { area, paired });
    let (values, errors) = form.unwrap_or_else(|| (service::household_doc(&h), HashMap::new()));
    let ctx = context! {
        h => JValue::from_serialize(&h),
        a => JValue::from_serialize(&assessment),
        checklist => JValue::from_serialize(&checklist),
        incomes => JValue::from_serialize(&incomes),
        stored_ids => h.members.iter().map(|m| m.id_number.clone()).collect::<Vec<_>>(),
        join_reasons => reasons(p.lang, JoinReason::ALL.iter().map(|r| (r.code(), r.zh(), r.en()))),
        leave_reasons => reasons(p.lang, LeaveReason::ALL.iter().map(|r| (r.code(), r.zh(), r.en()))),
        member_counts => member_counts(&history.events),
        m => JValue::from_serialize(&monitoring),
        poor => poor,
        history => JValue::from_serialize(&history),
        // Only what the trail shows: not the before/after copies of the household.
        audit => JValue::from_serialize(&audit),
        v => JValue::from_serialize(&values),
        errors => errors,
        can_write => can_write,
        flash => flash,
        today => today.to_string(),
        village => h.area_code.clone(),
    };
    Ok(p.render("registry/household.html", ctx))
}

/// The income of every year recorded, with the net and per-capita income (over the current members,
/// as the rules count them).
fn income_years(
    years: &[fupin_core::registry::YearIncome],
    h: &fupin_store::HouseholdRecord,
) -> Vec<serde_json::Value> {
    use fupin_core::money::fmt2;
    years
        .iter()
        .map(|y| {
            let net = y.net();
            let per_capita = fupin_core::rules::per_capita(net, h.members.len());
            let mut v = serde_json::to_value(y).expect("json");
            v["net"] = json!(fmt2(net));
            v["per_capita"] = json!(fmt2(per_capita));
            v
        })
        .collect()
}

/// (code, label) options of member-change reasons in `lang`.
fn reasons<'a>(
    lang: &str,
    all: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Vec<(String, String)> {
    all.map(|(code, zh, en)| {
        (
            code.to_string(),
            if lang == "en" { en } else { zh }.to_string(),
        )
    })
    .collect()
}

/// The member changes of a household's timeline counted by kind and reason
/// (`member_joined:birth` → 1): births and deaths are its natural increase and decrease.
fn member_counts(events: &[fupin_core::registry::Event]) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = Vec::new();
    for e in events {
        let kind = e.kind.as_str();
        if kind != kind::MEMBER_JOINED && kind != kind::MEMBER_LEFT {
            continue;
        }
        let reason = e.detail.clone().unwrap_or_default();
        match out.iter_mut().find(|(k, r, _)| k == kind && *r == reason) {
            Some(c) => c.2 += 1,
            None => out.push((kind.to_string(), reason, 1)),
        }
    }
    out
}

/// The exit standard's checks in order (一收入、两不愁、三保障、饮水安全): (group, check code).
const CHECKLIST: [(&str, &str); 7] = [
    ("group_income", "income_below_line"),
    ("group_two", "food"),
    ("group_two", "clothing"),
    ("group_three", "compulsory_education"),
    ("group_three", "basic_medical"),
    ("group_three", "housing_safety"),
    ("group_water", "drinking_water"),
];

/// Every check of the exit standard, passed or failed (from the assessment's failed-check codes).
fn exit_checklist(failed: &[&str]) -> Vec<serde_json::Value> {
    CHECKLIST
        .iter()
        .map(|(group, code)| json!({"group": group, "code": code, "ok": !failed.contains(code)}))
        .collect()
}

async fn household(
    State(st): St,
    p: Page,
    Path(number): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let flash = q.get("saved").map(|_| i18n::t(p.lang, "saved"));
    household_page(&st, &p, &number, None, flash).await
}

async fn household_edit(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let current = st
        .household_for(&p.session, &number, true)
        .await
        .map_err(|e| p.error(e))?;
    let mut doc = form::household(&w.form, &number);
    let version: i64 = w
        .form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let stored: Vec<&str> = current
        .members
        .iter()
        .map(|m| m.id_number.as_str())
        .collect();
    let (saved, mut errors) = match form::member_changes(&w.form, &stored, service::today()) {
        Ok((changes, date)) => {
            if let Some(d) = date {
                doc.date = Some(d.to_string());
            }
            let mut edit = doc.clone();
            let leaving = |m: &super::Member| {
                let id = m.id_number.as_deref().unwrap_or("");
                changes.leaves.iter().any(|(l, _)| l == id)
            };
            if let Some(members) = edit.members.as_mut() {
                members.retain(|m| !leaving(m));
            }
            let saved =
                service::save_edit(&st, &p.session, &number, &current, version, &edit, &changes)
                    .await;
            (Some(saved), HashMap::new())
        }
        Err(errors) => (None, errors),
    };
    let status = match saved {
        Some(Ok(_)) => {
            return Ok(Redirect::to(&format!("/households/{number}?saved=1")).into_response())
        }
        Some(Err(e)) => {
            errors.extend(e.fields.iter().map(|x| {
                let message = x["message"].as_str().unwrap_or("").to_string();
                (form::field_name(x), message)
            }));
            if errors.is_empty() {
                errors.insert("_form".into(), e.message.clone());
            }
            e.status
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    // Keep the member rows as typed, with the household's other values.
    doc.status = Some(fupin_core::codes::CodeList::code(current.status).to_string());
    let r = household_page(&st, p, &number, Some((doc, errors)), None).await?;
    let status = if status == StatusCode::CONFLICT {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(crate::render::with_status(r, status))
}

async fn household_action(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let to = match w.get("action") {
        "exit" => HouseholdStatus::Exited,
        "return" => HouseholdStatus::Returned,
        "remove" => HouseholdStatus::Removed,
        _ => {
            let e = ApiError::bad_request("action", "未知操作 / unknown action");
            return Err(p.error(e));
        }
    };
    let body = Transition {
        version: w.get("version").parse().ok(),
        reason: w.form.get("reason").cloned(),
        date: w.form.get("date").cloned(),
    };
    let e = match service::lifecycle(&st, &p.session, &number, to, &body).await {
        Ok(_) => return Ok(Redirect::to(&format!("/households/{number}?saved=1")).into_response()),
        Err(e) => e,
    };
    let h = st
        .household_for(&p.session, &number, false)
        .await
        .map_err(|e| p.error(e))?;
    let errors = HashMap::from([("_action".to_string(), e.message.clone())]);
    let form = Some((service::household_doc(&h), errors));
    let r = household_page(&st, p, &number, form, None).await?;
    Ok(crate::render::with_status(r, e.status))
}

async fn village(State(st): St, p: Page, Path(code): Path<String>) -> PageResult {
    let v = service::village_figures(&st, &p.session, &code)
        .await
        .map_err(|e| p.error(e))?;
    Ok(p.render(
        "registry/village.html",
        context! { v => JValue::from_serialize(&v) },
    ))
}
