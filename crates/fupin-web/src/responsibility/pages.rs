//! The responsibility network's pages: the county's management page, the coverage page, the
//! cadre's phone page "我的帮扶户" with its visit form, and the forms of the household page.

use super::{
    service, CadreIn, IssueIn, MemberIn, NetworkQuery, PairingEnd, PairingIn, TeamIn, UnitIn,
    VisitIn,
};
use crate::authz::{self, Action};
use crate::render::{FormWrite, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fupin_core::responsibility::Gap;
use minijinja::{context, Value as JValue};
use serde_json::json;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/responsibility", get(network))
        .route("/responsibility/units", post(save_unit))
        .route("/responsibility/cadres", post(save_cadre))
        .route("/responsibility/teams", post(save_team))
        .route("/responsibility/pairings", post(pair))
        .route("/responsibility/pairings/end", post(end_pairing))
        .route("/responsibility/coverage", get(coverage))
        .route("/responsibility/workbook.xlsx", get(workbook))
        .route("/my", get(my))
        .route("/households/{number}/visits", post(record_visit))
}

fn opt(w: &FormWrite, k: &str) -> Option<String> {
    w.form.get(k).cloned()
}

async fn network(State(st): St, p: Page, Query(q): Query<NetworkQuery>) -> PageResult {
    let s = &p.session;
    let area = service::read_area(&st, s, q.area.as_deref()).map_err(|e| p.error(e))?;
    let units = st.dir.units(&area).await.map_err(|e| p.error(e))?;
    let cadres = st.dir.cadres(&area).await.map_err(|e| p.error(e))?;
    let teams = st.dir.teams(&area).await.map_err(|e| p.error(e))?;
    let enterprise = st
        .dir
        .enterprise_pairings(&area)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        area => area.clone(),
        units => JValue::from_serialize(&units),
        cadres => JValue::from_serialize(&cadres),
        teams => JValue::from_serialize(&teams),
        enterprise => JValue::from_serialize(&enterprise),
        can_manage => authz::may(&s.scope, Action::ManageNetwork(&area)),
        today => crate::registry::service::today().to_string(),
    };
    Ok(p.render("responsibility/network.html", ctx))
}

/// After a management form: back to the page it came from (`next`, a path of this site) or the
/// management page.
fn back(w: &FormWrite, default: &str) -> Response {
    let next = w.get("next");
    let to = if crate::render::safe_next(next) {
        next
    } else {
        default
    };
    Redirect::to(to).into_response()
}

async fn save_unit(State(st): St, w: FormWrite) -> PageResult {
    let b = UnitIn {
        code: opt(&w, "code"),
        name: opt(&w, "name"),
        kind: opt(&w, "kind"),
        area: None,
    };
    match service::save_unit(&st, &w.page.session, &b).await {
        Ok(_) => Ok(back(&w, "/responsibility")),
        Err(e) => Err(w.page.error(e)),
    }
}

async fn save_cadre(State(st): St, w: FormWrite) -> PageResult {
    let b = CadreIn {
        id: opt(&w, "id"),
        name: opt(&w, "name"),
        unit: opt(&w, "unit"),
        rank: opt(&w, "rank"),
        phone: opt(&w, "phone"),
        account: opt(&w, "account"),
        area: None,
    };
    match service::save_cadre(&st, &w.page.session, &b).await {
        Ok(_) => Ok(back(&w, "/responsibility")),
        Err(e) => Err(w.page.error(e)),
    }
}

async fn save_team(State(st): St, w: FormWrite) -> PageResult {
    let mut members = Vec::new();
    if !w.get("leader").trim().is_empty() {
        members.push(MemberIn {
            cadre: opt(&w, "leader"),
            role: Some("leader".into()),
            first_secretary: w.get("leader_first_secretary") == "on",
        });
    }
    for c in w
        .get("members")
        .split([',', ',', ' '])
        .filter(|c| !c.is_empty())
    {
        members.push(MemberIn {
            cadre: Some(c.to_string()),
            role: Some("member".into()),
            first_secretary: false,
        });
    }
    let b = TeamIn {
        id: opt(&w, "id"),
        village: opt(&w, "village"),
        unit: opt(&w, "unit"),
        start: opt(&w, "start"),
        end: opt(&w, "end"),
        members,
    };
    match service::save_team(&st, &w.page.session, &b).await {
        Ok(_) => Ok(back(&w, "/responsibility")),
        Err(e) => Err(w.page.error(e)),
    }
}

async fn pair(State(st): St, w: FormWrite) -> PageResult {
    let b = PairingIn {
        cadre: opt(&w, "cadre"),
        household: opt(&w, "household"),
        start: opt(&w, "start"),
    };
    match service::pair(&st, &w.page.session, &b).await {
        Ok(p) => Ok(back(
            &w,
            &format!("/households/{}?saved=1", p.pairing.household),
        )),
        Err(e) => Err(w.page.error(e)),
    }
}

async fn end_pairing(State(st): St, w: FormWrite) -> PageResult {
    let b = PairingEnd {
        cadre: opt(&w, "cadre"),
        household: opt(&w, "household"),
        end: opt(&w, "end"),
        reason: opt(&w, "reason"),
    };
    match service::end_pairing(&st, &w.page.session, &b).await {
        Ok(()) => Ok(back(
            &w,
            &format!("/households/{}?saved=1", w.get("household")),
        )),
        Err(e) => Err(w.page.error(e)),
    }
}

/// Where a gap is fixed: the household, the village, or the management page.
fn gap_link(g: &Gap) -> String {
    match g {
        Gap::HouseholdUnpaired { household }
        | Gap::PairingAfterExit { household, .. }
        | Gap::PairingOverTerm { household, .. } => format!("/households/{household}"),
        Gap::VillageNeedsFirstSecretary { village, .. } | Gap::VillageNeedsTeam { village, .. } => {
            format!("/villages/{village}")
        }
        Gap::CadreBelowQuota { .. } | Gap::UnitSpread { .. } | Gap::TeamOverTerm { .. } => {
            "/responsibility".into()
        }
    }
}

async fn coverage(State(st): St, p: Page, Query(q): Query<NetworkQuery>) -> PageResult {
    let (area, r) = service::coverage(&st, &p.session, q.area.as_deref(), q.as_of.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let gaps: Vec<_> = r
        .gaps
        .iter()
        .map(|g| {
            let mut v = serde_json::to_value(g).expect("json");
            v["href"] = json!(gap_link(g));
            v["subject"] = json!(g.subject());
            v
        })
        .collect();
    let by_code: Vec<_> = r
        .by_code()
        .into_iter()
        .map(|(k, n)| json!({"code": k, "n": n}))
        .collect();
    let ctx = context! {
        area => area,
        as_of => r.as_of.to_string(),
        policy => r.policy.clone(),
        gaps => JValue::from_serialize(&gaps),
        by_code => JValue::from_serialize(&by_code),
        visits => JValue::from_serialize(&r.visits),
    };
    Ok(p.render("responsibility/coverage.html", ctx))
}

async fn my(State(st): St, p: Page) -> PageResult {
    let s = &p.session;
    let cadre = service::own_cadre(&st, s).await.map_err(|e| p.error(e))?;
    let households = service::my_households(&st, s)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        cadre => JValue::from_serialize(cadre.as_ref().map(|c| &c.cadre)),
        households => JValue::from_serialize(&households),
        today => crate::registry::service::today().to_string(),
    };
    Ok(p.render("responsibility/my.html", ctx))
}

async fn record_visit(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let b = VisitIn {
        date: opt(&w, "date"),
        cadre: opt(&w, "cadre"),
        findings: opt(&w, "findings"),
        issues: vec![IssueIn {
            text: opt(&w, "issue"),
            measure: opt(&w, "measure"),
            closed: w.get("closed") == "on",
        }],
    };
    match service::record_visit(&st, &w.page.session, &number, &b).await {
        Ok(_) => Ok(back(&w, &format!("/my?saved={number}"))),
        Err(e) => Err(w.page.error(e)),
    }
}

/// The network of the user's area (or `?area=`) as the workbook of `fupin responsibility export`.
async fn workbook(State(st): St, p: Page, Query(q): Query<NetworkQuery>) -> PageResult {
    use axum::http::{header, HeaderValue};
    let s = &p.session;
    let area = service::read_area(&st, s, q.area.as_deref()).map_err(|e| p.error(e))?;
    let err = |e: fupin_store::StoreError| p.error(e);
    let units = st.dir.units(&area).await.map_err(err)?;
    let cadres = st.dir.cadres(&area).await.map_err(err)?;
    let pairings: Vec<_> = st
        .dir
        .pairings(&area)
        .await
        .map_err(err)?
        .into_iter()
        .map(|x| x.pairing)
        .collect();
    let teams = st.dir.teams(&area).await.map_err(err)?;
    let from = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let to = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    let visits = st.dir.visits(&area, from, to).await.map_err(err)?;
    let doc = json!({"units": units, "cadres": cadres, "pairings": pairings, "teams": teams, "visits": visits});
    let bytes = fupin_sheet::responsibility::workbook_bytes(&doc).map_err(|e| {
        (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
    })?;
    let today = crate::registry::service::today();
    let ascii = format!("{area}-responsibility-{today}.xlsx");
    let name = format!("{area}-帮扶责任体系-{today}.xlsx");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::registry::export::content_disposition(&ascii, &name),
            ),
        ],
        bytes,
    )
        .into_response())
}
