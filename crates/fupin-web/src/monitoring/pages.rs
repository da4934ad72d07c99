//! The monitoring pages: the area's monitoring (signals, cases overdue first, the department file
//! upload), a case with the step form of the session's level, risk elimination in words, the
//! household page's section, and the public self-report page with its QR code for notice boards.

use super::{service, AreaQuery, EliminationBody, NewCaseBody, NewStepBody, SelfReport, WHAT};
use crate::authz::{self, Action};
use crate::render::{error_page, render, FormWrite, Page};
use crate::session::{cookie, lang, ClientAddr, Session};
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use fupin_core::codes::CodeList;
use fupin_core::monitoring::{may_record, Item, Step};
use fupin_store::HouseholdRecord;
use minijinja::{context, Value as JValue};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

/// The pre-session CSRF cookie of the public self-report form.
pub const REPORT_COOKIE: &str = "fupin_report";

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/monitoring", get(overview))
        .route("/monitoring/cases/{id}", get(case))
        .route("/monitoring/cases/{id}/steps", post(record_step))
        .route("/monitoring/signals/{id}/case", post(case_from_signal))
        .route("/monitoring/signals/{id}/dismiss", post(dismiss_signal))
        .route("/monitoring/department", post(compare))
        .route("/monitoring/report-qr", get(report_qr))
        .route("/households/{number}/monitoring/cases", post(open_case))
        .route(
            "/households/{number}/monitoring/elimination",
            post(eliminate),
        )
        .route("/report", get(report_page).post(report_post))
}

fn labels(lang: &str, list: &'static [(&'static str, &'static str, &'static str)]) -> JValue {
    JValue::from_serialize(
        list.iter()
            .map(|(c, zh, en)| (*c, if lang == "en" { *en } else { *zh }))
            .collect::<Vec<_>>(),
    )
}

/// The steps the session may record (after the signal), with their labels.
fn step_options(p: &Page) -> Vec<(&'static str, &'static str)> {
    Step::all()
        .iter()
        .filter(|s| **s != Step::Signal && may_record(p.session.scope.role, **s))
        .map(|s| (s.code(), if p.lang == "en" { s.en() } else { s.zh() }))
        .collect()
}

async fn overview(State(st): St, p: Page, Query(q): Query<AreaQuery>) -> PageResult {
    overview_page(&st, &p, q.area.as_deref(), None, StatusCode::OK).await
}

async fn overview_page(
    st: &AppState,
    p: &Page,
    area: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let o = service::overview(st, &p.session, area)
        .await
        .map_err(|e| p.error(e))?;
    let can_compare = authz::may(
        &p.session.scope,
        Action::CountyMonitoring {
            area: &p.session.scope.area,
        },
    );
    let can_open = authz::may(
        &p.session.scope,
        Action::CaseStep {
            area: &o.area,
            step: Step::Signal,
        },
    );
    let can_dismiss = authz::may(&p.session.scope, Action::DismissSignal { area: &o.area });
    let ctx = context! {
        o => crate::privacy::for_session(&p.session, &o),
        can_compare => can_compare,
        can_open => can_open,
        can_dismiss => can_dismiss,
        result => None::<String>,
        error => error,
    };
    Ok(p.render_as(status, "monitoring/monitoring.html", ctx))
}

async fn dismiss_signal(State(st): St, Path(id): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = super::DismissBody {
        reason: w.form.get("reason").cloned(),
        date: w.form.get("date").cloned(),
    };
    match service::dismiss_signal(&st, &p.session, &id, &b).await {
        Ok(_) => Ok(Redirect::to("/monitoring").into_response()),
        Err(e) if matches!(e.status.as_u16(), 403 | 404) => Err(p.error(e)),
        Err(e) => overview_page(&st, p, None, Some(e.message), e.status).await,
    }
}

async fn case_page(
    st: &AppState,
    p: &Page,
    id: &str,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let row = service::read(st, &p.session, id)
        .await
        .map_err(|e| p.error(e))?;
    let open = row.case.status == "open";
    let steps = if open { step_options(p) } else { Vec::new() };
    let can_eliminate = row.case.status == "enrolled"
        && authz::may(
            &p.session.scope,
            Action::CountyMonitoring {
                area: &row.case.area_code,
            },
        );
    let ctx = context! {
        c => JValue::from_serialize(&row),
        step_options => JValue::from_serialize(&steps),
        can_eliminate => can_eliminate,
        today => crate::registry::service::today().to_string(),
        error => error,
    };
    Ok(p.render_as(status, "monitoring/case.html", ctx))
}

async fn case(State(st): St, p: Page, Path(id): Path<String>) -> PageResult {
    case_page(&st, &p, &id, None, StatusCode::OK).await
}

async fn record_step(State(st): St, Path(id): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = NewStepBody {
        step: w.form.get("step").cloned(),
        date: w.form.get("date").cloned(),
        note: w.form.get("note").cloned(),
        documents: w.form.get("documents").cloned().into_iter().collect(),
        outcome: w.form.get("outcome").cloned().filter(|x| !x.is_empty()),
        category: w.form.get("category").cloned().filter(|x| !x.is_empty()),
    };
    match service::record_step(&st, &p.session, &id, &b).await {
        Ok(_) => Ok(Redirect::to(&format!("/monitoring/cases/{id}")).into_response()),
        Err(e) if matches!(e.status.as_u16(), 403 | 404) => Err(p.error(e)),
        Err(e) => case_page(&st, p, &id, Some(e.message), e.status).await,
    }
}

async fn case_from_signal(State(st): St, Path(id): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    match service::case_from_signal(&st, &p.session, &id).await {
        Ok(row) => Ok(Redirect::to(&format!("/monitoring/cases/{}", row.case.id)).into_response()),
        Err(e) => Err(p.error(e)),
    }
}

async fn open_case(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = NewCaseBody {
        date: w.form.get("date").cloned(),
        detail: w.form.get("detail").cloned(),
    };
    match service::open_case(&st, &p.session, &number, &b).await {
        Ok(row) => Ok(Redirect::to(&format!("/monitoring/cases/{}", row.case.id)).into_response()),
        Err(e) => Err(p.error(e)),
    }
}

async fn eliminate(State(st): St, Path(number): Path<String>, w: FormWrite) -> PageResult {
    let p = &w.page;
    let b = EliminationBody {
        months_above_line: w.get("months_above_line").trim().parse().ok(),
        rigid_expense_resolved: Some(w.get("rigid_expense_resolved") == "true"),
        social_security: match w.get("social_security") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        record: w.get("record") == "true",
        case: w.form.get("case").cloned(),
        note: w.form.get("note").cloned(),
        date: w.form.get("date").cloned(),
    };
    let r = service::eliminate(&st, &p.session, &number, &b)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! { r => JValue::from_serialize(&r), case => b.case };
    Ok(p.render("monitoring/elimination.html", ctx))
}

/// `POST /monitoring/department`: a department file (multipart, field `file`; `dry_run`).
async fn compare(State(st): St, p: Page, headers: HeaderMap, body: Bytes) -> PageResult {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = kind
        .split(';')
        .find_map(|x| x.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .unwrap_or_default();
    let parts = crate::registry::import::parts(&body, &boundary);
    let field = |n: &str| parts.iter().find(|x| x.name == n);
    let csrf = field("_csrf").map(|x| String::from_utf8_lossy(x.data).to_string());
    crate::session::check_csrf(&st, &p.session, csrf.as_deref()).map_err(|e| p.error(e))?;
    let dry_run = field("dry_run").is_some_and(|x| x.data == b"true");
    let Some(file) = field("file").filter(|f| !f.data.is_empty()) else {
        let e = ApiError::bad_request("file", "请选择部门数据文件 / choose a department file");
        return Err(p.error(e));
    };
    let name = file.filename.clone().unwrap_or_default();
    let result = service::compare(&st, &p.session, &name, file.data, dry_run)
        .await
        .map_err(|e| p.error(e))?;
    let items: Vec<(&str, &str)> = Item::all()
        .iter()
        .map(|i| (i.code(), if p.lang == "en" { i.en() } else { i.zh() }))
        .collect();
    let ctx = context! {
        r => crate::privacy::for_session(&p.session, &result),
        file => name,
        dry_run => dry_run,
        items => JValue::from_serialize(items.into_iter().collect::<HashMap<_, _>>()),
    };
    Ok(p.render("monitoring/compare.html", ctx))
}

/// The origin the browser reached us at (for the QR code of the self-report page).
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The self-report page's QR code of a village, to print for its notice board.
async fn report_qr(
    State(st): St,
    p: Page,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let village = q.get("village").cloned().unwrap_or_default();
    authz::check(&p.session.scope, Action::ReadApplication { area: &village })
        .map_err(|e| p.error(e))?;
    let area = st
        .dir
        .area(&village)
        .await
        .map_err(|e| p.error(ApiError::from(e)))?
        .filter(|a| a.level == fupin_core::AreaLevel::Village)
        .ok_or_else(|| p.error(ApiError::not_found()))?;
    let url = format!("{}/report?village={village}", origin(&headers));
    let ctx = context! {
        url => url.clone(),
        village_name => area.name,
        svg => crate::qr::svg(&url, 320).unwrap_or_default(),
    };
    Ok(p.render("monitoring/report_qr.html", ctx))
}

/// The household page's monitoring section: the monitoring code and its QR code, its cases, and
/// what the session may do (open a case, judge a risk elimination).
pub async fn household_section(st: &AppState, s: &Session, h: &HouseholdRecord) -> JValue {
    let code = fupin_core::household_code::monitoring_code(&h.number);
    let svg = code
        .as_deref()
        .and_then(|c| crate::qr::svg(c, 120))
        .unwrap_or_default();
    let cases: Vec<_> = st
        .dir
        .household_cases(&h.number)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| service::row_of(st, c))
        .collect();
    let area = h.area_code.as_str();
    let can_open = authz::may(
        &s.scope,
        Action::CaseStep {
            area,
            step: Step::Signal,
        },
    );
    let can_eliminate = authz::may(&s.scope, Action::CountyMonitoring { area });
    context! {
        code => code,
        qr_svg => svg,
        cases => JValue::from_serialize(&cases),
        can_open => can_open && !cases.iter().any(|c| c.case.status == "open"),
        can_eliminate => can_eliminate,
    }
}

fn report_ctx(
    st_lang: &str,
    token: &str,
    areas: JValue,
    values: &SelfReport,
    errors: HashMap<String, String>,
    receipt: Option<String>,
) -> JValue {
    context! {
        report_csrf => token,
        areas => areas,
        what_options => labels(st_lang, WHAT),
        values => context! {
            name => values.name, id_number => values.id_number, phone => values.phone,
            village => values.village, what => values.what, amount => values.amount,
            note => values.note,
        },
        errors => errors,
        receipt => receipt,
    }
}

/// The village picker of the public page: the county of the QR code's village (or every area).
async fn report_areas(st: &AppState, village: Option<&str>, lang: &str) -> JValue {
    let root = village
        .filter(|v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(|v| v[..6].to_string())
        .unwrap_or_default();
    let all = crate::i18n::t(lang, "village");
    let options = crate::names::picker(st, &root, village, &all)
        .await
        .unwrap_or_default();
    JValue::from_serialize(&options)
}

fn with_report_cookie(st: &AppState, mut r: Response, token: &str) -> Response {
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    let c = format!("{REPORT_COOKIE}={token}; Path=/report; HttpOnly; SameSite=Strict{secure}");
    if let Ok(v) = c.parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// `GET /report`: the public self-report form (no sign-in), with a fresh pre-session CSRF token.
async fn report_page(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let l = lang(&headers);
    let token = crate::auth::random_token();
    let values = SelfReport {
        village: q.get("village").cloned(),
        ..SelfReport::default()
    };
    let areas = report_areas(&st, values.village.as_deref(), l).await;
    let ctx = report_ctx(l, &token, areas, &values, HashMap::new(), None);
    with_report_cookie(&st, render(l, None, "monitoring/report.html", ctx), &token)
}

/// `POST /report`: the receipt number, or the form again with each field's message.
async fn report_post(
    State(st): St,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let l = lang(&headers);
    let pre = cookie(&headers, REPORT_COOKIE).unwrap_or("");
    let given = f.get("_csrf").map(String::as_str).unwrap_or("");
    if pre.is_empty() || !crate::auth::same_token(pre, given) {
        return error_page(l, None, ApiError::csrf());
    }
    let b = SelfReport {
        name: f.get("name").cloned(),
        id_number: f.get("id_number").cloned(),
        phone: f.get("phone").cloned(),
        village: f.get("village").cloned(),
        what: f.get("what").cloned(),
        amount: f.get("amount").cloned(),
        note: f.get("note").cloned(),
    };
    let token = crate::auth::random_token();
    let (status, errors, receipt) = match service::self_report(&st, &addr, &b).await {
        Ok(r) => (StatusCode::CREATED, HashMap::new(), Some(r.receipt)),
        Err(e) => {
            let mut errors: HashMap<String, String> = e
                .fields
                .iter()
                .filter_map(|x| {
                    Some((
                        x.get("field")?.as_str()?.to_string(),
                        crate::i18n::pick(l, x.get("message")?.as_str()?),
                    ))
                })
                .collect();
            if errors.is_empty() {
                errors.insert("form".into(), crate::i18n::pick(l, &e.message));
            }
            (e.status, errors, None)
        }
    };
    // A receipt shows nothing back: the form's values are not echoed after success.
    let shown = if receipt.is_some() {
        SelfReport::default()
    } else {
        b
    };
    let areas = report_areas(&st, shown.village.as_deref(), l).await;
    let ctx = report_ctx(l, &token, areas, &shown, errors, receipt);
    let r = render(l, None, "monitoring/report.html", ctx);
    let mut r = with_report_cookie(&st, r, &token);
    *r.status_mut() = status;
    r
}
