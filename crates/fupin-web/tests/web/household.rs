//! The household as a county office reads and writes it: one monitoring category everywhere (list,
//! filter, dashboard, page), income by year, member changes with a reason, the exit checklist, and
//! new households (form, member sheet, the registration step of an application).

use crate::common::{get, login, post, post_form, put, run};
use axum::http::StatusCode;
use chrono::Datelike;
use serde_json::json;
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
        let year = fupin_web::registry::service::today().year();
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

/// A demo household of 东沟村 (exited in 2019, income of 2020 recorded).
const H: &str = "140525100201010";

#[test]
fn income_is_entered_for_a_year_and_every_year_is_kept() {
    run("income_years", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let uri = format!("/api/v1/households/{H}");
        let rec = get(&app, &uri, &cookie).await;
        assert_eq!(rec.json["income_year"], 2020, "{}", rec.text);
        let old_wage = rec.json["income"]["wage"].clone();
        // A 2021 income: stored as 2021's, 2020's kept.
        let mut body = rec.json.clone();
        body["income_year"] = json!(2021);
        body["income"]["wage"] = json!("30000.00");
        let r = put(&app, &uri, (&cookie, &csrf), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["income_year"], 2021);
        // Another edit without a year keeps 2021: never re-stamped as this year.
        let mut body = r.json.clone();
        body.as_object_mut().unwrap().remove("income_year");
        body["phone"] = json!("13900000000");
        let r = put(&app, &uri, (&cookie, &csrf), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            (
                r.json["income_year"].clone(),
                r.json["income"]["wage"].clone()
            ),
            (json!(2021), json!("30000.00"))
        );
        // A year after the change's is refused, naming the field.
        let mut body = r.json.clone();
        body["income_year"] = json!(2099);
        let bad = put(&app, &uri, (&cookie, &csrf), body).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
        assert!(
            bad.text.contains("\"field\":\"income_year\""),
            "{}",
            bad.text
        );
        // The page lists every year (the demo recorded 2016, 2019 and 2020); the monitoring check is judged on 2021's income and line.
        let page = get(&app, &format!("/households/{H}"), &cookie).await;
        let years: Vec<&str> = page
            .text
            .split("data-year=\"")
            .skip(1)
            .map(|s| &s[..4])
            .collect();
        assert_eq!(years, ["2021", "2020", "2019", "2016"], "{}", page.text);
        let row_2020 = page.text.split("data-year=\"2020\"").nth(1).unwrap();
        let row_2020 = &row_2020[..row_2020.find("</tr>").unwrap()];
        assert!(row_2020.contains(old_wage.as_str().unwrap()), "{row_2020}");
        assert!(page.text.contains("2021 年人均纯收入") && page.text.contains("监测线 6000 元"));
        // The edit form posts a year too: 2022's income through the page.
        let form = page_form(
            &page.text,
            &csrf,
            &[("income_year", "2022"), ("income_wage", "12000")],
        );
        let r = post_form(&app, &format!("/households/{H}"), &cookie, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let rec = get(&app, &uri, &cookie).await;
        assert_eq!(
            (
                rec.json["income_year"].clone(),
                rec.json["income"]["wage"].clone()
            ),
            (json!(2022), json!("12000.00"))
        );
    });
}

/// The edit form of a household page as posted unchanged but for `changes` (inputs, checked boxes
/// and selected options).
pub fn page_form(html: &str, csrf: &str, changes: &[(&str, &str)]) -> String {
    let form = &html[html.find("id=\"edit-form\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for tag in form.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if tag.starts_with("input") {
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            if tag.contains("type=\"checkbox\"") {
                if tag.contains("checked") {
                    fields.push((name, "on".into()));
                }
            } else {
                fields.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("select") {
            let name = attr(tag, "name").unwrap();
            let rest = &form[form.find(&format!("name=\"{name}\"")).unwrap()..];
            let rest = &rest[..rest.find("</select>").unwrap()];
            let value = rest
                .split("<option")
                .find(|o| o.contains("selected"))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            fields.push((name, value));
        }
    }
    for (k, v) in changes {
        match fields.iter_mut().find(|(n, _)| n == k) {
            Some(f) => f.1 = v.to_string(),
            None => fields.push((k.to_string(), v.to_string())),
        }
    }
    fields.retain(|(k, _)| k != "_csrf");
    fields.push(("_csrf".into(), csrf.into()));
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_page_shows_the_whole_exit_checklist_in_words_and_the_monitoring_check_for_exited_ones() {
    run("checklist", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        let list = get(&app, "/api/v1/households?status=poor&per_page=500", &cookie).await;
        let poor = list.json["rows"].as_array().unwrap();
        assert!(!poor.is_empty());
        let mut failed_seen = 0;
        for r in poor {
            let number = r["number"].as_str().unwrap();
            let page = get(&app, &format!("/households/{number}"), &cookie).await;
            let a = get(
                &app,
                &format!("/api/v1/households/{number}/assessment"),
                &cookie,
            )
            .await;
            let failed: Vec<&str> = a.json["failed_checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap())
                .collect();
            let table = &page.text[page.text.find("id=\"exit-checklist\"").expect(number)..];
            let table = &table[..table.find("</table>").unwrap()];
            // 一收入、两不愁、三保障、饮水安全: seven checks, each passed or failed in words.
            for group in ["一收入", "两不愁", "三保障", "饮水安全"] {
                assert!(table.contains(group), "{number}: {group}");
            }
            let rows: Vec<&str> = table.split("<tr data-code=\"").skip(1).collect();
            assert_eq!(rows.len(), 7, "{number}");
            for row in rows {
                let code = &row[..row.find('"').unwrap()];
                if failed.contains(&code) {
                    failed_seen += 1;
                    assert!(
                        row.contains("data-ok=\"no\"") && row.contains("✗ 未通过"),
                        "{number} {code}"
                    );
                } else {
                    assert!(
                        row.contains("data-ok=\"yes\"") && row.contains("✓ 通过"),
                        "{number} {code}"
                    );
                }
            }
            let verdict = if failed.is_empty() {
                "✓ 达到脱贫标准"
            } else {
                "✗ 未达到脱贫标准"
            };
            assert!(page.text.contains(verdict), "{number}");
        }
        assert!(failed_seen > 0, "some poor household fails a check");
        // An exited household: its monitoring check, not "未达到脱贫标准".
        let page = get(&app, &format!("/households/{H}"), &cookie).await;
        assert!(!page.text.contains("未达到脱贫标准"), "{}", page.text);
        assert!(
            page.text.contains("防返贫监测核验") && page.text.contains("id=\"monitoring-basis\"")
        );
        // In English too.
        let en = format!("{cookie}; fupin_lang=en");
        let page = get(&app, &format!("/households/{H}"), &en).await;
        assert!(page.text.contains("Return-to-poverty monitoring check"));
        assert!(
            page.text.contains("2020 per-capita net income"),
            "{}",
            page.text
        );
        assert!(page.text.contains("Safe drinking water assured"));
    });
}

/// A valid ID number of 泽州县 for someone born on `birth` (YYYYMMDD).
pub fn new_id(birth: &str, seq: u32) -> String {
    let first17 = format!("140525{birth}{seq:03}");
    format!(
        "{first17}{}",
        fupin_core::id::check_char(first17.as_bytes())
    )
}

#[test]
fn members_join_and_leave_with_a_reason_and_a_date() {
    run("member_changes", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let me = (cookie.as_str(), csrf.as_str());
        let uri = format!("/api/v1/households/{H}");
        let rec = get(&app, &uri, &cookie).await;
        let version = rec.json["version"].as_i64().unwrap();
        let bride = new_id("19980305", 402);
        let member = json!({"id_number": bride, "name": "王小燕", "relation": "child_in_law", "medical_insurance": true});
        // No reason: refused, naming the field.
        let r = post(
            &app,
            &format!("{uri}/members"),
            me,
            json!({"version": version, "member": member}),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(
            r.json["error"]["fields"][0]["field"], "reason",
            "{}",
            r.text
        );
        let r = post(
            &app,
            &format!("{uri}/members"),
            me,
            json!({"version": version, "member": member, "reason": "death"}),
        )
        .await;
        assert_eq!(
            r.json["error"]["fields"][0]["code"], "unknown_code",
            "{}",
            r.text
        );
        // 婚入 on a date.
        let body =
            json!({"version": version, "member": member, "reason": "婚入", "date": "2024-05-01"});
        let r = post(&app, &format!("{uri}/members"), me, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let version = r.json["version"].as_i64().unwrap();
        // A death needs its date.
        let head = rec.json["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        let gone = format!("{uri}/members/{head}?version={version}&reason=death");
        let r = crate::common::delete(&app, &gone, me).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["fields"][0]["field"], "date", "{}", r.text);
        let r = crate::common::delete(&app, &format!("{gone}&date=2024-08-20"), me).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // Dated events with their reasons, and the natural decrease of the period.
        let h = get(&app, &format!("{uri}/history"), &cookie).await;
        let events: Vec<(String, String, String)> = h.json["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"].as_str().unwrap().starts_with("member_"))
            .map(|e| {
                let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
                (s("date"), s("kind"), s("detail"))
            })
            .collect();
        assert_eq!(
            events,
            [
                (
                    "2024-05-01".into(),
                    "member_joined".into(),
                    "marriage".into()
                ),
                ("2024-08-20".into(), "member_left".into(), "death".into())
            ]
        );
        let report = get(
            &app,
            "/api/v1/reports/changes?from=2024-01-01&to=2024-12-31&area=140525100201",
            &cookie,
        )
        .await;
        assert_eq!(
            report.json["people"]["natural_decrease"], 1,
            "{}",
            report.text
        );
        assert_eq!(
            report.json["people"]["natural_increase"], 0,
            "a marriage is no birth"
        );
        // The page counts them on the timeline.
        let page = get(&app, &format!("/households/{H}"), &cookie).await;
        assert!(
            page.text
                .contains("data-kind=\"member_left\" data-reason=\"death\">1<"),
            "{}",
            page.text
        );
        assert!(page.text.contains("减少·死亡"));
        // Through the form: a member moves out; without the date the page names the field.
        let page = get(&app, &format!("/households/{H}"), &cookie).await;
        let form = page_form(&page.text, &csrf, &[("m0_leave_reason", "moved")]);
        let r = post_form(&app, &format!("/households/{H}"), &cookie, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("id=\"err-member_date\""), "{}", r.text);
        let form = page_form(
            &page.text,
            &csrf,
            &[("m0_leave_reason", "moved"), ("member_date", "2025-03-01")],
        );
        let r = post_form(&app, &format!("/households/{H}"), &cookie, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let after = get(&app, &uri, &cookie).await;
        let ids: Vec<&str> = after.json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id_number"].as_str().unwrap())
            .collect();
        let moved = rec.json["members"][1]["id_number"].as_str().unwrap();
        assert!(!ids.contains(&moved), "{ids:?}");
        // A new row without its reason is refused, naming the row's reason.
        let page = get(&app, &format!("/households/{H}"), &cookie).await;
        let n = ids.len();
        let baby = new_id("20250101", 611);
        let new_row = [
            (format!("m{n}_id_number"), baby.clone()),
            (format!("m{n}_name"), "小宝".to_string()),
            (format!("m{n}_relation"), "grandchild".to_string()),
            ("member_date".to_string(), "2025-06-01".to_string()),
        ];
        let changes: Vec<(&str, &str)> = new_row
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = post_form(
            &app,
            &format!("/households/{H}"),
            &cookie,
            &page_form(&page.text, &csrf, &changes),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(
            r.text.contains(&format!("id=\"err-m{n}_join_reason\"")),
            "{}",
            r.text
        );
        let mut with_reason = changes.clone();
        let key = format!("m{n}_join_reason");
        with_reason.push((key.as_str(), "birth"));
        let r = post_form(
            &app,
            &format!("/households/{H}"),
            &cookie,
            &page_form(&page.text, &csrf, &with_reason),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let report = get(
            &app,
            "/api/v1/reports/changes?from=2025-01-01&to=2025-12-31&area=140525100201",
            &cookie,
        )
        .await;
        assert_eq!(
            report.json["people"]["natural_increase"], 1,
            "{}",
            report.text
        );
    });
}

/// Runs `f` with the demo application's state and router on SQLite, then on PostgreSQL when there.
fn with_state<F, Fut>(name: &str, f: F)
where
    F: Fn(std::sync::Arc<fupin_web::AppState>, axum::Router) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    crate::common::runtime().block_on(async {
        let (state, _guard) = crate::common::sqlite_app().await;
        f(state.clone(), fupin_web::app(state)).await;
        if let Some(state) = crate::common::postgres_app(name).await {
            f(state.clone(), fupin_web::app(state)).await;
        }
    });
}

/// Files an application for `applicant` (ID number) in 东沟村 and records every step up to the
/// announcement, the notices long past: the application waits for its registration.
async fn announced(st: &fupin_web::AppState, app: &axum::Router, applicant: &str) -> String {
    let (cookie, csrf) = login(app, "zezhou").await;
    let body = json!({"area_code": "140525100201", "applicant_name": "田大壮", "applicant_id_number": applicant, "members": 3, "reason": "因病"});
    let r = post(app, "/api/v1/applications", (&cookie, &csrf), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_string();
    let steps = [
        "household_survey",
        "democratic_appraisal",
        "village_check",
        "first_notice",
        "township_review",
        "second_notice",
        "county_review",
        "announcement",
    ];
    for (i, step) in steps.iter().enumerate() {
        let rec = fupin_store::directory::StepRecord {
            step: step.to_string(),
            outcome: "passed".into(),
            actor: "zezhou".into(),
            at: format!("2025-03-{:02}T09:00:00Z", 1 + 3 * i),
            note: None,
        };
        st.dir.record_step(&id, &rec, false).await.unwrap();
    }
    id
}

#[test]
fn registration_creates_the_household_with_its_identified_event_and_audit_entry() {
    with_state("registration", |st, app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let me = (cookie.as_str(), csrf.as_str());
        let applicant = new_id("19800101", 701);
        let id = announced(&st, &app, &applicant).await;
        let steps = format!("/api/v1/applications/{id}/steps");
        // Without the household of the survey: refused, naming the field; still announced.
        let r = post(&app, &steps, me, json!({"step": "registered"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["fields"][0]["field"], "household");
        let a = get(&app, &format!("/api/v1/applications/{id}"), &cookie).await;
        assert_eq!(a.json["step"], "announcement", "{}", a.text);
        let (spouse, child) = (new_id("19820202", 702), new_id("20100303", 703));
        let household = json!({
            "housing_grade": "C", "food": true, "clothing": true, "water": false,
            "income_year": 2024, "income": {"wage": "6000", "transfer": "1200"},
            "members": [
                {"id_number": spouse, "name": "李秀英", "relation": "spouse", "medical_insurance": true},
                {"id_number": child, "name": "田小明", "relation": "child", "school_status": "primary", "medical_insurance": true}
            ]
        });
        let r = post(
            &app,
            &steps,
            me,
            json!({"step": "registered", "household": household}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["step"], "registered");
        let note = r.json["steps"].as_array().unwrap().last().unwrap()["note"]
            .as_str()
            .unwrap()
            .to_string();
        let number = note.split_whitespace().nth(1).unwrap().to_string();
        assert!(
            number.starts_with("140525100201") && number.len() == 15,
            "{note}"
        );
        // The household: poor, the applicant its head, the members given, the cause applied for.
        let h = get(&app, &format!("/api/v1/households/{number}"), &cookie).await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.text);
        assert_eq!(h.json["status"], "poor");
        assert_eq!(h.json["main_cause"], "illness");
        assert_eq!(h.json["income_year"], 2024);
        let members: Vec<(&str, &str)> = h.json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id_number"].as_str().unwrap(),
                    m["relation"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            members,
            [
                (applicant.as_str(), "head"),
                (spouse.as_str(), "spouse"),
                (child.as_str(), "child")
            ]
        );
        let history = get(
            &app,
            &format!("/api/v1/households/{number}/history"),
            &cookie,
        )
        .await;
        assert_eq!(
            history.json["events"][0]["kind"], "identified",
            "{}",
            history.text
        );
        assert_eq!(history.json["events"][0]["actor"], "zezhou");
        let audit = get(&app, &format!("/api/v1/households/{number}/audit"), &cookie).await;
        let entries = audit.json["entries"].as_array().unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == "create" && e["actor"] == "zezhou"),
            "{}",
            audit.text
        );
        // Registered once: the step cannot be recorded again.
        let again = post(
            &app,
            &steps,
            me,
            json!({"step": "registered", "household": {}}),
        )
        .await;
        assert!(again.status.is_client_error(), "{}", again.text);

        // Through the page: the form prefilled with the applicant registers a second application.
        let applicant = new_id("19750505", 704);
        let id = announced(&st, &app, &applicant).await;
        let page = get(&app, &format!("/households/new?application={id}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(
            page.text.contains(&format!("value=\"{applicant}\"")),
            "{}",
            page.text
        );
        let form = format!(
            "_csrf={csrf}&application={id}&area_code=140525100201&number=&housing_grade=B&food=on&clothing=on&water=on&income_year=2024&income_wage=9000\
             &m0_id_number={applicant}&m0_name=%E7%94%B0%E5%A4%A7%E5%A3%AE&m0_relation=head&m0_medical_insured=on&m1_id_number=&m1_name="
        );
        let r = crate::common::post_form(&app, "/households/new", &cookie, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let a = get(&app, &format!("/api/v1/applications/{id}"), &cookie).await;
        assert_eq!(a.json["step"], "registered", "{}", a.text);
    });
}

#[test]
fn the_new_household_form_creates_one_and_names_a_bad_field() {
    run("new_form", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let page = get(&app, "/households/new", &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("id=\"import-form\""));
        let head = new_id("19660606", 801);
        let base = format!(
            "_csrf={csrf}&area_code=140525100202&number=&status=non_poor&housing_grade=B&food=on&clothing=on&water=on&income_year=2025&income_wage=30000\
             &m0_name=%E7%8E%8B%E5%BC%BA&m0_relation=head&m0_medical_insured=on"
        );
        let bad = format!("{base}&m0_id_number=140525196606068019");
        let r = crate::common::post_form(&app, "/households/new", &cookie, &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("id=\"err-m0_id_number\""), "{}", r.text);
        let good = format!("{base}&m0_id_number={head}");
        let r = crate::common::post_form(&app, "/households/new", &cookie, &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let list = get(&app, &format!("/api/v1/households?q={head}"), &cookie).await;
        let row = &list.json["rows"][0];
        assert_eq!(
            (row["area_code"].as_str(), row["status"].as_str()),
            (Some("140525100202"), Some("non_poor")),
            "{}",
            list.text
        );
        let h = get(
            &app,
            &format!("/api/v1/households/{}", row["number"].as_str().unwrap()),
            &cookie,
        )
        .await;
        assert_eq!(h.json["income_year"], 2025);
    });
}

/// A multipart upload of `file` named `name` from the new-household page.
async fn upload(
    app: &axum::Router,
    cookie: &str,
    csrf: &str,
    name: &str,
    file: &str,
) -> crate::common::Resp {
    let fields = [("_csrf", csrf)];
    crate::common::post_multipart(app, "/households/import", cookie, &fields, name, file).await
}

#[test]
fn a_member_sheet_uploads_all_or_nothing_with_row_and_column_errors() {
    run("upload", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let (a, b, c) = (
            new_id("19700707", 901),
            new_id("19720808", 902),
            new_id("19600909", 903),
        );
        let sheet = |third: &str| {
            let header = "household_number,area_code,status,housing_grade,food,clothing,water,income_year,wage,id_number,name,relation,medical_insurance";
            format!(
                "{header}\n140525100203901,140525100203,未脱贫,B,是,是,是,2025,6000,{a},赵一,户主,是\n\
                 140525100203901,140525100203,未脱贫,B,是,是,是,2025,6000,{b},钱二,配偶,是\n\
                 140525100203902,140525100203,未脱贫,C,是,是,否,2025,3000,{third},孙三,户主,是\n"
            )
        };
        // Row 4 holds a bad ID number: nothing is imported, the row and column are named.
        let bad = sheet("140525196009090000");
        let r = upload(&app, &cookie, &csrf, "members.csv", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("data-committed=\"no\""));
        assert!(
            r.text.contains("data-row=\"4\" data-column=\"id_number\""),
            "{}",
            r.text
        );
        let none = get(&app, "/api/v1/households/140525100203901", &cookie).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "all or nothing");
        // Corrected: both households are registered.
        let r = upload(&app, &cookie, &csrf, "members.csv", &sheet(&c)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("data-committed=\"yes\""), "{}", r.text);
        let h = get(&app, "/api/v1/households/140525100203901", &cookie).await;
        assert_eq!(h.json["members"].as_array().unwrap().len(), 2, "{}", h.text);
        let h = get(&app, "/api/v1/households/140525100203902", &cookie).await;
        assert_eq!(h.json["status"], "poor", "{}", h.text);
        // Without the form's token: refused.
        let r = upload(&app, &cookie, "0000", "members.csv", &sheet(&c)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    });
}
