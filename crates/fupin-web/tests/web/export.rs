//! The household list's XLSX download as a county office opens it: a named sheet, numbers as
//! numbers, village names and the monitoring reason, a frozen header with an autofilter, and a file
//! named by area and date (issue 10.10).

use crate::common::{login, run};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use calamine::{Data, Reader};
use tower::ServiceExt;

/// GETs the download: status, Content-Disposition, bytes.
async fn download(app: &axum::Router, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let disposition = resp
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 26)
        .await
        .unwrap();
    (status, disposition, bytes.to_vec())
}

/// The XML of the first sheet.
fn sheet_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let part = zip.by_name("xl/worksheets/sheet1.xml").unwrap();
    std::io::read_to_string(part).unwrap()
}

#[test]
fn the_household_list_downloads_as_a_register_a_county_office_can_use() {
    run("xlsx_register", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        let (status, disposition, bytes) = download(&app, "/households/export.xlsx", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        let today = fupin_web::registry::service::today();
        // The file is named by area and date, in Chinese with an ASCII fallback.
        assert!(
            disposition.starts_with(&format!(
                "attachment; filename=\"140525-households-{today}.xlsx\"; filename*=UTF-8''140525-%E8%B4%AB%E5%9B%B0%E6%88%B7%E5%90%8D%E5%86%8C-{today}.xlsx"
            )),
            "{disposition}"
        );
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(wb.sheet_names(), ["贫困户名册"]);
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(
            header,
            [
                "户编号",
                "区划代码",
                "村",
                "户主",
                "人数",
                "状态",
                "监测类别",
                "监测原因",
                "致贫原因",
                "贫困户属性",
                "收入年度",
                "家庭纯收入(元)",
                "人均纯收入(元)"
            ]
        );
        // Every household of the demo county, one row each.
        assert_eq!(rows.len(), 1 + 270);
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        for r in &rows[1..] {
            // Codes stay text (leading digits kept); counts and money are numbers.
            assert!(matches!(r[col("户编号")], Data::String(_)), "{r:?}");
            assert!(matches!(r[col("区划代码")], Data::String(_)), "{r:?}");
            assert!(
                matches!(r[col("人数")], Data::Float(n) if n >= 1.0),
                "{r:?}"
            );
            // Village names beside the codes.
            assert!(r[col("村")].to_string().ends_with('村'), "{r:?}");
            if !matches!(r[col("收入年度")], Data::Empty) {
                assert!(
                    matches!(r[col("收入年度")], Data::Float(y) if (2014.0..2030.0).contains(&y))
                );
                assert!(matches!(r[col("家庭纯收入(元)")], Data::Float(_)), "{r:?}");
                assert!(matches!(r[col("人均纯收入(元)")], Data::Float(_)), "{r:?}");
            }
        }
        // The monitoring reason of the households under monitoring, in words.
        let reasons: Vec<String> = rows[1..]
            .iter()
            .map(|r| r[col("监测原因")].to_string())
            .filter(|s| !s.is_empty())
            .collect();
        assert!(!reasons.is_empty());
        assert!(
            reasons.iter().all(|s| !s.contains('_') && !s.is_ascii()),
            "{reasons:?}"
        );
        // A frozen header row, an autofilter over the table, fitted columns, money formatted.
        let xml = sheet_xml(&bytes);
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{xml:.2000}"
        );
        assert!(
            xml.contains(r#"<autoFilter ref="A1:M271"/>"#),
            "{xml:.3000}"
        );
        assert!(xml.contains("<cols>") && xml.contains("customWidth=\"1\""));

        // In English: an English sheet and file name; a filter narrows the rows.
        let (_, disposition, bytes) = download(
            &app,
            "/households/export.xlsx?status=poor",
            &format!("{cookie}; fupin_lang=en"),
        )
        .await;
        assert!(
            disposition.contains("filename*=UTF-8''140525-households-"),
            "{disposition}"
        );
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["Households"]);
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        assert!(
            range.height() > 1 && range.height() < 271,
            "{}",
            range.height()
        );
        // One status, in English.
        let statuses: std::collections::BTreeSet<String> =
            range.rows().skip(1).map(|r| r[5].to_string()).collect();
        assert_eq!(statuses.len(), 1, "{statuses:?}");
        assert!(
            statuses.iter().all(|s| s.is_ascii() && !s.is_empty()),
            "{statuses:?}"
        );
    });
}
