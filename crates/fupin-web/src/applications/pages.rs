//! The identification pages: the list with its filing form, one application with its next step,
//! and a village's public notice.

use super::{service, NewApplication, StepInput};
use crate::authz::{self, Action};
use crate::registry::{AreaParam, Numeric};
use crate::render::{FormWrite, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fupin_core::identification::{Exclusion, Step};
use fupin_store::directory::Application;
use minijinja::{context, Value as JValue};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/applications", get(list).post(create))
        .route("/applications/{id}", get(show))
        .route("/applications/{id}/steps", post(step))
        .route("/villages/{code}/notice", get(notice))
}

fn steps() -> Vec<Value> {
    Step::ALL
        .iter()
        .map(|x| json!({"code": x.code(), "zh": x.zh(), "en": x.en()}))
        .collect()
}

/// The context of the list page, with the filing form's values and errors, the villages' names and
/// the area picker (the village prefilled for a village account).
async fn list_ctx(
    st: &AppState,
    p: &Page,
    apps: &[Application],
    form: Option<&NewApplication>,
    errors: HashMap<String, String>,
    message: Option<String>,
) -> Result<JValue, Response> {
    let codes: Vec<String> = apps.iter().map(|a| a.area_code.clone()).collect();
    let names = crate::names::names_of(st, &codes)
        .await
        .map_err(|e| p.error(e))?;
    let own = &p.session.scope.area;
    let chosen = form
        .and_then(|f| f.area_code.clone())
        .or_else(|| (own.len() == 12).then(|| own.clone()));
    let all = crate::i18n::t(p.lang, "all_areas");
    let picker = crate::names::picker(st, own, chosen.as_deref(), &all)
        .await
        .map_err(|e| p.error(e))?;
    Ok(context! {
        apps => JValue::from_serialize(apps),
        steps => steps(),
        errors => errors,
        v => JValue::from_serialize(form),
        message => message,
        area_names => names,
        areas => JValue::from_serialize(&picker),
        chosen_area => chosen,
    })
}

async fn list(State(st): St, p: Page, Query(q): Query<AreaParam>) -> PageResult {
    let apps = service::list(&st, &p.session, q.area.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let ctx = list_ctx(&st, &p, &apps, None, HashMap::new(), None).await?;
    Ok(p.render("applications/applications.html", ctx))
}

async fn create(State(st): St, w: FormWrite) -> PageResult {
    let p = &w.page;
    let get = |k: &str| w.form.get(k).cloned();
    let body = NewApplication {
        area_code: get("area_code"),
        applicant_name: get("applicant_name"),
        applicant_id_number: get("applicant_id_number"),
        members: get("members").map(Numeric),
        reason: get("reason"),
    };
    let e = match service::file(&st, &p.session, &body).await {
        Ok(a) => return Ok(Redirect::to(&format!("/applications/{}", a.id)).into_response()),
        Err(e) => e,
    };
    let apps = service::list(&st, &p.session, None)
        .await
        .map_err(|e| p.error(e))?;
    let errors: HashMap<String, String> = e
        .fields
        .iter()
        .map(|x| {
            (
                x["field"].as_str().unwrap_or("").to_string(),
                x["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let ctx = list_ctx(&st, p, &apps, Some(&body), errors, Some(e.message.clone())).await?;
    Ok(p.render_as(e.status, "applications/applications.html", ctx))
}

fn application_ctx(
    p: &Page,
    a: &Application,
    error: Option<String>,
    village: Option<String>,
) -> JValue {
    let current = Step::parse(&a.step).unwrap_or(Step::Application);
    let next = if a.rejected { None } else { current.next() };
    // The next step's form only for the level that signs it.
    let area = a.area_code.as_str();
    let next = next.filter(|&step| authz::may(&p.session.scope, Action::RecordStep { area, step }));
    let steps: Vec<Value> = Step::ALL
        .iter()
        .map(|x| {
            let rec = a.steps.iter().find(|r| r.step == x.code());
            json!({"code": x.code(), "zh": x.zh(), "en": x.en(), "done": rec})
        })
        .collect();
    let exclusions: Vec<Value> = Exclusion::ALL
        .iter()
        .map(|e| json!({"code": e.code(), "zh": e.zh()}))
        .collect();
    context! {
        app => JValue::from_serialize(a),
        steps => steps,
        next => next.map(|n| json!({"code": n.code(), "zh": n.zh(), "en": n.en(), "county": n == Step::CountyReview})),
        exclusions => exclusions,
        error => error,
        village => village,
    }
}

/// The name of an application's village.
async fn village_of(st: &AppState, a: &Application) -> Option<String> {
    crate::names::name_of(st, &a.area_code).await.ok().flatten()
}

async fn show(State(st): St, p: Page, Path(id): Path<String>) -> PageResult {
    let a = service::read(&st, &p.session, &id)
        .await
        .map_err(|e| p.error(e))?;
    let village = village_of(&st, &a).await;
    let ctx = application_ctx(&p, &a, None, village);
    Ok(p.render("applications/application.html", ctx))
}

async fn step(State(st): St, Path(id): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let exclusions = Exclusion::ALL
        .iter()
        .map(|e| e.code())
        .filter(|c| w.form.contains_key(&format!("ex_{c}")))
        .map(str::to_string)
        .collect();
    let body = StepInput {
        step: w.form.get("step").cloned(),
        outcome: w.form.get("outcome").cloned(),
        note: w.form.get("note").cloned(),
        exclusions,
        // Registration posts the household from the new-household form (registry pages).
        household: None,
    };
    let e = match service::advance(&st, &p.session, &id, &body).await {
        Ok(_) => return Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(e) if matches!(e.status.as_u16(), 403 | 404) => return Err(p.error(e)),
        Err(e) => e,
    };
    let a = service::read(&st, &p.session, &id)
        .await
        .map_err(|e| p.error(e))?;
    let village = village_of(&st, &a).await;
    let ctx = application_ctx(p, &a, Some(e.message.clone()), village);
    Ok(p.render_as(e.status, "applications/application.html", ctx))
}

async fn notice(State(st): St, p: Page, Path(code): Path<String>) -> PageResult {
    let (area, rows) = service::notice(&st, &p.session, &code)
        .await
        .map_err(|e| p.error(e))?;
    let crumbs = crate::names::breadcrumb(&st, &p.session.scope.area, &area)
        .await
        .map_err(|e| p.error(e))?;
    let name = crumbs.last().map(|c| c.name.clone()).unwrap_or_default();
    let today = crate::registry::service::today().to_string();
    let ctx = context! { rows => rows, steps => steps(), crumbs => JValue::from_serialize(&crumbs), name => name, today => today };
    Ok(p.render("applications/notice.html", ctx))
}
