//! The registry's pages: dashboard, household list (and its htmx partial), a household with its
//! edit form and lifecycle actions, the village page. Thin over [`super::service`].

use super::{form, service, AreaParam, Household, ListQuery, Transition};
use crate::authz::{self, Action};
use crate::names::urlencode;
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
        .route("/households/new", get(new_form).post(new_create))
        .route(
            "/households/import",
            post(super::import::upload).layer(axum::extract::DefaultBodyLimit::max(
                super::import::UPLOAD_LIMIT,
            )),
        )
        .route("/households/{number}", get(household).post(household_edit))
        .route("/households/{number}/action", post(household_action))
        .route("/villages/{code}", get(village))
        .route("/m/{code}", get(monitoring_code))
}

/// A monitoring code (a card's QR code, a code read out on the phone) opens its household's page for
/// a signed-in user; the page then applies the user's area as any household page does. A code whose
/// check character does not match is refused, never guessed.
async fn monitoring_code(p: Page, Path(code): Path<String>) -> PageResult {
    match fupin_core::household_code::parse(&code) {
        Ok(number) => {
            Ok(Redirect::to(&format!("/households/{}", urlencode(number))).into_response())
        }
        Err(e) => Err(p.error(ApiError::new(
            StatusCode::NOT_FOUND,
            e.code(),
            i18n::t(p.lang, e.code()),
        ))),
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

/// The statuses of the dashboard's trend, in the order of its legend.
const TREND_STATUSES: [&str; 4] = ["poor", "returned", "exited", "removed"];

/// Where a sub-area of the dashboard leads: a village to its page, any other area to its dashboard.
fn area_href(code: &str) -> String {
    if code.len() >= 12 {
        format!("/villages/{code}")
    } else {
        format!("/?area={code}")
    }
}

async fn dashboard(State(st): St, p: Page, Query(q): Query<AreaParam>) -> PageResult {
    let (area, d) = service::dashboard(&st, &p.session, q.area.as_deref(), q.year)
        .await
        .map_err(|e| p.error(e))?;
    let (figures, year, changes) = (&d.figures, d.year, &d.changes);
    let trend = service::trend(&st, &area, year)
        .await
        .map_err(|e| p.error(e))?;
    let crumbs = crate::names::breadcrumb(&st, &p.session.scope.area, &area)
        .await
        .map_err(|e| p.error(e))?;
    let l = p.lang;
    let area_q = urlencode(&area);
    // Every status has its card, 0 included.
    let status: Vec<_> = <HouseholdStatus as fupin_core::CodeList>::all()
        .iter()
        .map(|st| {
            let code = fupin_core::CodeList::code(*st);
            let c = figures
                .status
                .iter()
                .find(|(k, _)| k == code)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            json!({"code": code, "label": i18n::code_label(l, "status", code), "households": c.households, "people": c.people,
                   "href": format!("/households?area={area_q}&status={code}")})
        })
        .collect();
    // The charts, drawn here (crate::charts): in the page's first paint, links on every part.
    use crate::charts::{self, Item, Series};
    let hh = i18n::t(l, "households_n");
    let chart_status = charts::donut(
        &status
            .iter()
            .map(|s| {
                let n = s["households"].as_i64().unwrap_or(0);
                Item::new(s["label"].as_str().unwrap_or(""), n as f64, n.to_string())
                    .href(s["href"].as_str().unwrap_or(""))
                    .colour(charts::status_colour(s["code"].as_str().unwrap_or("")))
            })
            .collect::<Vec<_>>(),
        &hh,
    );
    let chart_areas = charts::bars(
        &figures
            .sub_areas
            .iter()
            .map(|a| {
                let incidence = a.rural_population.filter(|r| *r > 0).and_then(|r| {
                    fupin_core::rules::incidence_pct(a.poor_people as u64, r as u64).ok()
                });
                let name = if a.name.is_empty() {
                    a.code.clone()
                } else {
                    a.name.clone()
                };
                let value = incidence
                    .and_then(|d| d.to_string().parse::<f64>().ok())
                    .unwrap_or(0.0);
                let text = incidence.map_or("—".to_string(), |d| {
                    format!("{}%", fupin_core::money::fmt2(d))
                });
                Item::new(name, value, text).href(area_href(&a.code))
            })
            .collect::<Vec<_>>(),
        charts::PALETTE[0],
    );
    let chart_causes = charts::bars(
        &figures
            .causes
            .iter()
            .map(|(k, n)| {
                Item::new(i18n::code_label(l, "cause", k), *n as f64, n.to_string())
                    .href(format!("/households?area={area_q}&cause={k}"))
            })
            .collect::<Vec<_>>(),
        charts::PALETTE[3],
    );
    let chart_monitoring = charts::donut(
        &figures
            .monitoring
            .iter()
            .map(|(k, c)| {
                Item::new(
                    i18n::code_label(l, "monitoring", k),
                    c.households as f64,
                    c.households.to_string(),
                )
                .href(format!("/households?area={area_q}&monitoring={k}"))
            })
            .collect::<Vec<_>>(),
        &hh,
    );
    let chart_trend = charts::stacked(
        &trend.iter().map(|t| t.year.to_string()).collect::<Vec<_>>(),
        &TREND_STATUSES
            .iter()
            .map(|k| {
                let pick = |t: &service::TrendYear| match *k {
                    "poor" => t.stock.poor.households,
                    "returned" => t.stock.returned.households,
                    "exited" => t.stock.exited.households,
                    _ => t.stock.removed.households,
                };
                Series {
                    label: i18n::code_label(l, "status", k),
                    values: trend.iter().map(|t| pick(t) as f64).collect(),
                    colour: Some(charts::status_colour(k)),
                }
            })
            .collect::<Vec<_>>(),
    );
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
    let sub_areas: Vec<_> = figures
        .sub_areas
        .iter()
        .map(|a| json!({"code": a.code, "name": a.name, "href": area_href(&a.code), "households": a.households,
                        "poor_people": a.poor_people, "rural_population": a.rural_population}))
        .collect();
    let area_name = crumbs
        .last()
        .filter(|c| c.code == area)
        .map(|c| c.name.clone());
    let ctx = context! {
        area => area.clone(),
        year => year,
        area_name => area_name,
        crumbs => JValue::from_serialize(&crumbs),
        parent => parent_area(&area, &p.session.scope.area),
        status => JValue::from_serialize(&status),
        sub_areas => JValue::from_serialize(&sub_areas),
        figures => JValue::from_serialize(figures),
        changes => JValue::from_serialize(changes),
        trend => JValue::from_serialize(&trend),
        chart_status => chart_status,
        chart_areas => chart_areas,
        chart_causes => chart_causes,
        chart_monitoring => chart_monitoring,
        chart_trend => chart_trend,
        incidence => incidence,
        poor_people => poor_people,
        assistance => crate::assistance::service::dashboard_section(&st, l, &area, year).await.map_err(|e| p.error(e))?,
        responsibility => JValue::from_serialize(crate::responsibility::service::dashboard_section(&st, &p.session, &area, year).await),
    };
    Ok(p.render("registry/dashboard.html", ctx))
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
    let codes: Vec<String> = page.rows.iter().map(|r| r.area_code.clone()).collect();
    let names = crate::names::names_of(&st, &codes)
        .await
        .map_err(|e| p.error(e))?;
    let own = &p.session.scope.area;
    let picker = crate::names::picker(&st, own, q.area.as_deref(), &i18n::t(p.lang, "all_areas"))
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        page => JValue::from_serialize(&page),
        area_names => names,
        areas => JValue::from_serialize(&picker),
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
    let can_act = authz::may(&s.scope, Action::Lifecycle { area, paired });
    let can_propose = authz::may(&s.scope, Action::Propose { area, paired });
    let proposals = st
        .dir
        .household_proposals(number)
        .await
        .map_err(|e| p.error(e))?;
    let (values, errors) = form.unwrap_or_else(|| (service::household_doc(&h), HashMap::new()));
    // Personal information by need: a viewer's page shows masked ID numbers, no phone, bank
    // account or health detail.
    let shown = JValue::from_serialize::<serde_json::Value>;
    let crumbs = crate::names::breadcrumb(st, &s.scope.area, &h.area_code)
        .await
        .map_err(|e| p.error(e))?;
    let all = i18n::t(p.lang, "all_areas");
    let areas = crate::names::picker(st, &s.scope.area, Some(&h.area_code), &all)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        h => shown(crate::privacy::for_session(s, &h)),
        a => JValue::from_serialize(&assessment),
        checklist => JValue::from_serialize(&checklist),
        incomes => JValue::from_serialize(&incomes),
        stored_ids => h.members.iter().map(|m| m.id_number.clone()).collect::<Vec<_>>(),
        join_reasons => reasons(p.lang, JoinReason::ALL.iter().map(|r| (r.code(), r.zh(), r.en()))),
        leave_reasons => reasons(p.lang, LeaveReason::ALL.iter().map(|r| (r.code(), r.zh(), r.en()))),
        member_counts => member_counts(&history.events),
        m => JValue::from_serialize(&monitoring),
        poor => poor,
        history => shown(crate::privacy::for_session(s, &history)),
        // Only what the trail shows: not the before/after copies of the household.
        audit => JValue::from_serialize(&audit),
        v => shown(crate::privacy::for_session(s, &values)),
        errors => errors,
        can_write => can_write,
        can_act => can_act,
        can_propose => can_propose,
        proposals => JValue::from_serialize(&proposals),
        assistance => crate::assistance::service::household_section(st, s, p.lang, &h).await.map_err(|e| p.error(e))?,
        responsibility => JValue::from_serialize(crate::responsibility::service::household_section(st, s, &h).await),
        mon => crate::monitoring::pages::household_section(st, s, &h).await,
        flash => flash,
        today => today.to_string(),
        village => h.area_code.clone(),
        crumbs => JValue::from_serialize(&crumbs),
        areas => JValue::from_serialize(&areas),
        funds => crate::funds::service::household_section(st, number).await,
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
        Err(mut errors) => {
            // The household's own field errors too (a mistyped ID number reads as a new member).
            if let Err(e) = service::record_from(&doc, Some(&current)) {
                errors.extend(e.fields.iter().map(|x| {
                    let message = x["message"].as_str().unwrap_or("").to_string();
                    (form::field_name(x), message)
                }));
            }
            (None, errors)
        }
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
    let crumbs = crate::names::breadcrumb(&st, &p.session.scope.area, &v.area_code)
        .await
        .map_err(|e| p.error(e))?;
    let ctx =
        context! { v => JValue::from_serialize(&v), crumbs => JValue::from_serialize(&crumbs) };
    Ok(p.render("registry/village.html", ctx))
}

/// `?application=ID`: the new-household form registers that application (建档立卡).
#[derive(serde::Deserialize, Default)]
struct NewQuery {
    application: Option<String>,
}

/// Renders the new-household form with its values and errors.
fn new_page(
    p: &Page,
    app: Option<&fupin_store::directory::Application>,
    values: &Household,
    errors: HashMap<String, String>,
    status: StatusCode,
) -> Response {
    let mut v = values.clone();
    // Room for more members than given.
    let members = v.members.get_or_insert_with(Vec::new);
    while members.len() < 6 {
        members.push(super::Member::default());
    }
    let ctx = context! {
        v => JValue::from_serialize(&v),
        app => JValue::from_serialize(app),
        errors => errors,
    };
    p.render_as(status, "registry/household_new.html", ctx)
}

/// The new household's values before anything is typed: the application's village, applicant
/// (head) and cause, or the session's village; last year's income; today.
fn new_values(
    s: &crate::session::Session,
    app: Option<&fupin_store::directory::Application>,
) -> Household {
    use chrono::Datelike;
    let today = service::today();
    let area = app
        .map(|a| a.area_code.clone())
        .or_else(|| (s.scope.area.len() == 12).then(|| s.scope.area.clone()));
    Household {
        area_code: area,
        status: Some("poor".into()),
        housing_grade: Some("B".into()),
        main_cause: app.and_then(|a| {
            <fupin_core::codes::Cause as fupin_core::CodeList>::parse(a.reason.trim())
                .map(|c| fupin_core::CodeList::code(c).to_string())
        }),
        income_year: Some(today.year() - 1),
        date: Some(today.to_string()),
        members: Some(
            app.map(|a| super::Member {
                id_number: Some(a.applicant_id_number.clone()),
                name: Some(a.applicant_name.clone()),
                relation: Some("head".into()),
                ..super::Member::default()
            })
            .into_iter()
            .collect(),
        ),
        ..Household::default()
    }
}

async fn new_form(State(st): St, p: Page, Query(q): Query<NewQuery>) -> PageResult {
    let app = match q.application.as_deref().filter(|a| !a.is_empty()) {
        Some(id) => Some(
            crate::applications::service::read(&st, &p.session, id)
                .await
                .map_err(|e| p.error(e))?,
        ),
        None => None,
    };
    let v = new_values(&p.session, app.as_ref());
    Ok(new_page(
        &p,
        app.as_ref(),
        &v,
        HashMap::new(),
        StatusCode::OK,
    ))
}

/// Creates a household from the form, or registers an application's household (its registration
/// step); then shows the household.
async fn new_create(State(st): St, w: FormWrite) -> PageResult {
    let p = &w.page;
    let number = w.get("number").trim().to_string();
    let mut doc = form::household(&w.form, &number);
    doc.id = None;
    doc.number = Some(number.clone()).filter(|n| !n.is_empty());
    doc.status = Some(w.get("status").to_string()).filter(|s| !s.is_empty());
    doc.phone = Some(w.get("phone").to_string()).filter(|s| !s.is_empty());
    doc.date = Some(w.get("date").to_string()).filter(|s| !s.is_empty());
    let app_id = w.get("application").to_string();
    let app = match app_id.as_str() {
        "" => None,
        id => Some(
            crate::applications::service::read(&st, &p.session, id)
                .await
                .map_err(|e| p.error(e))?,
        ),
    };
    let created = match &app {
        Some(a) => {
            if doc.number.is_none() {
                doc.number = Some(
                    service::next_number(&st, &a.area_code)
                        .await
                        .map_err(|e| p.error(e))?,
                );
            }
            let step = crate::applications::StepInput {
                step: Some("registered".into()),
                outcome: Some("passed".into()),
                household: Some(doc.clone()),
                ..Default::default()
            };
            crate::applications::service::advance(&st, &p.session, &a.id, &step)
                .await
                .map(|_| doc.number.clone().unwrap_or_default())
        }
        None => {
            let area = doc.area_code.clone().unwrap_or_default();
            let numbered = match doc.number.clone() {
                Some(n) => Ok(n),
                None if fupin_core::AreaCode::parse(&area)
                    .is_ok_and(|a| a.level() == fupin_core::AreaLevel::Village) =>
                {
                    service::next_number(&st, &area).await
                }
                // The validator names the bad area; any number will do until then.
                None => Ok(format!("{area}000")),
            };
            match numbered {
                Ok(n) => {
                    doc.number = Some(n);
                    service::create(&st, &p.session, &doc)
                        .await
                        .map(|h| h.number)
                }
                Err(e) => Err(e),
            }
        }
    };
    let e = match created {
        Ok(number) => {
            return Ok(Redirect::to(&format!("/households/{number}?saved=1")).into_response())
        }
        Err(e) => e,
    };
    let mut errors: HashMap<String, String> = e
        .fields
        .iter()
        .map(|x| {
            let message = x["message"].as_str().unwrap_or("").to_string();
            (form::field_name(x), message)
        })
        .collect();
    if errors.is_empty() {
        errors.insert("_form".into(), e.message.clone());
    }
    let status = if e.status.is_client_error() {
        e.status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut shown = doc;
    shown.number = Some(number).filter(|n| !n.is_empty());
    Ok(new_page(p, app.as_ref(), &shown, errors, status))
}
