//! The identification pages: the list with its filing form, one application with its next step,
//! and a village's public notice.

use super::{service, NewApplication, StepInput};
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

/// The context of the list page, with the filing form's values and errors.
fn list_ctx(
    apps: &[Application],
    form: Option<&NewApplication>,
    errors: HashMap<String, String>,
    message: Option<String>,
) -> JValue {
    context! {
        apps => JValue::from_serialize(apps),
        steps => steps(),
        errors => errors,
        v => JValue::from_serialize(form),
        message => message,
    }
}

async fn list(State(st): St, p: Page, Query(q): Query<AreaParam>) -> PageResult {
    let apps = service::list(&st, &p.session, q.area.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let ctx = list_ctx(&apps, None, HashMap::new(), None);
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
    let apps = st
        .dir
        .applications(&p.session.scope.area)
        .await
        .unwrap_or_default();
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
    let ctx = list_ctx(&apps, Some(&body), errors, Some(e.message.clone()));
    Ok(p.render_as(e.status, "applications/applications.html", ctx))
}

fn application_ctx(a: &Application, error: Option<String>) -> JValue {
    let current = Step::parse(&a.step).unwrap_or(Step::Application);
    let next = if a.rejected { None } else { current.next() };
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
    }
}

async fn show(State(st): St, p: Page, Path(id): Path<String>) -> PageResult {
    let a = service::read(&st, &p.session, &id)
        .await
        .map_err(|e| p.error(e))?;
    Ok(p.render("applications/application.html", application_ctx(&a, None)))
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
        Err(e) => e,
    };
    let a = service::read(&st, &p.session, &id)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = application_ctx(&a, Some(e.message.clone()));
    Ok(p.render_as(e.status, "applications/application.html", ctx))
}

async fn notice(State(st): St, p: Page, Path(code): Path<String>) -> PageResult {
    let (area, rows) = service::notice(&st, &p.session, &code)
        .await
        .map_err(|e| p.error(e))?;
    let info = st.dir.area(&area).await.map_err(|e| p.error(e))?;
    let today = crate::registry::service::today().to_string();
    let ctx = context! { rows => rows, area => area, name => info.map(|a| a.name).unwrap_or_default(), today => today };
    Ok(p.render("applications/notice.html", ctx))
}
