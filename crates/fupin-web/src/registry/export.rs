//! The household list as an XLSX download (the list's filters, every page), ready for a county
//! office: a named sheet (贫困户名册), a bold frozen header with an autofilter, columns fitted,
//! counts and money as numbers, village names beside the codes, the monitoring reason, and a file
//! named by area and date (`140525-贫困户名册-2026-11-29.xlsx`, RFC 5987 `filename*`).

use super::service;
use super::ListQuery;
use crate::i18n;
use crate::render::Page;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fupin_core::area::AreaLevel;
use fupin_core::money::Decimal;
use fupin_sheet::Cell;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

/// What the list row lacks and the full record gives: income and the monitoring reasons.
struct Detail {
    income_year: Option<i32>,
    net: Decimal,
    per_capita: Option<Decimal>,
    reasons: Vec<&'static str>,
}

pub async fn xlsx(
    State(st): State<Arc<AppState>>,
    p: Page,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, Response> {
    q.page = Some(1);
    q.per_page = Some(500);
    let mut f = service::list_filter(&st, &p.session, &q).map_err(|e| p.error(e))?;
    let l = p.lang;
    // The list's rows: its filters, every page.
    let mut rows = Vec::new();
    loop {
        let page = st.dir.list_households(&f).await.map_err(|e| p.error(e))?;
        let done = u64::from(page.page) * u64::from(page.per_page) >= page.total;
        rows.extend(page.rows);
        if done {
            break;
        }
        f.page += 1;
    }
    // Village names, read once per county of the rows.
    let mut names: HashMap<String, String> = HashMap::new();
    let counties: HashSet<&str> = rows.iter().filter_map(|r| r.area_code.get(..6)).collect();
    for county in counties {
        for a in st.repo.areas(county).await.map_err(|e| p.error(e))? {
            if a.level == AreaLevel::Village {
                names.insert(a.code, a.name);
            }
        }
    }
    // Income and monitoring reasons from the full records, in one pass over the area.
    let wanted: HashSet<&str> = rows.iter().map(|r| r.number.as_str()).collect();
    let today = service::today();
    let mut details: HashMap<String, Detail> = HashMap::new();
    let filter = fupin_store::ExportFilter {
        area: f.area.clone(),
        statuses: f.status.into_iter().collect(),
    };
    {
        let st = &st;
        let mut sink = |h: &fupin_core::registry::HouseholdRecord| {
            if wanted.contains(h.number.as_str()) {
                let result = service::assess_record(st, h, today).ok();
                let per_capita = result
                    .as_ref()
                    .filter(|_| h.income_year.is_some())
                    .and_then(|r| Decimal::from_str(&r.per_capita_income).ok());
                let reasons = result
                    .and_then(|r| r.monitoring)
                    .map(|m| m.reasons)
                    .unwrap_or_default();
                details.insert(
                    h.number.clone(),
                    Detail {
                        income_year: h.income_year,
                        net: h.income.net(),
                        per_capita,
                        reasons,
                    },
                );
            }
            Ok(())
        };
        st.repo
            .export(&filter, &mut sink)
            .await
            .map_err(|e| p.error(e))?;
    }

    let sheet = i18n::t(l, "register_sheet");
    let mut table = fupin_sheet::XlsxTable::named(&sheet).map_err(internal)?;
    let heads = [
        "number",
        "area_code",
        "village",
        "head",
        "people",
        "status",
        "monitoring",
        "monitoring_reason",
        "cause",
        "attribute",
        "income_year",
        "net_income",
        "per_capita_yuan",
    ];
    table
        .header(&heads.map(|h| i18n::t(l, h)))
        .map_err(internal)?;
    let label = |list: &str, code: &Option<String>| {
        code.as_deref()
            .map(|m| i18n::code_label(l, list, m))
            .unwrap_or_default()
    };
    for h in &rows {
        let d = details.get(&h.number);
        let reasons = d.map_or(String::new(), |d| {
            d.reasons
                .iter()
                .filter_map(|c| fupin_core::assess::check_label(c))
                .map(|(zh, en)| if l == "en" { en } else { zh })
                .collect::<Vec<_>>()
                .join(if l == "en" { "; " } else { "、" })
        });
        let income = d.filter(|d| d.income_year.is_some());
        let cells = [
            Cell::from(h.number.clone()),
            Cell::from(h.area_code.clone()),
            Cell::from(names.get(&h.area_code).cloned().unwrap_or_default()),
            Cell::from(h.head.clone().unwrap_or_default()),
            Cell::Int(h.people),
            Cell::from(i18n::code_label(l, "status", &h.status)),
            Cell::from(label("monitoring", &h.monitoring)),
            Cell::from(reasons),
            Cell::from(label("cause", &h.main_cause)),
            Cell::from(label("attribute", &h.attribute)),
            income.map_or(Cell::Empty, |d| {
                Cell::Int(i64::from(d.income_year.unwrap_or_default()))
            }),
            income.map_or(Cell::Empty, |d| Cell::Money(d.net)),
            income
                .and_then(|d| d.per_capita)
                .map_or(Cell::Empty, Cell::Money),
        ];
        table.cells(&cells).map_err(internal)?;
    }
    let buf = table.finish().map_err(internal)?;
    let area = if f.area.is_empty() {
        "all".to_string()
    } else {
        f.area.clone()
    };
    let name = format!("{area}-{}-{today}.xlsx", i18n::t(l, "register_file"));
    let ascii = format!("{area}-households-{today}.xlsx");
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
                content_disposition(&ascii, &name),
            ),
        ],
        buf,
    )
        .into_response())
}

fn internal(e: fupin_sheet::SheetError) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
}

/// `attachment` with an ASCII `filename` for old clients and the UTF-8 name as RFC 5987
/// `filename*` (percent-encoded outside the attribute characters).
pub fn content_disposition(ascii: &str, name: &str) -> HeaderValue {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let ascii: String = ascii
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}
