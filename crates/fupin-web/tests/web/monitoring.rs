//! The monitoring workflow on the web (issue 13): a self-report from the public page becomes a
//! signal of its village, the village opens and verifies the case, the township reviews, the county
//! decides (each level its own step), the household's category follows the decision; the department
//! file's alerts; risk elimination in words; the household page's monitoring code. On SQLite and
//! PostgreSQL.

use crate::common::{get, login, post, post_from, run};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// 东沟村's first household (poor), paired with `cadre`.
pub const H_IN: &str = "140525100201001";

/// A fresh client address for each use (the self-report's per-address limit is in memory).
pub fn address() -> String {
    static N: AtomicU32 = AtomicU32::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("10.13.{}.{}", n / 250, 1 + n % 250)
}

/// The ids the first case and the first signal of today get (`K` + year, `S` + date).
pub fn first_ids() -> (String, String) {
    let today = fupin_web::registry::service::today();
    (
        format!("K{}000001", today.format("%Y")),
        format!("S{}000001", today.format("%Y%m%d")),
    )
}

fn report(id_number: &str) -> Value {
    json!({"name": "张三", "id_number": id_number, "phone": "13912345678",
           "village": "140525100201", "what": "illness", "amount": "23000", "note": "住院"})
}

/// The first member's ID number of a household, as the village sees it.
pub async fn member_of(app: &Router, cookie: &str, number: &str) -> String {
    let rec = get(app, &format!("/api/v1/households/{number}"), cookie).await;
    rec.json["members"][0]["id_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The route matrix's fixtures (tests/web/duties.rs): a self-report of H_IN's first member and a
/// case of H_IN opened by the village, both of today ([`first_ids`]).
pub async fn fixtures(app: &Router, village: (&str, &str)) {
    let member = member_of(app, village.0, H_IN).await;
    let r = post_from(app, &address(), "/api/v1/self-report", report(&member)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let uri = format!("/api/v1/households/{H_IN}/monitoring/cases");
    let r = post(app, &uri, village, json!({"detail": "走访发现因病支出大"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json["case"]["id"], first_ids().0);
}

#[test]
fn a_self_report_is_a_receipt_and_a_signal_for_its_village_only() {
    run("monitoring_report", |app| async move {
        let (village, _) = login(&app, "dongou").await;
        let member = member_of(&app, &village, H_IN).await;
        // The public API needs no sign-in; the answer is the receipt number only.
        let r = post_from(&app, &address(), "/api/v1/self-report", report(&member)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let receipt = r.json["receipt"].as_str().unwrap().to_string();
        assert_eq!(receipt, first_ids().1);
        assert_eq!(r.json.as_object().unwrap().len(), 1, "{}", r.text);
        assert!(!r.text.contains(H_IN));
        // A failing ID number is refused, field by field.
        let mut bad = member.clone();
        bad.replace_range(17.., if member.ends_with('1') { "2" } else { "1" });
        let r = post_from(&app, &address(), "/api/v1/self-report", report(&bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("id_checksum"), "{}", r.text);
        let r = post_from(
            &app,
            &address(),
            "/api/v1/self-report",
            json!({"name": "", "id_number": member, "phone": "123", "village": "140525100299", "what": "x"}),
        )
        .await;
        let fields: Vec<&str> = r.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "phone", "village", "what"], "{}", r.text);
        // Per ID number: three a day; per address: five an hour.
        for _ in 0..2 {
            let r = post_from(&app, &address(), "/api/v1/self-report", report(&member)).await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let r = post_from(&app, &address(), "/api/v1/self-report", report(&member)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        let other = member_of(&app, &village, "140525100201002").await;
        let addr = address();
        let mut codes = Vec::new();
        for _ in 0..6 {
            let mut b = report(&other);
            b["id_number"] = json!(if codes.len() < 2 {
                other.clone()
            } else {
                String::new()
            });
            let r = post_from(&app, &addr, "/api/v1/self-report", b).await;
            codes.push(r.status.as_u16());
        }
        // Refused requests still count; the sixth from one address is too many.
        assert_eq!(codes, [201, 201, 422, 422, 422, 429]);

        // The village sees the signals with the household; the neighbouring village does not.
        let m = get(&app, "/api/v1/monitoring", &village).await;
        let signals = m.json["signals"].as_array().unwrap();
        assert_eq!(signals.len(), 5, "{}", m.text);
        assert!(signals.iter().any(|s| s["household"] == H_IN));
        let (county, _) = login(&app, "zezhou").await;
        let m = get(&app, "/api/v1/monitoring?area=140525100202", &county).await;
        assert!(m.json["signals"].as_array().unwrap().is_empty());
        // A viewer sees ID numbers masked.
        let (leader, _) = login(&app, "leader").await;
        let m = get(&app, "/api/v1/monitoring", &leader).await;
        assert!(!m.text.contains(&member), "{}", m.text);
    });
}

#[test]
fn each_level_records_its_step_and_the_county_decision_sets_the_category() {
    run("monitoring_case", |app| async move {
        let (village, vcsrf) = login(&app, "dongou").await;
        let (township, tcsrf) = login(&app, "nancun").await;
        let (county, ccsrf) = login(&app, "zezhou").await;
        let v = (village.as_str(), vcsrf.as_str());
        let t = (township.as_str(), tcsrf.as_str());
        let c = (county.as_str(), ccsrf.as_str());
        let list = get(
            &app,
            "/api/v1/households?status=exited&area=140525100201",
            &village,
        )
        .await;
        let number = list.json["rows"][0]["number"].as_str().unwrap().to_string();
        let opened = post(
            &app,
            &format!("/api/v1/households/{number}/monitoring/cases"),
            v,
            json!({"date": "2021-06-01", "detail": "因病住院"}),
        )
        .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
        let id = opened.json["case"]["id"].as_str().unwrap().to_string();
        assert_eq!(id, "K2021000001");
        let again = post(
            &app,
            &format!("/api/v1/households/{number}/monitoring/cases"),
            v,
            json!({}),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let steps = format!("/api/v1/monitoring/cases/{id}/steps");
        let step = |s: &str, d: &str| json!({"step": s, "date": d, "documents": ["入户核实表"]});
        // Each level its own step.
        let r = post(&app, &steps, v, step("township_review", "2021-06-05")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&app, &steps, v, step("home_verification", "2021-06-03")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = post(&app, &steps, v, step("public_notice", "2021-06-06")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = post(&app, &steps, c, step("township_review", "2021-06-10")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&app, &steps, t, step("village_appraisal", "2021-06-10")).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("step_order"))
        );
        let r = post(&app, &steps, t, step("township_review", "2021-06-10")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let decision = json!({"step": "county_decision", "date": "2021-06-16", "outcome": "enrolled", "category": "unstable"});
        let r = post(&app, &steps, t, decision.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&app, &steps, c, decision).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["timing"]["days_open"], 15);
        assert_eq!(r.json["timing"]["decided_late"], false);
        assert_eq!(r.json["case"]["status"], "enrolled");
        let h = get(&app, &format!("/api/v1/households/{number}"), &county).await;
        assert_eq!(h.json["monitoring"], "unstable", "{}", h.text);
        let history = get(
            &app,
            &format!("/api/v1/households/{number}/history"),
            &county,
        )
        .await;
        assert!(
            history.json["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "entered_monitoring" && e["reason"] == id.as_str()),
            "{}",
            history.text
        );

        // Risk elimination in words: five months are not enough; six are (or its guarantees fail).
        let uri = format!("/api/v1/households/{number}/monitoring/elimination");
        let r = post(
            &app,
            &uri,
            v,
            json!({"months_above_line": 6, "rigid_expense_resolved": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(
            &app,
            &uri,
            c,
            json!({"months_above_line": 5, "rigid_expense_resolved": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["eligible"], false);
        assert_eq!(r.json["failed"][0]["code"], "income_not_stable");
        assert_eq!(r.json["failed"][0]["zh"], "收入稳定超过监测线未满规定月数");

        // The pages: the case with its steps, the area's monitoring, the household's code.
        let page = get(&app, &format!("/monitoring/cases/{id}"), &county).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("入户核实表") && page.text.contains("data-status=\"enrolled\""));
        let page = get(&app, &format!("/households/{number}"), &village).await;
        let code = fupin_core::household_code::monitoring_code(&number).unwrap();
        assert!(
            page.text
                .contains(&format!("id=\"monitoring-code\">{code}<")),
            "{}",
            page.text
        );
        assert!(page.text.contains("<svg"));
    });
}

#[test]
fn overdue_cases_come_first_and_the_department_file_opens_cases() {
    run("monitoring_department", |app| async move {
        let (village, vcsrf) = login(&app, "dongou").await;
        let (county, ccsrf) = login(&app, "zezhou").await;
        let v = (village.as_str(), vcsrf.as_str());
        let list = get(
            &app,
            "/api/v1/households?status=exited&area=140525100201",
            &village,
        )
        .await;
        let rows = list.json["rows"].as_array().unwrap();
        let (a, b) = (
            rows[0]["number"].as_str().unwrap(),
            rows[1]["number"].as_str().unwrap(),
        );
        let today = fupin_web::registry::service::today();
        let long_ago = (today - chrono::Duration::days(16)).to_string();
        let recent = (today - chrono::Duration::days(2)).to_string();
        for (n, d) in [(b, recent.as_str()), (a, long_ago.as_str())] {
            let r = post(
                &app,
                &format!("/api/v1/households/{n}/monitoring/cases"),
                v,
                json!({"date": d}),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        let m = get(&app, "/api/v1/monitoring", &county).await;
        let cases = m.json["cases"].as_array().unwrap();
        assert_eq!(
            (
                cases[0]["case"]["household"].as_str(),
                &cases[0]["timing"]["overdue"]
            ),
            (Some(a), &json!(true))
        );
        assert_eq!(cases[0]["timing"]["days_open"], 16);
        assert_eq!(cases[1]["timing"]["overdue"], false);
        let page = get(&app, "/monitoring", &county).await;
        let first = page.text.find("data-overdue=").unwrap();
        assert!(
            page.text[first..].starts_with("data-overdue=\"yes\""),
            "{}",
            page.text
        );

        // A department file: an exited household's member with medical costs of exactly 10,000 opens
        // a case (not for `a`, whose case is open), 9,999.99 raises nothing, a bad ID is a bad row.
        let third = rows[2]["number"].as_str().unwrap();
        let m3 = member_of(&app, &village, third).await;
        let ma = member_of(&app, &village, a).await;
        let mut bad = m3.clone();
        bad.replace_range(17.., if m3.ends_with('1') { "2" } else { "1" });
        let csv = format!(
            "证件号码,姓名,事项,金额,日期,部门\n{m3},x,医疗自付,10000,,医保局\n{ma},y,医疗自付,10000.00,,医保局\n{ma},y,受灾,9999.99,,应急局\n{bad},z,失业,,,人社局\n"
        );
        let body = json!({"file": "d.csv", "content": csv});
        let r = post(&app, "/api/v1/monitoring/department", v, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a village does not compare: {}",
            r.text
        );
        let r = post(
            &app,
            "/api/v1/monitoring/department",
            (&county, &ccsrf),
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let alerts = r.json["alerts"].as_array().unwrap();
        let got: Vec<(&str, &str, &Value)> = alerts
            .iter()
            .map(|x| {
                (
                    x["code"].as_str().unwrap(),
                    x["household"].as_str().unwrap(),
                    &x["case"],
                )
            })
            .collect();
        let mut want = [
            (
                "risk_signal",
                third,
                json!(format!("K{}000003", today.format("%Y"))),
            ),
            ("risk_signal", a, Value::Null),
        ];
        want.sort_by_key(|w| if w.1 == third { m3.clone() } else { ma.clone() });
        let want: Vec<(&str, &str, &Value)> = want.iter().map(|(c, h, x)| (*c, *h, x)).collect();
        assert_eq!(got, want, "{}", r.text);
        assert_eq!(r.json["errors"][0]["code"], "id_checksum");
        assert_eq!(r.json["errors"][0]["row"], 5);
    });
}

/// Issue 13 item 3 and the dismissal: an API edit that drops an exited household's income below
/// the line keeps its category and raises one signal for its village (a second edit none); the
/// page shows the stored category with the judgement as a risk indication. The village dismisses
/// the signal with a reason (API, then the page's form); a case can still be opened.
#[test]
fn an_edit_raises_one_signal_and_the_village_dismisses_it_with_a_reason() {
    use crate::common::{post_form, put};
    run("monitoring_edit_signal", |app| async move {
        let (village, vcsrf) = login(&app, "dongou").await;
        let v = (village.as_str(), vcsrf.as_str());
        let list = get(
            &app,
            "/api/v1/households?status=exited&area=140525100201&per_page=100",
            &village,
        )
        .await;
        let number = list.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["monitoring"].is_null())
            .expect("an exited household not monitored")["number"]
            .as_str()
            .unwrap()
            .to_string();
        let uri = format!("/api/v1/households/{number}");
        let rec = get(&app, &uri, &village).await;
        let mut body = rec.json.clone();
        for k in ["wage", "business", "property", "transfer", "business_cost"] {
            body["income"][k] = json!("0.00");
        }
        body["income"]["wage"] = json!("100.00");
        // Whatever the caller says, an edit does not set the category.
        body["monitoring"] = json!("marginal");
        let r = put(&app, &uri, v, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["monitoring"], Value::Null, "{}", r.text);
        let signals = |app: Router, cookie: String| async move {
            let o = get(&app, "/api/v1/monitoring?area=140525100201", &cookie).await;
            o.json["signals"].as_array().unwrap().clone()
        };
        let mine = |s: &Vec<Value>| -> Vec<Value> {
            s.iter()
                .filter(|x| x["household"] == json!(number))
                .cloned()
                .collect()
        };
        let s = mine(&signals(app.clone(), village.clone()).await);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(
            (&s[0]["source"], &s[0]["what"], &s[0]["status"]),
            (&json!("registry"), &json!("monitoring_risk"), &json!("new"))
        );
        let signal = s[0]["id"].as_str().unwrap().to_string();
        // A second edit while it waits raises none.
        let mut body = r.json.clone();
        body["phone"] = json!("13900000001");
        let r = put(&app, &uri, v, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(mine(&signals(app.clone(), village.clone()).await).len(), 1);
        // The page: the stored category (none), the judgement beside it as a risk indication.
        let page = get(&app, &format!("/households/{number}"), &village).await;
        assert!(
            page.text.contains("id=\"monitoring\" data-code=\"none\""),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains("id=\"monitoring-judged\" data-code=\"unstable\""),
            "{}",
            page.text
        );
        assert!(page.text.contains("风险研判"));
        // /monitoring lists it with a dismissal form for the village.
        let m = get(&app, "/monitoring", &village).await;
        assert!(
            m.text.contains(&format!("id=\"dismiss-{signal}\"")),
            "{}",
            m.text
        );
        assert!(m.text.contains("登记数据研判"), "{}", m.text);

        // The dismissal needs a reason; then the signal leaves the list; twice is a conflict.
        let dismissal = format!("/api/v1/monitoring/signals/{signal}/dismissal");
        let r = post(&app, &dismissal, v, json!({"reason": "  "})).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")),
            "{}",
            r.text
        );
        let r = post(
            &app,
            &dismissal,
            v,
            json!({"reason": "入户核实:务工收入未录入"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["status"], "dismissed");
        assert!(mine(&signals(app.clone(), village.clone()).await).is_empty());
        let r = post(&app, &dismissal, v, json!({"reason": "again"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

        // The next edit raises a new signal; the page's form dismisses it (a reason required).
        let rec = get(&app, &uri, &village).await;
        let mut body = rec.json.clone();
        body["phone"] = json!("13900000002");
        assert_eq!(put(&app, &uri, v, body).await.status, StatusCode::OK);
        let s = mine(&signals(app.clone(), village.clone()).await);
        assert_eq!(s.len(), 1, "{s:?}");
        let second = s[0]["id"].as_str().unwrap().to_string();
        assert_ne!(second, signal);
        let form = format!("/monitoring/signals/{second}/dismiss");
        let r = post_form(&app, &form, &village, &format!("_csrf={vcsrf}&reason=")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("排除信号必须填写原因"), "{}", r.text);
        let r = post_form(
            &app,
            &form,
            &village,
            &format!("_csrf={vcsrf}&reason=%E5%B7%B2%E6%A0%B8%E5%AE%9E"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        assert!(mine(&signals(app.clone(), village.clone()).await).is_empty());
        // A case can still be opened for the household.
        let opened = post(
            &app,
            &format!("/api/v1/households/{number}/monitoring/cases"),
            v,
            json!({"detail": "复核收入"}),
        )
        .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
        let h = get(&app, &uri, &village).await;
        assert_eq!(h.json["monitoring"], Value::Null);
    });
}
