//! Every API route against every role, inside and outside its area; CSRF, versions, lifecycle,
//! the public notice and the OpenAPI document. Each runs on SQLite and on PostgreSQL.

use crate::common::{call, get, login, post, post_form, put, run};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

const H_IN: &str = "140525100201001"; // 东沟村, paired with `cadre`
const H_UNPAIRED: &str = "140525100201010"; // 东沟村, not paired
const H_OTHER_VILLAGE: &str = "140525100202001"; // 西岭村, same township
const H_OTHER_TOWNSHIP: &str = "140525101201001"; // 河底村, another township
const TARGETS: [&str; 4] = [H_IN, H_UNPAIRED, H_OTHER_VILLAGE, H_OTHER_TOWNSHIP];

/// The household as the JSON input format, from its API record.
pub fn as_input(rec: &Value) -> Value {
    let members: Vec<Value> = rec["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!({"id_number": m["id_number"], "name": m["name"], "relation": m["relation"], "school_status": m["school_status"],
                   "medical_insured": m["medical_insurance"], "labor": m["labor"], "health": m["health"]})
        })
        .collect();
    json!({"version": rec["version"], "area_code": rec["area_code"], "attribute": rec["attribute"], "main_cause": rec["main_cause"],
           "income": rec["income"], "rigid_expense": rec["rigid_expense"], "food": rec["food"], "clothing": rec["clothing"],
           "water": rec["water"], "housing_grade": rec["housing_grade"], "members": members})
}

#[test]
fn every_read_route_answers_each_role_by_its_area() {
    // (user, expected status for each of TARGETS)
    let table: [(&str, [u16; 4]); 6] = [
        ("admin", [200, 200, 200, 200]),
        ("zezhou", [200, 200, 200, 200]),
        ("nancun", [200, 200, 200, 404]),
        ("dongou", [200, 200, 404, 404]),
        ("cadre", [200, 404, 404, 404]),
        ("leader", [200, 200, 200, 200]),
    ];
    run("reads", |app| async move {
        for (user, expected) in table {
            let (cookie, _) = login(&app, user).await;
            for (target, want) in TARGETS.iter().zip(expected) {
                for suffix in ["", "/assessment", "/history", "/audit"] {
                    let uri = format!("/api/v1/households/{target}{suffix}");
                    let r = get(&app, &uri, &cookie).await;
                    assert_eq!(r.status.as_u16(), want, "{user} GET {uri}: {}", r.text);
                    if want == 404 {
                        assert_eq!(
                            r.json["error"]["code"], "not_found",
                            "an out-of-area household looks absent"
                        );
                    }
                }
            }
            // Figures and lists of another township.
            let want_area = if matches!(user, "admin" | "zezhou" | "leader" | "cadre") {
                200
            } else {
                404
            };
            for uri in [
                "/api/v1/dashboard?area=140525101",
                "/api/v1/households?area=140525101",
                "/api/v1/applications?area=140525101",
                "/api/v1/areas?parent=140525101",
            ] {
                let r = get(&app, uri, &cookie).await;
                assert_eq!(r.status.as_u16(), want_area, "{user} GET {uri}: {}", r.text);
            }
            let r = get(
                &app,
                "/api/v1/reports/changes?from=2020-01-01&to=2020-06-30&area=140525101",
                &cookie,
            )
            .await;
            assert_eq!(r.status.as_u16(), want_area, "{user} change report");
            let village = get(&app, "/api/v1/villages/140525101201", &cookie).await;
            assert_eq!(village.status.as_u16(), want_area, "{user} village page");
            let users = get(&app, "/api/v1/users", &cookie).await;
            assert_eq!(
                users.status.as_u16(),
                if user == "admin" { 200 } else { 403 },
                "{user} users"
            );
            let session = get(&app, "/api/v1/session", &cookie).await;
            assert_eq!(session.json["user"], user);
        }
        // Without a session, nothing.
        for uri in [
            "/api/v1/households",
            "/api/v1/dashboard",
            &format!("/api/v1/households/{H_IN}"),
        ] {
            let r = call(&app, Method::GET, uri, None, None, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
        }
    });
}

#[test]
fn lists_are_scoped_and_searchable_by_part_of_an_id_number() {
    run("lists", |app| async move {
        let (county, _) = login(&app, "zezhou").await;
        let all = get(&app, "/api/v1/households?per_page=500", &county).await;
        assert_eq!(all.json["total"], 270);
        let (village, _) = login(&app, "dongou").await;
        let mine = get(&app, "/api/v1/households?per_page=500", &village).await;
        assert_eq!(mine.json["total"], 30);
        assert!(mine.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["area_code"] == "140525100201"));
        let (cadre, _) = login(&app, "cadre").await;
        let paired = get(&app, "/api/v1/households", &cadre).await;
        assert_eq!(paired.json["total"], 5);
        // Part of an ID number (8 middle characters) finds its household.
        let rec = get(
            &app,
            &format!("/api/v1/households/{H_OTHER_TOWNSHIP}"),
            &county,
        )
        .await;
        let id = rec.json["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        let found = get(
            &app,
            &format!("/api/v1/households?q={}", &id[6..14]),
            &county,
        )
        .await;
        assert!(
            found.json["rows"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["number"] == H_OTHER_TOWNSHIP),
            "{}",
            found.text
        );
        // ...but not for a village cadre of another village.
        let hidden = get(&app, &format!("/api/v1/households?q={id}"), &village).await;
        assert_eq!(hidden.json["total"], 0);
        let by_status = get(
            &app,
            "/api/v1/households?status=returned&per_page=500",
            &county,
        )
        .await;
        assert!(by_status.json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "returned"));
        assert!(by_status.json["total"].as_u64().unwrap() > 0);
    });
}

#[test]
fn writes_need_the_csrf_token_the_area_and_the_current_version() {
    // (user, expected for a write to H_IN, expected for a write to H_OTHER_TOWNSHIP)
    let table = [
        ("admin", 200, 200),
        ("zezhou", 200, 200),
        ("nancun", 200, 404),
        ("dongou", 200, 404),
        ("cadre", 200, 404),
        ("leader", 403, 403),
    ];
    run("writes", |app| async move {
        let (admin, _) = login(&app, "admin").await;
        for (user, want_in, want_out) in table {
            let (cookie, csrf) = login(&app, user).await;
            for (target, want) in [(H_IN, want_in), (H_OTHER_TOWNSHIP, want_out)] {
                let rec = get(&app, &format!("/api/v1/households/{target}"), &admin).await;
                let body = as_input(&rec.json);
                let uri = format!("/api/v1/households/{target}");
                let r = put(&app, &uri, (&cookie, &csrf), body).await;
                assert_eq!(r.status.as_u16(), want, "{user} PUT {uri}: {}", r.text);
            }
        }
        let (cookie, csrf) = login(&app, "zezhou").await;
        let me = (cookie.as_str(), csrf.as_str());
        let uri = format!("/api/v1/households/{H_IN}");
        let rec = get(&app, &uri, &cookie).await;
        let body = as_input(&rec.json);
        // No token, a wrong token: refused, nothing changed.
        let r = call(
            &app,
            Method::PUT,
            &uri,
            Some(&cookie),
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("csrf"))
        );
        let r = put(&app, &uri, (&cookie, "0000"), body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let after = get(&app, &uri, &cookie).await;
        assert_eq!(after.json["version"], rec.json["version"]);
        // A broken ID number is refused with the member and field named.
        let mut broken = body.clone();
        let id = broken["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        let last = if id.ends_with('0') { "1" } else { "0" };
        broken["members"][0]["id_number"] = json!(format!("{}{last}", &id[..17]));
        let r = put(&app, &uri, me, broken).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.json["error"]["fields"][0]["code"], "id_checksum",
            "{}",
            r.text
        );
        assert_eq!(r.json["error"]["fields"][0]["member"], 1);
        // A change saves once; the same version again is a conflict.
        let mut changed = body.clone();
        changed["income"]["wage"] = json!("12345.60");
        let ok = put(&app, &uri, me, changed.clone()).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(
            ok.json["version"].as_i64(),
            Some(rec.json["version"].as_i64().unwrap() + 1)
        );
        let stale = put(&app, &uri, me, changed).await;
        assert_eq!(
            (stale.status, stale.json["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("conflict"))
        );
        // The audit trail names the user.
        let audit = get(&app, &format!("/api/v1/households/{H_IN}/audit"), &cookie).await;
        assert!(
            audit.json["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["actor"] == "zezhou"),
            "{}",
            audit.text
        );
        // The household page shows the same trail, on both backends, in words (农户 修改).
        let page = get(&app, &format!("/households/{H_IN}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        let trail = &page.text[page.text.find("id=\"audit\"").expect("audit table")..];
        assert!(
            trail.contains("zezhou") && trail.contains("农户 修改"),
            "{trail}"
        );
        // A page form without its CSRF token changes nothing.
        let page = post_form(
            &app,
            &format!("/households/{H_IN}"),
            &cookie,
            "version=1&area_code=140525100201",
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        // Creating in another area is refused for a village cadre.
        let (village, vcsrf) = login(&app, "dongou").await;
        let mut other = body.clone();
        other["number"] = json!("140525100202999");
        other["area_code"] = json!("140525100202");
        other["status"] = json!("poor");
        other["members"] = json!([{"id_number": "11010519491231002X", "name": "测试", "relation": "head", "medical_insured": true}]);
        let r = post(&app, "/api/v1/households", (&village, &vcsrf), other).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    });
}

#[test]
fn lifecycle_actions_follow_the_rules() {
    run("lifecycle", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let list = get(&app, "/api/v1/households?status=poor&per_page=500", &cookie).await;
        let number = list.json["rows"][0]["number"].as_str().unwrap().to_string();
        let rec = get(&app, &format!("/api/v1/households/{number}"), &cookie).await;
        let version = rec.json["version"].as_i64().unwrap();
        let me = (cookie.as_str(), csrf.as_str());
        let (back, exit) = (
            format!("/api/v1/households/{number}/return"),
            format!("/api/v1/households/{number}/exit"),
        );
        let assess = get(
            &app,
            &format!("/api/v1/households/{number}/assessment?as_of=2020-06-30"),
            &cookie,
        )
        .await;
        assert_eq!(
            assess.json["assessment"]["exit"]["meets_standard"], false,
            "demo poor households are below the line"
        );
        assert_eq!(assess.json["failed_checks"][0]["code"], "income_below_line");
        assert_eq!(
            assess.json["failed_checks"][0]["zh"],
            "人均纯收入未超过贫困线"
        );
        let exited = |d: &Value| {
            d["figures"]["status"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s[0] == "exited")
                .map(|s| s[1]["households"].as_i64().unwrap())
                .unwrap_or(0)
        };
        let before = get(&app, "/api/v1/dashboard", &cookie).await;
        // Return from poor is illegal; exit without a reason fails the check.
        let r = post(&app, &back, me, json!({"version": version})).await;
        assert!(r.status.is_client_error(), "{}", r.text);
        let r = post(
            &app,
            &exit,
            me,
            json!({"version": version, "date": "2020-06-30"}),
        )
        .await;
        assert!(r.status.is_client_error(), "{}", r.text);
        // With an override reason it exits, dated.
        let r = post(
            &app,
            &exit,
            me,
            json!({"version": version, "date": "2020-06-30", "reason": "县级核查:收入已达标"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["status"], "exited");
        // The dashboard shows the exit at once (its cached figures are dropped on a write).
        let after = get(&app, "/api/v1/dashboard", &cookie).await;
        assert_eq!(exited(&after.json), exited(&before.json) + 1);
        assert_eq!(after.json["year"], 2020, "the latest year with events");
        let h = get(
            &app,
            &format!("/api/v1/households/{number}/history"),
            &cookie,
        )
        .await;
        assert!(
            h.json["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["date"] == "2020-06-30" && e["actor"] == "zezhou"),
            "{}",
            h.text
        );
        // A viewer cannot act.
        let (viewer, vcsrf) = login(&app, "leader").await;
        let r = post(
            &app,
            &back,
            (&viewer, &vcsrf),
            json!({"version": version + 1}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    });
}

#[test]
fn identification_moves_step_by_step_and_the_notice_shows_no_ids() {
    run("notice", |app| async move {
        let (cookie, csrf) = login(&app, "dongou").await;
        let me = (cookie.as_str(), csrf.as_str());
        let id = "14052519800101001";
        let id = format!("{id}{}", fupin_core::id::check_char(id.as_bytes()));
        let bad = post(&app, "/api/v1/applications", me, json!({"area_code": "140525100201", "applicant_name": "田大壮", "applicant_id_number": "140525198001010010", "members": 3, "reason": "因病"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            bad.json["error"]["fields"][0]["field"],
            "applicant_id_number"
        );
        let r = post(&app, "/api/v1/applications", me, json!({"area_code": "140525100201", "applicant_name": "田大壮", "applicant_id_number": id, "members": 3, "reason": "因病"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let app_id = r.json["id"].as_str().unwrap().to_string();
        // Another village cannot see or move it; a viewer of the county sees it but cannot move it.
        let (one, steps_uri) = (
            format!("/api/v1/applications/{app_id}"),
            format!("/api/v1/applications/{app_id}/steps"),
        );
        let survey = json!({"step": "household_survey"});
        for (user, see, step) in [
            ("xiling", StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            ("leader", StatusCode::OK, StatusCode::FORBIDDEN),
        ] {
            let (other, ocsrf) = login(&app, user).await;
            let r = get(&app, &one, &other).await;
            assert_eq!(r.status, see, "{user} reads");
            let r = post(&app, &steps_uri, (&other, &ocsrf), survey.clone()).await;
            assert_eq!(r.status, step, "{user} moves");
        }
        // Skipping a step is refused.
        let skip = post(&app, &steps_uri, me, json!({"step": "first_notice"})).await;
        assert_eq!(
            (skip.status, skip.json["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("step_order"))
        );
        for step in [
            "household_survey",
            "democratic_appraisal",
            "village_check",
            "first_notice",
        ] {
            let r = post(
                &app,
                &steps_uri,
                me,
                json!({"step": step, "outcome": "passed"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", r.text);
        }
        let a = get(&app, &one, &cookie).await;
        let steps = a.json["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 5);
        assert!(steps
            .iter()
            .all(|s| s["actor"] == "dongou" && s["at"].as_str().is_some()));
        // The township review is the township's (a village account is refused), and the notice
        // period is not over: it must wait five days.
        let own = post(&app, &steps_uri, me, json!({"step": "township_review"})).await;
        assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text);
        let (township, tcsrf) = login(&app, "nancun").await;
        let early = post(
            &app,
            &steps_uri,
            (&township, &tcsrf),
            json!({"step": "township_review"}),
        )
        .await;
        assert_eq!(
            early.json["error"]["code"], "notice_period",
            "{}",
            early.text
        );
        // The printed notice shows the applicant and household size, and no ID digits (DOMAIN.md
        // §5: not even masked), phone, bank detail or free-text reason.
        let page = get(&app, "/villages/140525100201/notice", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("田大壮"));
        assert!(page.text.contains("第一次公示"), "the stage is shown");
        assert!(!page.text.contains(&id[6..14]), "no birth date digits");
        assert!(!page.text.contains(&id[13..]), "no last digits");
        assert!(!page.text.contains("********"), "not even a masked number");
        assert!(!page.text.contains("因病"), "no free-text reason");
        assert!(!page.text.contains("6228") && !page.text.contains("电话"));
        // Another village's notice is out of reach.
        let other = get(&app, "/villages/140525100202/notice", &cookie).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn a_household_read_is_written_back_changed() {
    run("roundtrip", |app| async move {
        let (cookie, csrf) = login(&app, "zezhou").await;
        let uri = format!("/api/v1/households/{H_IN}");
        let rec = get(&app, &uri, &cookie).await;
        assert_eq!(rec.status, StatusCode::OK);
        // The GET answer itself, one field changed, is a valid PUT body (`medical_insurance`).
        let mut body = rec.json.clone();
        body["income"]["wage"] = json!("23456.70");
        let insured = body["members"][0]["medical_insurance"].as_bool().unwrap();
        body["members"][0]["medical_insurance"] = json!(!insured);
        let r = put(&app, &uri, (&cookie, &csrf), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["income"]["wage"], "23456.70");
        assert_eq!(r.json["members"][0]["medical_insurance"], json!(!insured));
        assert_eq!(r.json["phone"], rec.json["phone"], "kept");
        // A wrongly typed field answers as a JSON error with the body's status.
        let mut bad = r.json.clone();
        bad["income"]["wages"] = json!("1");
        let r = put(&app, &uri, (&cookie, &csrf), bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["code"], "invalid_json");
    });
}
