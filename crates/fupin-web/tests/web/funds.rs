//! Funds, projects, loans and dividends on the web (issue 14), on SQLite and PostgreSQL: the
//! county's funds page states the checks in words, the project library filters, loans list the
//! overdue first, an asset's dividend list masks ID numbers, the household page shows what the
//! household received; out of area answers 404, a village may not record a project.

use crate::common::{get, login, put, run};
use serde_json::json;

#[test]
fn the_countys_funds_in_pages_and_api() {
    run("funds_pages", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let o = get(&app, "/api/v1/funds?year=2020", &cookie).await;
        assert_eq!(o.status, 200, "{}", o.text);
        assert_eq!(o.json["county"], "140525");
        let checks = &o.json["report"]["checks"];
        // 2020: industry 1,040,000 + relief 600,000 of 2,240,000 = 73.21%; county fund 12.5 million
        // of revenue 560 million = 2.23%; growth 25% on 10 million.
        assert_eq!(checks[0]["code"], "industry_relief_share");
        assert_eq!(checks[0]["value_pct"], "73.21");
        assert_eq!(checks[1]["value_pct"], "2.23");
        assert_eq!(checks[2]["value_pct"], "25.00");
        assert_eq!(o.json["report"]["loans"]["task_pct"], "8.00");
        assert_eq!(
            o.json["first_collective_income_villages"],
            json!(["140525100201"])
        );
        assert_eq!(o.json["project_count"], 6);

        let page = get(&app, "/funds", &cookie).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for words in [
            "产业发展和以工代赈资金占比 73.21%,要求不低于 70.00%:达标",
            "县级专项扶贫资金增长率 25.00%",
            "贷款 L2020-03:贷款金额超过上限",
            "西岭村连翘种植专业合作社",
            "id=\"chart-sources\"",
            "东沟村 30 kW 光伏电站",
        ] {
            assert!(page.text.contains(words), "{words} in {}", page.text);
        }

        let list = get(&app, "/funds/projects?status=done", &cookie).await;
        assert_eq!(list.status, 200);
        assert!(list.text.contains("东沟村光伏电站") && !list.text.contains("西岭村连翘种植基地"));
        let api = get(
            &app,
            "/api/v1/funds/projects?kind=industry&area=140525100",
            &cookie,
        )
        .await;
        let ids: Vec<&str> = api.json["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["P2020-01", "P2020-02"]);
        let p = get(&app, "/funds/projects/140525/P2020-02", &cookie).await;
        assert_eq!(p.status, 200);
        assert!(
            p.text.contains("合作社带动贫困户种植")
                && p.text.contains("70%")
                && p.text.contains("560000.00"),
            "{}",
            p.text
        );

        // Loans: the overdue (L2020-02: nothing paid of 5,000 due 2020-12-20) first.
        let loans = get(&app, "/api/v1/funds/loans", &cookie).await;
        let rows = loans.json["loans"].as_array().unwrap();
        assert_eq!(rows[0]["loan"]["id"], "L2020-02");
        assert_eq!(rows[0]["overdue"], "5000.00");
        assert_eq!(rows[1]["loan"]["id"], "L2020-01");
        assert_eq!(rows[1]["overdue"], "0.00");
        let page = get(&app, "/funds/loans", &cookie).await;
        let first = page.text.find("L2020-02").unwrap();
        assert!(first < page.text.find("L2020-01").unwrap());

        // Dividends: 20,000.05 yuan among ten households, the 5 fen left to the first five.
        let d = get(
            &app,
            "/api/v1/funds/assets/140525/PV-140525100201/dividends",
            &cookie,
        )
        .await;
        let amounts: Vec<&str> = d.json["dividends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["amount"].as_str().unwrap())
            .collect();
        assert_eq!(
            amounts[..6],
            ["2000.01", "2000.01", "2000.01", "2000.01", "2000.01", "2000.00"]
        );
        let board = get(&app, "/funds/assets/140525/PV-140525100201", &cookie).await;
        assert_eq!(board.status, 200);
        assert!(
            board.text.contains("2000.01") && board.text.contains("********"),
            "{}",
            board.text
        );
        // No full ID number on the notice board.
        let h = get(&app, "/api/v1/households/140525100201001", &cookie).await;
        let id = h.json["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!board.text.contains(&id));

        // The household page shows its loan and dividend.
        let hp = get(&app, "/households/140525100201001", &cookie).await;
        assert!(
            hp.text.contains("id=\"household-funds\"")
                && hp.text.contains("L2020-01")
                && hp.text.contains("2000.01")
        );
        let hf = get(&app, "/api/v1/households/140525100201001/funds", &cookie).await;
        assert_eq!(hf.json["loans"][0]["amount"], "50000.00");
        // So does its card (明白卡): the loan, and the dividend of the card's year.
        let year = hf.json["dividends"][0]["year"].as_i64().unwrap();
        let card = get(
            &app,
            &format!("/households/140525100201001/card?year={year}"),
            &cookie,
        )
        .await;
        assert!(
            card.text.contains("id=\"card-dividends\"")
                && card.text.contains("2000.01")
                && card.text.contains("id=\"card-loans\"")
                && card.text.contains("L2020-01"),
            "{}",
            card.text
        );
        let other = get(
            &app,
            &format!("/households/140525100201001/card?year={}", year - 1),
            &cookie,
        )
        .await;
        assert!(
            !other.text.contains("id=\"card-dividends\""),
            "another year's card"
        );

        // The county records a project; a village may not; out of area is not found.
        let mut body = get(&app, "/api/v1/funds/projects/140525/P2020-05", &cookie)
            .await
            .json["project"]
            .clone();
        body["progress_pct"] = json!(30);
        body["status"] = json!("underway");
        let r = put(
            &app,
            "/api/v1/funds/projects/140525/P2020-05",
            (&cookie, &csrf),
            body.clone(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let again = get(&app, "/api/v1/funds/projects/140525/P2020-05", &cookie).await;
        assert_eq!(again.json["project"]["progress_pct"], 30);
        body["progress_pct"] = json!(101);
        let r = put(
            &app,
            "/api/v1/funds/projects/140525/P2020-05",
            (&cookie, &csrf),
            body.clone(),
        )
        .await;
        assert_eq!(r.status, 400);
        let (vc, vcsrf) = login(&app, "dongou").await;
        body["progress_pct"] = json!(10);
        body["village"] = json!("140525100201");
        let r = put(
            &app,
            "/api/v1/funds/projects/140525/P2020-05",
            (&vc, &vcsrf),
            body,
        )
        .await;
        assert_eq!(r.status, 403);
        let other = get(&app, "/funds/projects/140525/P2020-02", &vc).await;
        assert_eq!(other.status, 404, "西岭村's project is outside 东沟村");
        let own = get(&app, "/funds?area=140525100201", &vc).await;
        assert_eq!(own.status, 200);
        assert!(own.text.contains("本页为县以下区划"));
    });
}

/// The funds' pages (for the interface tests: every page in both languages).
pub fn pages() -> Vec<String> {
    [
        "/funds",
        "/funds?area=140525100201",
        "/funds/projects",
        "/funds/projects?status=done&kind=industry",
        "/funds/projects/140525/P2020-02",
        "/funds/loans",
        "/funds/assets/140525/PV-140525100201",
    ]
    .map(String::from)
    .to_vec()
}

/// The funds' data in the demo county (names of projects, sources, assets, cooperatives, how a
/// project benefits the poor): Chinese in an English page on purpose.
pub async fn data_names(app: &axum::Router, cookie: &str) -> Vec<String> {
    let o = get(app, "/api/v1/funds", cookie).await.json;
    let p = get(app, "/api/v1/funds/projects", cookie).await.json;
    let mut names = Vec::new();
    let strings = |v: &serde_json::Value, key: &str| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x[key].as_str().map(str::to_string))
            .collect()
    };
    names.extend(strings(&o["sources"], "name"));
    names.extend(strings(&o["assets"], "name"));
    names.extend(strings(&o["report"]["cooperatives"], "name"));
    names.extend(strings(&p["projects"], "name"));
    names.extend(strings(&p["projects"], "benefit"));
    // Longest first, so that a name inside another is replaced after it.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
}

/// A multipart upload of a funds table from the funds' import page.
async fn upload_table(
    app: &axum::Router,
    cookie: &str,
    csrf: &str,
    table: &str,
    file: &str,
) -> crate::common::Resp {
    let fields = [("_csrf", csrf), ("table", table)];
    let name = format!("{table}.csv");
    crate::common::post_multipart(app, "/funds/import", cookie, &fields, &name, file).await
}

#[test]
fn a_funds_table_uploads_all_or_nothing_with_sheet_row_and_column_errors() {
    crate::common::run("funds_upload", |app| async move {
        let (cookie, csrf) = crate::common::login(&app, "zezhou").await;
        let page = crate::common::get(&app, "/funds/import", &cookie).await;
        assert_eq!(page.status, axum::http::StatusCode::OK);
        assert!(page.text.contains("id=\"template-asset-income\""));
        assert!(page
            .text
            .contains("/funds/sheet?table=cooperatives&amp;area=140525"));
        let header = "县区划代码,资产编号,年度,收益(元),村集体部分(元)";
        // Row 3's collective part is above its income: nothing is written.
        let bad = format!(
            "{header}\n140525,PV-140525100201,2030,3000.00,1000.00\n140525,PV-140525100201,2031,100.00,200.00\n"
        );
        let r = upload_table(&app, &cookie, &csrf, "asset-income", &bad).await;
        assert_eq!(
            r.status,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            r.text
        );
        assert!(r.text.contains("data-committed=\"no\""));
        assert!(
            r.text.contains("data-row=\"3\" data-column=\"村集体部分(元) collective\" data-code=\"collective_above_income\""),
            "{}",
            r.text
        );
        assert!(r.text.contains("资产收益 asset-income"));
        let d = crate::common::get(
            &app,
            "/api/v1/funds/assets/140525/PV-140525100201/dividends?year=2030",
            &cookie,
        )
        .await;
        assert!(d.json["income"].is_null(), "nothing written: {}", d.text);

        // Corrected, it imports and the dividends are computed to the fen.
        let good = format!("{header}\n140525,PV-140525100201,2030,3000.01,1000.00\n");
        let r = upload_table(&app, &cookie, &csrf, "asset-income", &good).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("data-committed=\"yes\""));
        let d = crate::common::get(
            &app,
            "/api/v1/funds/assets/140525/PV-140525100201/dividends?year=2030",
            &cookie,
        )
        .await;
        assert_eq!(d.json["income"]["income"], "3000.01", "{}", d.text);
        let total: i64 = d.json["dividends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let s = x["amount"].as_str().unwrap().replace('.', "");
                s.parse::<i64>().unwrap()
            })
            .sum();
        assert_eq!(total, 200001, "the households' 2000.01 yuan to the fen");

        // The export downloads as XLSX; a village account may not upload.
        let x =
            crate::common::get(&app, "/funds/sheet?table=asset-income&area=140525", &cookie).await;
        assert_eq!(x.status, axum::http::StatusCode::OK);
        assert!(x.text.starts_with("PK"));
        let (village, vcsrf) = crate::common::login(&app, "dongou").await;
        let r = upload_table(&app, &village, &vcsrf, "asset-income", &good).await;
        assert_eq!(r.status, axum::http::StatusCode::FORBIDDEN, "{}", r.text);
    });
}

#[test]
fn a_funds_table_imports_through_the_api_as_its_sheet_does() {
    crate::common::run("funds_table_api", |app| async move {
        use serde_json::json;
        let (cookie, csrf) = crate::common::login(&app, "zezhou").await;
        let auth = (cookie.as_str(), csrf.as_str());
        let uri = "/api/v1/funds/tables/asset-income";
        let dividends = "/api/v1/funds/assets/140525/PV-140525100201/dividends?year=2031";
        // The second row's collective part is above its income: every bad cell, nothing written.
        let bad = json!({"rows": [
            {"county": "140525", "asset": "PV-140525100201", "year": 2031, "income": "3000.01",
             "collective": 1000},
            {"county": "140525", "asset": "PV-140525100201", "year": 2032, "income": "100.00",
             "collective": "200.00"}]});
        let r = crate::common::post(&app, uri, auth, bad).await;
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["committed"], false, "{}", r.text);
        assert_eq!(r.json["errors"][0]["row"], 2, "{}", r.text);
        assert_eq!(r.json["errors"][0]["code"], "collective_above_income");
        assert_eq!(r.json["errors"].as_array().unwrap().len(), 1, "{}", r.text);
        let d = crate::common::get(&app, dividends, &cookie).await;
        assert!(d.json["income"].is_null(), "nothing written: {}", d.text);

        // A key the table does not have is refused by name before anything is checked.
        let r = crate::common::post(
            &app,
            uri,
            auth,
            json!({"rows": [{"county": "140525"},
            {"incom": "1.00"}]}),
        )
        .await;
        assert_eq!(r.status, axum::http::StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json["error"]["code"], "unknown_column");
        assert_eq!(r.json["error"]["fields"][0]["field"], "rows[1].incom");

        // Corrected, it is written with its dividends to the fen, and reads back as a row.
        let good = json!({"rows": [
            {"county": "140525", "asset": "PV-140525100201", "year": 2031, "income": "3000.01",
             "collective": 1000}]});
        let r = crate::common::post(&app, uri, auth, good).await;
        assert_eq!(r.json["committed"], true, "{}", r.text);
        assert_eq!(r.json["rows"], 1);
        let d = crate::common::get(&app, dividends, &cookie).await;
        assert_eq!(d.json["income"]["income"], "3000.01", "{}", d.text);
        let total: i64 = d.json["dividends"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["amount"]
                    .as_str()
                    .unwrap()
                    .replace('.', "")
                    .parse::<i64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 200001, "the households' 2000.01 yuan to the fen");
        let t = crate::common::get(
            &app,
            "/api/v1/funds/tables/asset-income?area=140525",
            &cookie,
        )
        .await;
        assert_eq!(t.status, axum::http::StatusCode::OK, "{}", t.text);
        assert_eq!(t.json["columns"][0], "county");
        let rows = t.json["rows"].as_array().unwrap();
        let row = rows
            .iter()
            .find(|r| r["year"] == "2031")
            .expect("the 2031 row");
        assert_eq!(row["income"], "3000.01");
        assert_eq!(row["collective"], "1000.00");

        // A village account may not import.
        let (village, vcsrf) = crate::common::login(&app, "dongou").await;
        let r = crate::common::post(&app, uri, (&village, &vcsrf), json!({"rows": []})).await;
        assert_eq!(r.status, axum::http::StatusCode::FORBIDDEN, "{}", r.text);
    });
}
