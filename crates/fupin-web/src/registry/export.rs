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
    let mut table = fupin_sheet::XlsxTable::new();
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
    let _ = table.row(&heads.map(|h| i18n::t(l, h)));
    let label = |list: &str, code: &Option<String>| {
        code.as_deref()
            .map(|m| i18n::code_label(l, list, m))
            .unwrap_or_default()
    };
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
            let _ = table.row(&cells);
        }
        if u64::from(page.page) * u64::from(page.per_page) >= page.total {
            break;
        }
        f.page += 1;
    }
    match table.finish() {
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
