//! The household as a county office reads and writes it: one monitoring category everywhere (list,
//! filter, dashboard, page), income by year, member changes with a reason, the exit checklist, and
//! new households (form, member sheet, the registration step of an application).

use crate::common::{get, login, run};
use axum::http::StatusCode;
use chrono::Datelike;
use std::collections::BTreeMap;

/// The value of `data-code` on the element with `id` in a page.
fn data_code<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!("id=\"{id}\" data-code=\""))?;
    let rest = &html[at..];
    let start = rest.find("data-code=\"")? + "data-code=\"".len();
    let end = rest[start..].find('"')?;
    Some(&rest[start..start + end])
}

#[test]
fn every_monitoring_category_counts_the_same_in_the_list_the_dashboard_and_the_pages() {
    run("one_category", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        let all = get(&app, "/api/v1/households?per_page=500", &cookie).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text);
        let rows = all.json["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 270);
        // What each household's own page shows.
        let mut on_pages: BTreeMap<String, u64> = BTreeMap::new();
        let year = chrono::Local::now().year();
        for r in &rows {
            let number = r["number"].as_str().unwrap();
            let page = get(&app, &format!("/households/{number}"), &cookie).await;
            assert_eq!(page.status, StatusCode::OK, "{number}");
            let shown = data_code(&page.text, "monitoring")
                .expect("the category")
                .to_string();
            // The row of the list says the same.
            let listed = r["monitoring"].as_str().unwrap_or("");
            let same =
                listed == shown || (listed.is_empty() && !crate::household::monitored(&shown));
            assert!(same, "{number}: list {listed:?}, page {shown:?}");
            *on_pages.entry(shown.clone()).or_default() += 1;
            // The page states the year and the line the category was judged on, and that this
            // year's income is missing.
            if r["status"] == "exited" {
                assert!(
                    page.text.contains("2020 年人均纯收入") && page.text.contains("监测线 5000 元"),
                    "{number}"
                );
                assert!(
                    page.text.contains(&format!("{year} 年收入未录入")),
                    "{number}"
                );
            }
        }
        let dashboard = get(&app, "/api/v1/dashboard", &cookie).await;
        let figures = &dashboard.json["figures"]["monitoring"];
        let mut monitored = 0;
        for category in ["unstable", "marginal", "sudden_hardship"] {
            let uri = format!("/api/v1/households?monitoring={category}&per_page=500");
            let listed = get(&app, &uri, &cookie).await.json["total"]
                .as_u64()
                .unwrap();
            let paged = on_pages.get(category).copied().unwrap_or(0);
            assert_eq!(listed, paged, "{category}: filter {listed}, pages {paged}");
            let on_dashboard = figures
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x[0] == category)
                .map_or(0, |x| x[1]["households"].as_u64().unwrap());
            assert_eq!(on_dashboard, paged, "{category}: dashboard");
            monitored += paged;
        }
        assert!(monitored > 10, "{on_pages:?}");
    });
}

pub fn monitored(code: &str) -> bool {
    matches!(code, "unstable" | "marginal" | "sudden_hardship")
}
