//! The responsibility network's pages: the county's management page, the coverage page, the
//! cadre's phone page "我的帮扶户" with its visit form, and the forms of the household page.

use super::{
    service, BulkPairingEnd, BulkPairingIn, CadreIn, IssueIn, MemberIn, NetworkQuery, PairingEnd,
    PairingIn, PairingKey, TeamIn, UnitIn, VisitIn,
};
use crate::authz::{self, Action};
use crate::render::{FormWrite, Page};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
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
        .route(
            "/responsibility/workbook",
            post(upload_workbook).layer(axum::extract::DefaultBodyLimit::max(
                crate::registry::import::UPLOAD_LIMIT,
            )),
        )
        .route("/responsibility/template.xlsx", get(template))
        .route("/responsibility/pairings/bulk", get(bulk).post(bulk_pair))
        .route("/responsibility/pairings/bulk-end", post(bulk_end))
        .route("/my", get(my))
        .route("/households/{number}/visits", post(record_visit))
}

fn opt(w: &FormWrite, k: &str) -> Option<String> {
    w.form.get(k).cloned()
}

async fn network(State(st): St, p: Page, Query(q): Query<NetworkQuery>) -> PageResult {
    network_page(&st, &p, q.area.as_deref(), StatusCode::OK, JValue::from(())).await
}

/// The management page, with the outcome of a workbook upload (`upload`) at its top.
async fn network_page(
    st: &AppState,
    p: &Page,
    area: Option<&str>,
    status: StatusCode,
    upload: JValue,
) -> PageResult {
    let s = &p.session;
    let area = service::read_area(st, s, area).map_err(|e| p.error(e))?;
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
        upload => upload,
    };
    Ok(p.render_as(status, "responsibility/network.html", ctx))
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
            if let Gap::HouseholdUnpaired { household } = g {
                let village = &household[..household.len().min(12)];
                v["fix"] = json!(format!(
                    "/responsibility/pairings/bulk?area={village}&household={household}"
                ));
            }
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
    Ok(xlsx(&ascii, &name, bytes))
}

/// `?area=` (a township or village), `?household=` (checked), `?paired=` / `?ended=` (done).
#[derive(serde::Deserialize, Default)]
struct BulkQuery {
    area: Option<String>,
    household: Option<String>,
    paired: Option<usize>,
    ended: Option<usize>,
}

/// The bulk pairing page: the area's households needing a cadre (a checkbox each), the county's
/// cadres with their load and quota, one start date; its open pairings to end with a reason.
async fn bulk_page(
    st: &AppState,
    p: &Page,
    q: &BulkQuery,
    status: StatusCode,
    checked: Vec<String>,
    errors: Vec<serde_json::Value>,
) -> PageResult {
    let (area, data) = service::bulk_page(st, &p.session, q.area.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let all = crate::i18n::t(p.lang, "all_areas");
    let picker = crate::names::picker(st, &p.session.scope.area, Some(&area), &all)
        .await
        .map_err(|e| p.error(e))?;
    let codes: Vec<String> = data["households"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(data["open"].as_array().into_iter().flatten())
        .filter_map(|h| h["area_code"].as_str().map(str::to_string))
        .collect();
    let names = crate::names::names_of(st, &codes)
        .await
        .map_err(|e| p.error(e))?;
    let mut checked = checked;
    checked.extend(q.household.clone());
    let ctx = context! {
        area => area,
        area_name => crate::names::name_of(st, &area).await.map_err(|e| p.error(e))?,
        areas => JValue::from_serialize(&picker),
        area_names => names,
        data => JValue::from_serialize(&data),
        checked => checked,
        errors => JValue::from_serialize(&errors),
        paired => q.paired,
        ended => q.ended,
        today => crate::registry::service::today().to_string(),
    };
    Ok(p.render_as(status, "responsibility/bulk.html", ctx))
}

async fn bulk(State(st): St, p: Page, Query(q): Query<BulkQuery>) -> PageResult {
    bulk_page(&st, &p, &q, StatusCode::OK, Vec::new(), Vec::new()).await
}

/// The fields of a refusal, to show above the form (403 and 404 take the error page).
fn refusal(e: &crate::ApiError) -> Vec<serde_json::Value> {
    let mut out = e.fields.clone();
    if out.is_empty() {
        out.push(json!({"field": "", "code": e.code, "message": e.message}));
    }
    out
}

async fn bulk_pair(State(st): St, w: FormWrite) -> PageResult {
    let mut households: Vec<String> = w
        .form
        .iter()
        .filter(|(_, v)| v.as_str() == "on")
        .filter_map(|(k, _)| k.strip_prefix("h_").map(str::to_string))
        .collect();
    households.sort();
    let b = BulkPairingIn {
        cadre: opt(&w, "cadre"),
        households: households.clone(),
        start: opt(&w, "start"),
    };
    let area = w.get("area").to_string();
    match service::pair_in_bulk(&st, &w.page.session, &b).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/responsibility/pairings/bulk?area={area}&paired={}",
            done.len()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let q = BulkQuery {
                area: Some(area),
                ..BulkQuery::default()
            };
            bulk_page(&st, &w.page, &q, e.status, households, refusal(&e)).await
        }
        Err(e) => Err(w.page.error(e)),
    }
}

async fn bulk_end(State(st): St, w: FormWrite) -> PageResult {
    let mut pairings: Vec<PairingKey> = w
        .form
        .iter()
        .filter(|(_, v)| v.as_str() == "on")
        .filter_map(|(k, _)| k.strip_prefix("end_")?.split_once('_'))
        .map(|(household, cadre)| PairingKey {
            cadre: Some(cadre.to_string()),
            household: Some(household.to_string()),
        })
        .collect();
    pairings.sort_by(|a, b| (&a.household, &a.cadre).cmp(&(&b.household, &b.cadre)));
    let b = BulkPairingEnd {
        pairings,
        end: opt(&w, "end"),
        reason: opt(&w, "reason"),
    };
    let area = w.get("area").to_string();
    match service::end_in_bulk(&st, &w.page.session, &b).await {
        Ok(n) => Ok(Redirect::to(&format!(
            "/responsibility/pairings/bulk?area={area}&ended={n}"
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let q = BulkQuery {
                area: Some(area),
                ..BulkQuery::default()
            };
            bulk_page(&st, &w.page, &q, e.status, Vec::new(), refusal(&e)).await
        }
        Err(e) => Err(w.page.error(e)),
    }
}

/// The empty workbook with the code lists (`fupin responsibility template`).
async fn template(State(st): St, p: Page) -> PageResult {
    service::read_area(&st, &p.session, None).map_err(|e| p.error(e))?;
    let bytes = fupin_sheet::responsibility::workbook_bytes(&json!({}))
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())?;
    Ok(xlsx(
        "responsibility-template.xlsx",
        "帮扶责任体系-模板.xlsx",
        bytes,
    ))
}

fn xlsx(ascii: &str, name: &str, bytes: Vec<u8>) -> Response {
    use axum::http::{header, HeaderValue};
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::registry::export::content_disposition(ascii, name),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `POST /responsibility/workbook`: the workbook `fupin responsibility import` reads (multipart,
/// field `file`), checked the same way within the county's area and written all or nothing; the
/// management page shows what was written, or every error by sheet, row and column.
async fn upload_workbook(State(st): St, p: Page, headers: HeaderMap, body: Bytes) -> PageResult {
    let parts =
        crate::registry::import::form_parts(&st, &p, &headers, &body).map_err(|e| p.error(e))?;
    let s = &p.session;
    let area = s.scope.area.clone();
    authz::check(&s.scope, Action::ManageNetwork(&area)).map_err(|e| p.error(e))?;
    let Some(file) = parts
        .iter()
        .find(|x| x.name == "file")
        .filter(|f| !f.data.is_empty())
    else {
        let e = crate::ApiError::bad_request(
            "file",
            "请选择要导入的工作簿 / choose a workbook to import",
        );
        return Err(p.error(e));
    };
    let name = file.filename.clone().unwrap_or_default();
    let wb = crate::registry::import::read_upload("xlsx", file.data, |path| {
        fupin_sheet::responsibility::read_workbook(path)
    })
    .map_err(|e| {
        p.error(crate::ApiError::bad_request(
            "file",
            format!("无法读取工作簿 / the workbook cannot be read: {e}"),
        ))
    })?;
    let plan = super::workbook::plan(&*st.repo, &*st.dir, &wb, &area, Some(&area))
        .await
        .map_err(|e| match e {
            super::workbook::PlanError::Store(e) => p.error(e),
            super::workbook::PlanError::Input(m) => {
                p.error(crate::ApiError::bad_request("file", m))
            }
        })?;
    let errors: Vec<serde_json::Value> = plan
        .errors
        .iter()
        .map(|e| {
            let (sheet, column) = e.column.split_once('!').unwrap_or(("", &e.column));
            json!({"sheet": sheet, "row": e.row, "column": column, "code": e.code,
                "message": if p.lang == "en" { &e.en } else { &e.zh }})
        })
        .collect();
    let b = &plan.batch;
    let committed = errors.is_empty();
    if committed {
        st.dir
            .save_network(b, &s.user)
            .await
            .map_err(|e| p.error(e))?;
    }
    let outcome = json!({"file": name, "committed": committed, "errors": errors,
        "units": b.units.len(), "cadres": b.cadres.len(), "pairings": b.pairings.len(),
        "teams": b.teams.len(), "visits": b.visits.len()});
    let status = if committed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    network_page(&st, &p, None, status, JValue::from_serialize(&outcome)).await
}
