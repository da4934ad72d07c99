//! The responsibility network on the web (issue 11): route × role (through the duties matrix),
//! the county pairs a cadre with a household from its page, the coverage page lists the gaps
//! with links, a cadre's 我的帮扶户 records visits of its own households only. SQLite and PostgreSQL.

use crate::common::{get, login, post, post_form, run, send};
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};

/// One API case: method, route, URI, body, the status of each role.
pub type ApiCase = (Method, &'static str, String, Option<Value>, [u16; 6]);

/// The API cases of the duties matrix: (method, route, uri, body, status for admin, county,
/// township, village, cadre, viewer). None writes.
pub fn api_cases(h: &str) -> Vec<ApiCase> {
    use Method as M;
    let read = [200, 200, 200, 200, 404, 200];
    let manage = [422, 422, 403, 403, 404, 403];
    let r = |p: &'static str| p;
    let list = |route: &'static str| (M::GET, route, route.to_string(), None, read);
    let hv = "/api/v1/households/{number}/visits";
    vec![
        list("/api/v1/responsibility/units"),
        (
            M::POST,
            r("/api/v1/responsibility/units"),
            "/api/v1/responsibility/units".into(),
            Some(json!({})),
            manage,
        ),
        list("/api/v1/responsibility/cadres"),
        (
            M::POST,
            r("/api/v1/responsibility/cadres"),
            "/api/v1/responsibility/cadres".into(),
            Some(json!({})),
            manage,
        ),
        list("/api/v1/responsibility/pairings"),
        (
            M::POST,
            r("/api/v1/responsibility/pairings"),
            "/api/v1/responsibility/pairings".into(),
            Some(json!({"cadre": "NOPE", "household": h})),
            manage,
        ),
        (
            M::POST,
            r("/api/v1/responsibility/pairings/bulk"),
            "/api/v1/responsibility/pairings/bulk".into(),
            Some(json!({"cadre": "NOPE", "households": [h]})),
            manage,
        ),
        (
            M::POST,
            r("/api/v1/responsibility/pairings/bulk-end"),
            "/api/v1/responsibility/pairings/bulk-end".into(),
            Some(json!({"pairings": [{"cadre": "NOPE", "household": h}], "reason": "x"})),
            manage,
        ),
        (
            M::POST,
            r("/api/v1/responsibility/pairings/end"),
            "/api/v1/responsibility/pairings/end".into(),
            Some(json!({"cadre": "NOPE", "household": h, "reason": "x"})),
            [409, 409, 403, 403, 404, 403],
        ),
        list("/api/v1/responsibility/teams"),
        (
            M::POST,
            r("/api/v1/responsibility/teams"),
            "/api/v1/responsibility/teams".into(),
            Some(
                json!({"id": "TX", "village": "140525100201", "unit": "U001",
                        "members": [{"cadre": "NOPE", "role": "leader"}]}),
            ),
            manage,
        ),
        list("/api/v1/responsibility/enterprise-pairings"),
        (
            M::POST,
            r("/api/v1/responsibility/enterprise-pairings"),
            "/api/v1/responsibility/enterprise-pairings".into(),
            Some(json!({"unit": "U001", "village": "140525100201"})),
            manage,
        ),
        list("/api/v1/responsibility/letters"),
        (
            M::POST,
            r("/api/v1/responsibility/letters"),
            "/api/v1/responsibility/letters".into(),
            Some(json!({})),
            manage,
        ),
        list("/api/v1/responsibility/coverage"),
        list("/api/v1/responsibility/visits"),
        (
            M::GET,
            r("/api/v1/responsibility/my-households"),
            "/api/v1/responsibility/my-households".into(),
            None,
            [200; 6],
        ),
        (
            M::GET,
            hv,
            format!("/api/v1/households/{h}/visits"),
            None,
            [200; 6],
        ),
        // A visit in the future: refused by its validation (422) wherever the role may record.
        (
            M::POST,
            hv,
            format!("/api/v1/households/{h}/visits"),
            Some(json!({"date": "2999-01-01"})),
            [422, 422, 422, 422, 422, 403],
        ),
        (
            M::POST,
            r("/api/v1/households/{number}/visits/issues/{issue}/close"),
            format!("/api/v1/households/{h}/visits/issues/NOPE/close"),
            Some(json!({})),
            [404, 404, 404, 404, 404, 403],
        ),
    ]
}

/// The pages' cases of the duties matrix: (method, uri, form, statuses).
pub fn page_cases(h: &str) -> Vec<(Method, String, Option<Value>, [u16; 6])> {
    use Method as M;
    let read = [200, 200, 200, 200, 404, 200];
    vec![
        (M::GET, "/responsibility".into(), None, read),
        (M::GET, "/responsibility/coverage".into(), None, read),
        (M::GET, "/my".into(), None, [200; 6]),
        (M::GET, "/responsibility/template.xlsx".into(), None, read),
        (
            M::GET,
            "/responsibility/pairings/bulk".into(),
            None,
            [200, 200, 403, 403, 404, 403],
        ),
        (
            M::POST,
            "/responsibility/pairings/bulk".into(),
            Some(json!(format!("cadre=NOPE&area=140525100201&h_{h}=on"))),
            [422, 422, 403, 403, 404, 403],
        ),
        (
            M::POST,
            "/responsibility/pairings/bulk-end".into(),
            Some(json!(format!("reason=x&area=140525100201&end_{h}_NOPE=on"))),
            [422, 422, 403, 403, 404, 403],
        ),
        (
            M::POST,
            "/responsibility/units".into(),
            Some(json!("")),
            [422, 422, 403, 403, 404, 403],
        ),
        (
            M::POST,
            format!("/households/{h}/visits"),
            Some(json!("date=2999-01-01")),
            [422, 422, 422, 422, 422, 403],
        ),
    ]
}

/// The network's texts of the demo county (names, findings, issues), which are data, not
/// interface text.
pub async fn data_names(app: &Router, cookie: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in ["units", "cadres"] {
        let r = get(app, &format!("/api/v1/responsibility/{path}"), cookie).await;
        for x in r.json["items"].as_array().unwrap() {
            out.push(x["name"].as_str().unwrap().to_string());
            // A cadre's web account name is data too.
            out.extend(x["account"].as_str().map(str::to_string));
        }
    }
    let r = get(
        app,
        "/api/v1/responsibility/visits?from=2020-01-01&to=2020-12-31",
        cookie,
    )
    .await;
    for v in r.json["items"].as_array().unwrap() {
        out.extend(v["findings"].as_str().map(str::to_string));
        for i in v["issues"].as_array().unwrap() {
            out.push(i["text"].as_str().unwrap().to_string());
            out.extend(i["measure"].as_str().map(str::to_string));
        }
    }
    out
}

const H1: &str = "140525100201001";
/// An unpaired poor household of 东沟村.
const H9: &str = "140525100201006";

#[test]
fn the_county_pairs_and_the_coverage_lists_the_gaps_with_links() {
    run("resp_county", |app| async move {
        let (county, csrf) = login(&app, "zezhou").await;
        // The demo network: the cadre account's cadre, its five households, a team.
        let c = get(&app, "/api/v1/responsibility/cadres", &county).await;
        let ids: Vec<&str> = c.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["C0001", "C0002", "C0003"]);
        assert_eq!(c.json["items"][0]["account"], "cadre");
        let cov = get(
            &app,
            "/api/v1/responsibility/coverage?area=140525100201&as_of=2020-06-30",
            &county,
        )
        .await;
        assert_eq!(cov.status, StatusCode::OK, "{}", cov.text);
        let unpaired = |cov: &Value| -> Vec<String> {
            cov["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["code"] == "household_unpaired")
                .map(|g| g["household"].as_str().unwrap().to_string())
                .collect()
        };
        let before = unpaired(&cov.json);
        assert!(before.contains(&H9.to_string()), "{}", cov.text);
        assert!(!before.contains(&H1.to_string()));
        // C0003, a section chief (quota 3) of the county, has no household.
        let whole = get(
            &app,
            "/api/v1/responsibility/coverage?area=140525&as_of=2020-06-30",
            &county,
        )
        .await;
        assert!(whole.json["gaps"].as_array().unwrap().contains(
            &json!({"code": "cadre_below_quota", "cadre": "C0003", "pairings": 0, "quota": 3})
        ));
        assert_eq!(cov.json["visits"]["visits"], 3);
        assert_eq!(cov.json["visits"]["completion_pct"], "50.00");

        // The household page offers the pairing form; pairing from it closes that gap.
        let page = get(&app, &format!("/households/{H9}"), &county).await;
        assert!(page.text.contains("id=\"pair-form\""), "{}", page.text);
        let r = post_form(
            &app,
            "/responsibility/pairings",
            &county,
            &format!("_csrf={csrf}&cadre=C0003&household={H9}&start=2020-06-01"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let page = get(&app, &format!("/households/{H9}"), &county).await;
        assert!(page.text.contains("张建国 (C0003)"), "{}", page.text);
        let cov = get(
            &app,
            "/api/v1/responsibility/coverage?area=140525100201&as_of=2020-06-30",
            &county,
        )
        .await;
        assert!(!unpaired(&cov.json).contains(&H9.to_string()));
        // The coverage page links each gap to where it is fixed.
        let html = get(
            &app,
            "/responsibility/coverage?area=140525&as_of=2020-06-30",
            &county,
        )
        .await;
        assert!(
            html.text
                .contains("&#x2f;households&#x2f;140525100201011\">140525100201011</a>"),
            "{}",
            html.text
        );
        assert!(html.text.contains("&#x2f;responsibility\">C0003</a>"));
        // A unit of another kind is refused by field.
        let bad = post(
            &app,
            "/api/v1/responsibility/units",
            (&county, &csrf),
            json!({"code": "U9", "name": "局", "kind": "ministry"}),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json["error"]["fields"][0]["field"], "kind");
        // Enterprise pairings take an enterprise; letters are kept with their signer and date.
        let r = post(
            &app,
            "/api/v1/responsibility/enterprise-pairings",
            (&county, &csrf),
            json!({"unit": "E001", "village": "140525100203", "start": "2020-01-01"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = post(
            &app,
            "/api/v1/responsibility/letters",
            (&county, &csrf),
            json!({"id": "L1", "signer": "王强", "level": "county", "signed_on": "2020-02-01"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let l = get(&app, "/api/v1/responsibility/letters", &county).await;
        assert_eq!(l.json["items"][0]["signer"], "王强");
        assert_eq!(l.json["items"][0]["area"], "140525");
        let e = get(&app, "/api/v1/responsibility/enterprise-pairings", &county).await;
        assert_eq!(e.json["items"].as_array().unwrap().len(), 2);
        // The workbook of the county's network, as `fupin responsibility export` writes it.
        let bytes = crate::common::send_bytes(&app, "/responsibility/workbook.xlsx", &county).await;
        let path = std::env::temp_dir().join(format!("resp-web-{}.xlsx", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let wb = fupin_sheet::responsibility::read_workbook(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(wb.doc["cadres"][0]["account"], "cadre");
        assert_eq!(wb.count("teams"), 1);
        // The township sees the network of its area but changes nothing.
        let (town, tcsrf) = login(&app, "nancun").await;
        let r = post(
            &app,
            "/api/v1/responsibility/pairings",
            (&town, &tcsrf),
            json!({"cadre": "C0003", "household": H9}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The dashboard shows the network's figures of 2020.
        let d = get(&app, "/?area=140525&year=2020", &county).await;
        assert!(
            d.text.contains("id=\"responsibility-figures\""),
            "{}",
            d.text
        );
    });
}

#[test]
fn a_cadre_sees_and_records_only_its_own() {
    run("resp_cadre", |app| async move {
        let (cadre, csrf) = login(&app, "cadre").await;
        let my = get(&app, "/api/v1/responsibility/my-households", &cadre).await;
        let numbers: Vec<&str> = my.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["number"].as_str().unwrap())
            .collect();
        assert_eq!(
            numbers,
            [
                "140525100201001",
                "140525100201002",
                "140525100201003",
                "140525100201004",
                "140525100201005"
            ]
        );
        // Its own household: recorded as its cadre, with an issue closed by its measure.
        let r = post(
            &app,
            &format!("/api/v1/households/{H1}/visits"),
            (&cadre, &csrf),
            json!({"date": "2020-06-20", "cadre": "C0003", "findings": "看望",
                   "issues": [{"text": "缺化肥", "measure": "联系农资店", "closed": true}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            r.json["record"]["cadre"], "C0001",
            "a cadre records as itself, whatever it sends"
        );
        assert_eq!(r.json["record"]["issues"][0]["closed_on"], "2020-06-20");
        // A closed issue needs its measure.
        let r = post(
            &app,
            &format!("/api/v1/households/{H1}/visits"),
            (&cadre, &csrf),
            json!({"date": "2020-06-21", "issues": [{"text": "x", "closed": true}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json["error"]["fields"][0]["field"], "issues[0].measure");
        // Another household: absent to the cadre.
        let r = post(
            &app,
            &format!("/api/v1/households/{H9}/visits"),
            (&cadre, &csrf),
            json!({"date": "2020-06-20"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = get(&app, &format!("/api/v1/households/{H9}/visits"), &cadre).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The network's lists are not the cadre's.
        let r = get(&app, "/api/v1/responsibility/visits", &cadre).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The county records for a named cadre; the cadre's list of the household shows its own only.
        let (county, ccsrf) = login(&app, "zezhou").await;
        let r = post(
            &app,
            &format!("/api/v1/households/{H1}/visits"),
            (&county, &ccsrf),
            json!({"date": "2020-06-22", "cadre": "C0002", "findings": "工作队走访"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let mine = get(&app, &format!("/api/v1/households/{H1}/visits"), &cadre).await;
        assert!(mine.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["cadre"] == "C0001"));
        let all = get(&app, &format!("/api/v1/households/{H1}/visits"), &county).await;
        assert_eq!(
            all.json["items"].as_array().unwrap().len(),
            mine.json["items"].as_array().unwrap().len() + 1
        );
        // The phone page lists the households with a visit form each.
        let page = get(&app, "/my", &cadre).await;
        assert!(
            page.text.contains(&format!("id=\"visit-form-{H1}\"")),
            "{}",
            page.text
        );
        let r = post_form(
            &app,
            &format!("/households/{H1}/visits"),
            &cadre,
            &format!("_csrf={csrf}&date=2020-06-25&findings=ok&issue=&measure="),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let my = get(&app, "/api/v1/responsibility/my-households", &cadre).await;
        assert_eq!(my.json["items"][0]["last_visit"], "2020-06-25");
    });
}

/// The unpaired households of 东沟村 (poor, returned or monitored, no open pairing), by number.
async fn unpaired_in(app: &Router, cookie: &str, village: &str) -> Vec<String> {
    let cov = get(
        app,
        &format!("/api/v1/responsibility/coverage?area={village}"),
        cookie,
    )
    .await;
    assert_eq!(cov.status, StatusCode::OK, "{}", cov.text);
    cov.json["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["code"] == "household_unpaired")
        .map(|g| g["household"].as_str().unwrap().to_string())
        .collect()
}

/// The open pairings' cadres of a household.
async fn open_cadres(app: &Router, cookie: &str, number: &str) -> Vec<String> {
    let r = get(
        app,
        "/api/v1/responsibility/pairings?area=140525100201",
        cookie,
    )
    .await;
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["household"] == number && p["end"].is_null())
        .map(|p| p["cadre"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_county_pairs_households_in_bulk_all_or_nothing() {
    run("resp_bulk", |app| async move {
        let (county, csrf) = login(&app, "zezhou").await;
        let village = "140525100201";
        let free = unpaired_in(&app, &county, village).await;
        assert!(free.len() >= 4, "{free:?}");
        let (a, b, c) = (&free[0], &free[1], &free[2]);
        // The page lists the village's unpaired households with a checkbox each, and the county's
        // cadres with load and quota: C0001 (section level, quota 1) has 5 and is marked.
        let page = get(
            &app,
            &format!("/responsibility/pairings/bulk?area={village}"),
            &county,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        for n in &free {
            assert!(page.text.contains(&format!("name=\"h_{n}\"")), "{n}");
        }
        assert!(!page.text.contains(&format!("name=\"h_{H1}\"")));
        assert!(
            page.text.contains("value=\"C0001\" data-full=\"true\""),
            "{}",
            page.text
        );
        assert!(page.text.contains("value=\"C0003\" data-full=\"false\""));
        assert!(page.text.contains("东沟村"), "the area by name");
        // One of them paired already: refused naming it, nothing written.
        let form = |hs: &[&str]| {
            let checks: String = hs.iter().map(|n| format!("&h_{n}=on")).collect();
            format!("_csrf={csrf}&area={village}&cadre=C0003&start=2020-06-01{checks}")
        };
        let r = post_form(
            &app,
            "/responsibility/pairings/bulk",
            &county,
            &form(&[a, H1, b]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text.contains(&format!("户 {H1} 已与干部 C0001 结对")),
            "{}",
            r.text
        );
        assert!(open_cadres(&app, &county, a).await.is_empty());
        assert!(open_cadres(&app, &county, b).await.is_empty());
        // A forged token, or a village account: 403, nothing written.
        let forged = form(&[a, b, c]).replace(&csrf, "forged");
        let r = post_form(&app, "/responsibility/pairings/bulk", &county, &forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let (vil, vcsrf) = login(&app, "dongou").await;
        let r = post_form(
            &app,
            "/responsibility/pairings/bulk",
            &vil,
            &form(&[a, b, c]).replace(&csrf, &vcsrf),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(open_cadres(&app, &county, a).await.is_empty());
        // Three at once: three pairings with C0003.
        let r = post_form(
            &app,
            "/responsibility/pairings/bulk",
            &county,
            &form(&[a, b, c]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        for n in [a, b, c] {
            assert_eq!(open_cadres(&app, &county, n).await, ["C0003"], "{n}");
        }
        let left = unpaired_in(&app, &county, village).await;
        assert_eq!(left.len(), free.len() - 3);
        let done = get(
            &app,
            &format!("/responsibility/pairings/bulk?area={village}&paired=3"),
            &county,
        )
        .await;
        assert!(
            done.text.contains("value=\"C0003\" data-full=\"true\""),
            "3 of quota 3"
        );
        // The API: a household outside the county is refused by name, nothing written.
        let d = &free[3];
        let r = post(
            &app,
            "/api/v1/responsibility/pairings/bulk",
            (&county, &csrf),
            json!({"cadre": "C0002", "households": [d, "140581100201001"]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["fields"][0]["field"], "households[1]");
        assert!(open_cadres(&app, &county, d).await.is_empty());
        let r = post(
            &app,
            "/api/v1/responsibility/pairings/bulk",
            (&county, &csrf),
            json!({"cadre": "C0002", "households": [d, a]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["fields"][0]["code"], "already_paired");
        assert!(r.text.contains(a.as_str()));
        assert!(open_cadres(&app, &county, d).await.is_empty());
        // Ending two in bulk with a reason.
        let r = post_form(
            &app,
            "/responsibility/pairings/bulk-end",
            &county,
            &format!("_csrf={csrf}&area={village}&end=2020-07-01&reason=干部调整&end_{a}_C0003=on&end_{b}_C0003=on"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(open_cadres(&app, &county, a).await.is_empty());
        assert_eq!(open_cadres(&app, &county, c).await, ["C0003"]);
        let h = get(&app, &format!("/households/{a}"), &county).await;
        assert!(h.text.contains("干部调整"), "{}", h.text);
        // The coverage page links an unpaired household to the bulk page with it checked.
        let cov = get(
            &app,
            &format!("/responsibility/coverage?area={village}"),
            &county,
        )
        .await;
        assert!(
            cov.text.contains(&format!(
                "pairings&#x2f;bulk?area={village}&amp;household={a}"
            )),
            "{}",
            cov.text
        );
        let pre = get(
            &app,
            &format!("/responsibility/pairings/bulk?area={village}&household={a}"),
            &county,
        )
        .await;
        assert!(
            pre.text
                .contains(&format!("name=\"h_{a}\" id=\"h_{a}\" checked")),
            "{}",
            pre.text
        );
        // The management page links to it.
        let m = get(&app, "/responsibility", &county).await;
        assert!(m.text.contains("id=\"bulk-link\""), "{}", m.text);
    });
}

/// A multipart upload of a workbook to the management page.
async fn upload(app: &Router, cookie: &str, csrf: &str, bytes: &[u8]) -> crate::common::Resp {
    let boundary = "fupinRespBoundary42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"network.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/responsibility/workbook")
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    send(app, req).await
}

#[test]
fn the_county_uploads_the_workbook_all_or_nothing() {
    run("resp_upload", |app| async move {
        let (county, csrf) = login(&app, "zezhou").await;
        let free = unpaired_in(&app, &county, "140525100201").await;
        let n = free[0].clone();
        // The template is next to the upload: the five sheets, no record.
        let m = get(&app, "/responsibility", &county).await;
        assert!(m.text.contains("id=\"upload-form\"") && m.text.contains("id=\"template-link\""));
        let t = crate::common::send_bytes(&app, "/responsibility/template.xlsx", &county).await;
        let path = std::env::temp_dir().join(format!("resp-tpl-{}.xlsx", std::process::id()));
        std::fs::write(&path, &t).unwrap();
        let wb = fupin_sheet::responsibility::read_workbook(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            (wb.count("units"), wb.count("cadres"), wb.count("pairings")),
            (0, 0, 0)
        );
        let good = json!({
            "units": [{"code": "U77", "name": "县水利局", "kind": "institution", "area": "140525"}],
            "cadres": [{"id": "C0077", "name": "赵六", "unit": "U77", "rank": "staff"}],
            "pairings": [{"cadre": "C0077", "household": n, "start": "2020-03-01"}],
        });
        // Broken: a rank that is none, an unknown household, a unit of another county.
        let mut bad = good.clone();
        bad["cadres"][0]["rank"] = json!("科员");
        bad["pairings"]
            .as_array_mut()
            .unwrap()
            .push(json!({"cadre": "C0077", "household": "140525100201999", "start": "2020-03-01"}));
        bad["units"].as_array_mut().unwrap().push(
            json!({"code": "U78", "name": "外县局", "kind": "institution", "area": "140581"}),
        );
        let bytes = fupin_sheet::responsibility::workbook_bytes(&bad).unwrap();
        let r = upload(&app, &county, &csrf, &bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        for cell in [
            "data-sheet=\"干部\" data-row=\"2\" data-column=\"职级\"",
            "data-sheet=\"结对\" data-row=\"3\" data-column=\"户编号\"",
            "data-sheet=\"单位\" data-row=\"3\" data-column=\"所属区划\" data-code=\"area_scope\"",
        ] {
            assert!(r.text.contains(cell), "{cell}: {}", r.text);
        }
        let cadres = get(&app, "/api/v1/responsibility/cadres", &county).await;
        assert!(!cadres.text.contains("C0077"), "nothing written");
        assert!(open_cadres(&app, &county, &n).await.is_empty());
        let bytes = fupin_sheet::responsibility::workbook_bytes(&good).unwrap();
        // A forged token, or a village account: 403.
        let r = upload(&app, &county, "forged", &bytes).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let (vil, vcsrf) = login(&app, "dongou").await;
        let r = upload(&app, &vil, &vcsrf, &bytes).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(open_cadres(&app, &county, &n).await.is_empty());
        // The good one writes every record.
        let r = upload(&app, &county, &csrf, &bytes).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("data-committed=\"yes\""), "{}", r.text);
        let cadres = get(&app, "/api/v1/responsibility/cadres", &county).await;
        assert!(cadres.text.contains("赵六"), "{}", cadres.text);
        assert_eq!(open_cadres(&app, &county, &n).await, ["C0077"]);
    });
}
