//! Household assistance's pages: the forms of the household page's section (plan, measure,
//! removal), the gaps page of the user's area, and the household cards (明白卡) — one A5 card per
//! household, and a printable page of every card of a village.

use super::{service, GapQuery, NewMeasure, NewPlan};
use crate::names::urlencode;
use crate::render::{FormWrite, Page};
use crate::{i18n, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Datelike;
use fupin_core::assistance::{Gap, Plan};
use fupin_core::money::fmt2;
use fupin_core::CodeList;
use fupin_store::HouseholdRecord;
use minijinja::{context, Value as JValue};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/assistance/gaps", get(gaps))
        .route("/households/{number}/plans", post(save_plan))
        .route("/households/{number}/measures", post(add_measure))
        .route(
            "/households/{number}/measures/{id}/delete",
            post(remove_measure),
        )
        .route("/households/{number}/card", get(card))
        .route("/villages/{code}/cards", get(village_cards))
}

fn back(number: &str) -> Response {
    Redirect::to(&format!(
        "/households/{}?saved=1#assistance",
        urlencode(number)
    ))
    .into_response()
}

async fn save_plan(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let year: i64 = w
        .form
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(0);
    let paths = fupin_core::assistance::PlanPath::all()
        .iter()
        .filter(|x| w.form.contains_key(&format!("path_{}", x.code())))
        .map(|x| x.code().to_string())
        .collect();
    let b = NewPlan {
        paths,
        target: w.form.get("target").cloned(),
    };
    match service::save_plan(&st, &p.session, &number, year, &b).await {
        Ok(_) => Ok(back(&number)),
        Err(e) => Err(p.error(e)),
    }
}

async fn add_measure(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let get = |k: &str| w.form.get(k).cloned();
    let b = NewMeasure {
        person: get("person"),
        kind: get("kind"),
        date: get("date"),
        amount: get("amount").map(Value::String),
        provider: get("provider"),
        fund: get("fund"),
    };
    match service::add_measure(&st, &p.session, &number, &b).await {
        Ok(_) => Ok(back(&number)),
        Err(e) => Err(p.error(e)),
    }
}

async fn remove_measure(
    State(st): St,
    Path((number, id)): Path<(String, i64)>,
    w: FormWrite,
) -> PageResult {
    let p = &w.page;
    match service::remove_measure(&st, &p.session, &number, id).await {
        Ok(()) => Ok(back(&number)),
        Err(e) => Err(p.error(e)),
    }
}

/// The gaps of the user's area (or `?area=`), by gap code with links, and the households.
async fn gaps(State(st): St, p: Page, Query(q): Query<GapQuery>) -> PageResult {
    let r = service::gaps(
        &st,
        &p.session,
        q.area.as_deref(),
        q.as_of.as_deref(),
        q.code.as_deref(),
    )
    .await
    .map_err(|e| p.error(e))?;
    let l = p.lang;
    let area_q = urlencode(&r.area);
    let counts: Vec<Value> = Gap::all()
        .iter()
        .map(|g| {
            json!({"code": g.code(), "label": i18n::code_label(l, "gap", g.code()),
                   "count": r.outcome.summary.gaps.get(g).copied().unwrap_or(0),
                   "href": format!("/assistance/gaps?area={area_q}&as_of={}&code={}", r.as_of, g.code())})
        })
        .collect();
    let rows: Vec<Value> = r
        .outcome
        .households
        .iter()
        .filter(|h| !h.gaps.is_empty())
        .take(1000)
        .map(|h| {
            json!({"number": h.id, "href": format!("/households/{}", urlencode(&h.id)),
                   "gaps": h.gaps.iter().map(|g| json!({"code": g.code.code(),
                        "label": i18n::code_label(l, "gap", g.code.code()),
                        "person": g.person.as_deref().map(crate::privacy::mask_id)})).collect::<Vec<_>>()})
        })
        .collect();
    let shown = r
        .outcome
        .households
        .iter()
        .filter(|h| !h.gaps.is_empty())
        .count();
    let ctx = context! {
        area => r.area.clone(),
        as_of => r.as_of.to_string(),
        code => q.code.clone().filter(|c| !c.is_empty()),
        all_href => format!("/assistance/gaps?area={area_q}&as_of={}", r.as_of),
        in_scope => r.outcome.summary.households,
        with_gaps => r.outcome.summary.with_gaps,
        counts => JValue::from_serialize(&counts),
        rows => JValue::from_serialize(&rows),
        more => shown > rows.len(),
    };
    Ok(p.render("assistance/gaps.html", ctx))
}

/// `?year=` of a card (default: the latest year with a plan or measure).
#[derive(Debug, Deserialize, Default)]
pub struct CardQuery {
    pub year: Option<i32>,
}

/// The SVG of a QR code for inline use (no XML declaration).
fn qr_svg(text: &str) -> Option<String> {
    let svg = crate::qr::svg(text, 120)?;
    let at = svg.find("<svg")?;
    Some(svg[at..].to_string())
}

/// One card's context: the household as the card shows it. ID numbers are masked whoever reads.
async fn card_of(
    st: &AppState,
    lang: &str,
    h: &HouseholdRecord,
    year: Option<i32>,
) -> Result<Value, crate::ApiError> {
    use fupin_store::assistance::Owner;
    let at = Owner {
        area_code: &h.area_code,
        number: &h.number,
    };
    let plans = st.dir.plans(at).await?;
    let measures = st.dir.measures(at).await?;
    let year = year.unwrap_or_else(|| service::latest_year(&plans, &measures));
    // The paired cadres of today, by name and phone (the responsibility network); a pairing of
    // the older kind names an account, shown as it is.
    let today = crate::registry::service::today();
    let mut cadres = Vec::new();
    for p in st.dir.pairings_of_household(&h.number).await? {
        let pr = &p.pairing;
        if pr.start > today || pr.end.is_some_and(|e| e <= today) {
            continue;
        }
        cadres.push(match st.dir.cadre(&pr.cadre).await? {
            Some(c) => match &c.cadre.phone {
                Some(phone) => format!("{} {phone}", c.cadre.name),
                None => c.cadre.name.clone(),
            },
            None => pr.cadre.clone(),
        });
    }
    let code = fupin_core::household_code::monitoring_code(&h.number);
    let plan: Option<&Plan> = plans.iter().find(|p| p.year == year);
    let label = |list: &str, c: &str| i18n::code_label(lang, list, c);
    let ms: Vec<Value> = measures
        .iter()
        .filter(|m| m.measure.date.year() == year)
        .map(|m| {
            let who = m.measure.person.as_ref().and_then(|p| {
                h.members
                    .iter()
                    .find(|x| &x.id_number == p)
                    .map(|x| x.name.clone())
            });
            json!({"date": m.measure.date.to_string(), "kind": label("measure_kind", m.measure.kind.code()),
                   "person": who, "amount": fmt2(m.measure.amount), "provider": m.measure.provider})
        })
        .collect();
    let total: fupin_core::Decimal = measures
        .iter()
        .filter(|m| m.measure.date.year() == year)
        .map(|m| m.measure.amount)
        .sum();
    let members: Vec<Value> = h
        .members
        .iter()
        .map(|m| {
            json!({"name": m.name, "relation": label("relation", m.relation.code()),
                   "id_number": crate::privacy::mask_id(&m.id_number),
                   "labor": m.labor.map(|x| label("labor", x.code()))})
        })
        .collect();
    // The income of the household's income year against that year's poverty line.
    let income_year = h.income_year;
    let line = income_year
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31))
        .and_then(|d| st.policies.for_area(&h.area_code).poverty_line(d).ok())
        .map(|s| fupin_core::money::fmt_plain(s.value));
    let per_capita = (!h.members.is_empty())
        .then(|| fmt2(h.income.net() / fupin_core::Decimal::from(h.members.len())));
    // What the household received from the funds (issue 14): its small loans, and the dividends
    // of the card's year.
    let loans = serde_json::to_value(st.dir.household_loans(&h.number).await?).unwrap_or_default();
    let dividends: Vec<_> = st
        .dir
        .household_dividends(&h.number)
        .await?
        .into_iter()
        .filter(|d| d.year == year)
        .collect();
    let dividends = serde_json::to_value(dividends).unwrap_or_default();
    let village = crate::names::name_of(st, &h.area_code).await?;
    let head = h
        .members
        .iter()
        .find(|m| m.relation == fupin_core::codes::Relation::Head)
        .map(|m| m.name.clone());
    Ok(json!({
        "number": h.number,
        "village": village,
        "head": head,
        "status": label("status", h.status.code()),
        "monitoring": h.monitoring.map(|m| label("monitoring", m.code())),
        "members": members,
        "income_year": income_year,
        "per_capita": per_capita,
        "line": line,
        "year": year,
        "plan": plan.map(|p| json!({"paths": p.paths.iter().map(|x| label("plan_path", x.code())).collect::<Vec<_>>(), "target": p.target})),
        "measures": ms,
        "total": fmt2(total),
        "cadres": cadres,
        "loans": loans,
        "dividends": dividends,
        "code": code,
        "qr": code.as_deref().and_then(qr_svg),
    }))
}

/// The household card (明白卡) of one household: an A5 page to print.
async fn card(
    State(st): St,
    p: Page,
    Path(number): Path<String>,
    Query(q): Query<CardQuery>,
) -> PageResult {
    let h = st
        .household_for(&p.session, &number, false)
        .await
        .map_err(|e| p.error(e))?;
    let c = card_of(&st, p.lang, &h, q.year)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        cards => JValue::from_serialize(vec![crate::privacy::for_session(&p.session, &c)]),
        title => h.number.clone(),
        village => JValue::from(None::<String>),
    };
    Ok(p.render("assistance/cards.html", ctx))
}

/// Every card of a village's households under assistance (poor, returned or monitored), one A5
/// page each; a cadre sees its paired households only.
async fn village_cards(
    State(st): St,
    p: Page,
    Path(code): Path<String>,
    Query(q): Query<CardQuery>,
) -> PageResult {
    let s = &p.session;
    let area = st.area_for(s, Some(&code)).map_err(|e| p.error(e))?;
    if area.len() != 12 {
        return Err(p.error(crate::ApiError::not_found()));
    }
    let listed = st
        .dir
        .assistance_check(&area, crate::registry::service::today())
        .await
        .map_err(|e| p.error(e))?;
    let mut cards = Vec::new();
    for g in listed.households.iter().take(500) {
        let Ok(h) = st.household_for(s, &g.id, false).await else {
            continue;
        };
        let c = card_of(&st, p.lang, &h, q.year)
            .await
            .map_err(|e| p.error(e))?;
        cards.push(crate::privacy::for_session(s, &c));
    }
    let name = crate::names::name_of(&st, &area)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        cards => JValue::from_serialize(&cards),
        title => name.clone().unwrap_or_else(|| area.clone()),
        village => name.or(Some(area)),
    };
    Ok(p.render("assistance/cards.html", ctx))
}
