//! The funds' pages: the county's funds page (checks in words, charts), the project library and a
//! project's page, the loans (overdue first) and an asset's dividend list (printable).

use super::{service, FundsQuery, ProjectQuery, YearQuery};
use crate::render::Page;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use fupin_core::funds as rules;
use minijinja::{context, Value as JValue};
use serde_json::json;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/funds", get(overview))
        .route("/funds/projects", get(projects))
        .route("/funds/projects/{county}/{id}", get(project))
        .route("/funds/loans", get(loans))
        .route("/funds/assets/{county}/{id}", get(asset))
        .route(
            "/funds/import",
            get(import_form)
                .post(import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::registry::import::UPLOAD_LIMIT,
                )),
        )
        .route("/funds/sheet", get(sheet))
}

/// The tables of the upload form and the download links: (code, sheet name).
fn tables() -> Vec<serde_json::Value> {
    fupin_core::funds::table::TABLES
        .iter()
        .map(|t| json!({"code": t.code(), "sheet": t.sheet_name()}))
        .collect()
}

/// `GET /funds/import?area=`: the upload form with the templates and the county's exports.
async fn import_form(State(st): St, p: Page, Query(q): Query<FundsQuery>) -> PageResult {
    let area = service::area(&st, &p.session, q.area.as_deref())
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        tables => JValue::from_serialize(tables()),
        county => area.get(..6).unwrap_or_default(),
        r => JValue::from(()),
    };
    Ok(p.render("funds/import.html", ctx))
}

/// `POST /funds/import`: an uploaded funds table (multipart: `table`, `file`), all or nothing;
/// the page again with the outcome and every bad cell at the top.
async fn import_upload(
    State(st): St,
    p: Page,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> PageResult {
    let parts =
        crate::registry::import::form_parts(&st, &p, &headers, &body).map_err(|e| p.error(e))?;
    let field = |n: &str| parts.iter().find(|x| x.name == n);
    let table = field("table")
        .map(|x| String::from_utf8_lossy(x.data).to_string())
        .unwrap_or_default();
    let file = field("file").filter(|f| !f.data.is_empty());
    let (name, data) = file
        .map(|f| (f.filename.clone().unwrap_or_default(), f.data))
        .unwrap_or_default();
    if file.is_none() {
        // The permission first: who may not write funds is refused whatever the form holds.
        crate::authz::check(
            &p.session.scope,
            crate::authz::Action::WriteFunds {
                area: &p.session.scope.area,
            },
        )
        .map_err(|e| p.error(e))?;
        let e =
            crate::ApiError::bad_request("file", "请选择要导入的文件 / choose a file to import");
        return Err(p.error(e));
    }
    let r = service::import_sheet(&st, &p.session, &table, &name, data)
        .await
        .map_err(|e| p.error(e))?;
    let status = if r.committed {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let ctx = context! {
        tables => JValue::from_serialize(tables()),
        county => p.session.scope.area.get(..6).unwrap_or_default(),
        r => JValue::from_serialize(&r),
    };
    Ok(p.render_as(status, "funds/import.html", ctx))
}

/// `GET /funds/sheet?table=&area=`: a county's table as XLSX (with `area`), else its template.
async fn sheet(
    State(st): St,
    p: Page,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let table = q.get("table").map(String::as_str).unwrap_or_default();
    let area = q.get("area").filter(|a| !a.is_empty());
    let (name, bytes) = service::sheet_file(&st, &p.session, table, area.map(String::as_str))
        .await
        .map_err(|e| p.error(e))?;
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
                crate::registry::export::content_disposition(&name, &name),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn pick(lang: &str, (zh, en): (&str, &str)) -> String {
    if lang == "en" { en } else { zh }.to_string()
}

/// The label of a funds code: a check, a category, a level, a status.
pub fn label(lang: &str, code: &str) -> String {
    if let Some(l) = rules::check_label(code).or_else(|| rules::category_label(code)) {
        return pick(lang, l);
    }
    crate::i18n::t(lang, &format!("funds_{code}"))
}

/// The checks in words: "产业发展和以工代赈资金占比 70.00%,要求不低于 70.00%:达标".
fn checks_in_words(lang: &str, r: &rules::Report) -> Vec<serde_json::Value> {
    let t = |k: &str| crate::i18n::t(lang, k);
    let mut out: Vec<serde_json::Value> = r
        .checks
        .iter()
        .map(|c| {
            let verdict = if c.ok { t("funds_ok") } else { t("funds_not_ok") };
            json!({"code": c.code, "ok": c.ok, "text": format!(
                "{} {}%{} {}%{}{}",
                label(lang, &c.code), c.value_pct, t("funds_at_least"), c.threshold_pct, t("funds_colon"), verdict
            )})
        })
        .collect();
    for c in &r.cooperatives {
        let verdict = if c.ok {
            t("funds_ok")
        } else {
            t("funds_coop_no_support")
        };
        out.push(json!({"code": "cooperative_poor_share", "ok": c.ok, "text": format!(
            "{} {}: {}%{}{}", c.name, label(lang, "cooperative_poor_share"), c.poor_share_pct, t("funds_colon"), verdict
        )}));
    }
    if let Some(l) = &r.loans {
        for v in &l.violations {
            out.push(json!({"code": v.code, "ok": false, "text": format!(
                "{} {}{}{}", t("funds_loan"), v.loan, t("funds_colon"), label(lang, &v.code)
            )}));
        }
    }
    out
}

async fn overview(State(st): St, p: Page, Query(q): Query<FundsQuery>) -> PageResult {
    let o = service::overview(&st, &p.session, q.area.as_deref(), q.year)
        .await
        .map_err(|e| p.error(e))?;
    let lang = p.lang;
    let checks = o
        .report
        .as_ref()
        .map(|r| checks_in_words(lang, r))
        .unwrap_or_default();
    // The charts, drawn on the server like the dashboard's (crate::charts).
    use crate::charts::{self, Item, Series};
    let yuan = crate::i18n::t(lang, "funds_yuan");
    let f = |d: &fupin_core::money::Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
    let money = |d: &fupin_core::money::Decimal| fupin_core::money::fmt2(*d);
    let chart_sources = charts::donut(
        &o.by_level
            .iter()
            .map(|a| Item::new(label(lang, &a.code), f(&a.amount.0), money(&a.amount.0)))
            .collect::<Vec<_>>(),
        &yuan,
    );
    let chart_categories = charts::bars(
        &o.by_category
            .iter()
            .map(|a| Item::new(label(lang, &a.code), f(&a.amount.0), money(&a.amount.0)))
            .collect::<Vec<_>>(),
        charts::PALETTE[3],
    );
    let chart_months = charts::stacked(
        &o.disbursed_by_month
            .iter()
            .map(|a| a.code.clone())
            .collect::<Vec<_>>(),
        &[Series {
            label: format!("{} ({yuan})", crate::i18n::t(lang, "funds_disbursement")),
            values: o
                .disbursed_by_month
                .iter()
                .map(|a| f(&a.amount.0))
                .collect(),
            colour: Some(charts::PALETTE[2]),
        }],
    );
    let names = crate::names::names_of(
        &st,
        &o.first_collective_income_villages
            .iter()
            .chain(o.assets.iter().map(|a| &a.village))
            .cloned()
            .collect::<Vec<_>>(),
    )
    .await
    .map_err(|e| p.error(e))?;
    let ctx = context! {
        o => JValue::from_serialize(&o),
        checks => JValue::from_serialize(&checks),
        chart_sources => chart_sources,
        chart_categories => chart_categories,
        chart_months => chart_months,
        names => JValue::from_serialize(&names),
        statuses => JValue::from_serialize(o.projects_by_status.iter().map(|(s, n)| json!({"code": s, "label": label(lang, s), "count": n})).collect::<Vec<_>>()),
    };
    Ok(p.render("funds/funds.html", ctx))
}

async fn projects(State(st): St, p: Page, Query(q): Query<ProjectQuery>) -> PageResult {
    let rows = service::projects(&st, &p.session, &q)
        .await
        .map_err(|e| p.error(e))?;
    let lang = p.lang;
    let names = crate::names::names_of(
        &st,
        &rows.iter().map(|r| r.village.clone()).collect::<Vec<_>>(),
    )
    .await
    .map_err(|e| p.error(e))?;
    let kinds: Vec<_> = rules::CATEGORIES
        .iter()
        .map(|c| json!({"code": c, "label": label(lang, c)}))
        .collect();
    let statuses: Vec<_> = fupin_store::funds::PROJECT_STATUSES
        .iter()
        .map(|c| json!({"code": c, "label": label(lang, c)}))
        .collect();
    let ctx = context! {
        projects => JValue::from_serialize(&rows),
        names => JValue::from_serialize(&names),
        kinds => JValue::from_serialize(&kinds),
        statuses => JValue::from_serialize(&statuses),
        q => JValue::from_serialize(json!({"area": q.area, "year": q.year, "status": q.status, "kind": q.kind})),
    };
    Ok(p.render("funds/projects.html", ctx))
}

async fn project(State(st): St, p: Page, Path((county, id)): Path<(String, String)>) -> PageResult {
    let d = service::project(&st, &p.session, &county, &id)
        .await
        .map_err(|e| p.error(e))?;
    let names = crate::names::names_of(&st, std::slice::from_ref(&d.project.village))
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        d => JValue::from_serialize(&d),
        names => JValue::from_serialize(&names),
        kind_label => label(p.lang, &d.project.kind),
        status_label => label(p.lang, &d.project.status),
    };
    Ok(p.render("funds/project.html", ctx))
}

async fn loans(State(st): St, p: Page, Query(q): Query<FundsQuery>) -> PageResult {
    let rows = service::loans(&st, &p.session, &q)
        .await
        .map_err(|e| p.error(e))?;
    let lang = p.lang;
    let rows: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let v: Vec<String> = r.violations.iter().map(|c| label(lang, c)).collect();
            json!({"row": r, "violations": v})
        })
        .collect();
    let ctx = context! {
        loans => JValue::from_serialize(&rows),
        q => JValue::from_serialize(json!({"area": q.area, "year": q.year})),
    };
    Ok(p.render("funds/loans.html", ctx))
}

async fn asset(
    State(st): St,
    p: Page,
    Path((county, id)): Path<(String, String)>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let d = service::dividends(&st, &p.session, &county, &id, q.year)
        .await
        .map_err(|e| p.error(e))?;
    // The notice board: the household's head and a masked ID number, whatever the reader's role.
    let mut rows = Vec::new();
    for x in &d.dividends {
        let h = st
            .repo
            .household(&x.household)
            .await
            .map_err(|e| p.error(e))?;
        let head = h.as_ref().and_then(|h| {
            h.members
                .iter()
                .find(|m| m.relation == fupin_core::codes::Relation::Head)
                .or(h.members.first())
        });
        let masked = head
            .and_then(|m| fupin_core::ResidentId::parse(&m.id_number).ok())
            .map(|i| i.masked())
            .unwrap_or_else(|| "******".into());
        rows.push(json!({
            "household": x.household,
            "head": head.map(|m| m.name.clone()).unwrap_or_default(),
            "id": masked,
            "amount": x.amount,
        }));
    }
    let names = crate::names::names_of(&st, std::slice::from_ref(&d.asset.village))
        .await
        .map_err(|e| p.error(e))?;
    let ctx = context! {
        d => JValue::from_serialize(&d),
        rows => JValue::from_serialize(&rows),
        names => JValue::from_serialize(&names),
        kind_label => label(p.lang, &d.asset.kind),
    };
    Ok(p.render("funds/asset.html", ctx))
}
