//! The proposals' pages: the list (with the county's decision forms), and the forms that propose
//! (from the household page) and decide.

use super::{service, Decision, NewProposal, ProposalQuery};
use crate::authz::{self, Action};
use crate::render::{FormWrite, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fupin_store::directory::Proposal;
use minijinja::{context, Value as JValue};
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/proposals", get(list))
        .route("/proposals/{id}/decision", post(decide))
        .route("/households/{number}/proposals", post(propose))
}

fn list_ctx(p: &Page, rows: &[Proposal], status: Option<&str>, error: Option<String>) -> JValue {
    let s = &p.session;
    let can_decide = rows
        .iter()
        .any(|x| authz::may(&s.scope, Action::DecideProposal { area: &x.area_code }));
    context! {
        proposals => JValue::from_serialize(rows),
        status => status,
        can_decide => can_decide,
        error => error,
    }
}

async fn list(State(st): St, p: Page, Query(q): Query<ProposalQuery>) -> PageResult {
    let status = q
        .status
        .as_deref()
        .or(Some("pending"))
        .filter(|x| *x != "all");
    let rows = service::list(&st, &p.session, q.area.as_deref(), status)
        .await
        .map_err(|e| p.error(e))?;
    Ok(p.render(
        "proposals/proposals.html",
        list_ctx(&p, &rows, status, None),
    ))
}

async fn decide(State(st): St, Path(id): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = Decision {
        decision: w.form.get("decision").cloned(),
        reason: w.form.get("reason").cloned(),
    };
    let e = match service::decide(&st, &p.session, &id, &b).await {
        Ok(_) => return Ok(Redirect::to("/proposals").into_response()),
        Err(e) => e,
    };
    if matches!(e.status.as_u16(), 403 | 404) {
        return Err(p.error(e));
    }
    let rows = service::list(&st, &p.session, None, Some("pending"))
        .await
        .map_err(|e| p.error(e))?;
    let ctx = list_ctx(p, &rows, Some("pending"), Some(e.message.clone()));
    Ok(p.render_as(e.status, "proposals/proposals.html", ctx))
}

async fn propose(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = NewProposal {
        kind: w.form.get("kind").cloned(),
        date: w.form.get("date").cloned(),
        reason: w.form.get("reason").cloned(),
    };
    match service::propose(&st, &p.session, &number, &b).await {
        Ok(_) => Ok(Redirect::to(&format!("/households/{number}?saved=1")).into_response()),
        Err(e) => Err(p.error(e)),
    }
}
