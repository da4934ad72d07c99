//! The household list as an XLSX download (the list's filters, every page).

use super::service;
use super::ListQuery;
use crate::i18n;
use crate::render::Page;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn xlsx(
    State(st): State<Arc<AppState>>,
    p: Page,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, Response> {
    q.page = Some(1);
    q.per_page = Some(500);
    let mut f = service::list_filter(&st, &p.session, &q).map_err(|e| p.error(e))?;
    let l = p.lang;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let heads = [
        "number",
        "area",
        "head",
        "people",
        "status",
        "monitoring",
        "cause",
        "attribute",
    ];
    for (c, h) in heads.iter().enumerate() {
        let _ = sheet.write_string(0, c as u16, i18n::t(l, h));
    }
    let label = |list: &str, code: &Option<String>| {
        code.as_deref()
            .map(|m| i18n::code_label(l, list, m))
            .unwrap_or_default()
    };
    let mut row = 1u32;
    loop {
        let page = st.dir.list_households(&f).await.map_err(|e| p.error(e))?;
        for h in &page.rows {
            let cells = [
                h.number.clone(),
                h.area_code.clone(),
                h.head.clone().unwrap_or_default(),
                h.people.to_string(),
                i18n::code_label(l, "status", &h.status),
                label("monitoring", &h.monitoring),
                label("cause", &h.main_cause),
                label("attribute", &h.attribute),
            ];
            for (c, v) in cells.iter().enumerate() {
                let _ = sheet.write_string(row, c as u16, v);
            }
            row += 1;
        }
        if u64::from(page.page) * u64::from(page.per_page) >= page.total {
            break;
        }
        f.page += 1;
    }
    match book.save_to_buffer() {
        Ok(buf) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"households.xlsx\"",
                ),
            ],
            buf,
        )
            .into_response()),
        Err(e) => Err((StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()),
    }
}
