//! Jurisdiction through errors (issue 15 item 2) and personal information by need (item 9): out
//! of area answers as absent in every answer; the viewer sees masked ID numbers and no phone, bank
//! account or health detail. Each runs on SQLite and PostgreSQL.

use crate::common::{file_application, get, login, post, put, run};
use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

const H_IN: &str = "140525100201001"; // 东沟村, paired with `cadre`
const H_OTHER_TOWNSHIP: &str = "140525101201001";
/// A household of another county (高平市 140581), registered by the admin.
const H_FOREIGN: &str = "140581100201001";
const FOREIGN_ID: &str = "11010519491231002X";

fn household(number: &str, area: &str, id: &str) -> Value {
    json!({"number": number, "area_code": area, "status": "poor", "food": true, "clothing": true,
        "water": true, "housing_grade": "B", "date": "2020-06-30",
        "members": [{"id_number": id, "name": "外县人", "relation": "head", "medical_insured": true}]})
}

/// Whether a text holds an unmasked resident ID number (17 digits and a check character).
fn has_full_id(text: &str) -> bool {
    text.as_bytes().windows(18).any(|w| {
        w[..17].iter().all(u8::is_ascii_digit) && (w[17].is_ascii_digit() || w[17] == b'X')
    })
}

async fn foreign_household(app: &Router) {
    let (admin, csrf) = login(app, "admin").await;
    let body = household(H_FOREIGN, "140581100201", FOREIGN_ID);
    let r = post(app, "/api/v1/households", (&admin, &csrf), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[test]
fn another_countys_records_answer_as_absent() {
    run("jurisdiction", |app| async move {
        foreign_household(&app).await;
        let (county, csrf) = login(&app, "zezhou").await;
        let me = (county.as_str(), csrf.as_str());
        // A member registered in another county: refused without the other household's number.
        let r = post(
            &app,
            "/api/v1/households",
            me,
            household("140525100201901", "140525100201", FOREIGN_ID),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.json["error"]["code"], "duplicate_person");
        assert!(
            !r.text.contains(H_FOREIGN) && !r.text.contains("140581"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("证件号码已登记,请联系县级管理员核实"),
            "{}",
            r.text
        );
        // The same through an edit of an own household.
        let rec = get(&app, &format!("/api/v1/households/{H_IN}"), &county).await;
        let mut body = rec.json.clone();
        body["members"].as_array_mut().unwrap().push(json!({"id_number": FOREIGN_ID, "name": "外县人", "relation": "other", "medical_insurance": true}));
        let r = put(&app, &format!("/api/v1/households/{H_IN}"), me, body).await;
        assert_eq!(r.json["error"]["code"], "duplicate_person", "{}", r.text);
        assert!(!r.text.contains(H_FOREIGN), "{}", r.text);
        // Within the county the other household is named.
        let other = get(
            &app,
            &format!("/api/v1/households/{H_OTHER_TOWNSHIP}"),
            &county,
        )
        .await;
        let own_id = other.json["members"][0]["id_number"].as_str().unwrap();
        let r = post(
            &app,
            "/api/v1/households",
            me,
            household("140525100201902", "140525100201", own_id),
        )
        .await;
        assert_eq!(r.json["error"]["code"], "duplicate_person", "{}", r.text);
        assert!(r.text.contains(H_OTHER_TOWNSHIP), "{}", r.text);

        // A taken number: one answer, whether the household is inside the area or outside it.
        let outside = post(
            &app,
            "/api/v1/households",
            me,
            household(H_FOREIGN, "140525100201", "110105194912310046"),
        )
        .await;
        let inside = post(
            &app,
            "/api/v1/households",
            me,
            household(H_IN, "140525100201", "110105194912310046"),
        )
        .await;
        assert_eq!(outside.status, StatusCode::CONFLICT, "{}", outside.text);
        assert_eq!(outside.json["error"]["code"], "number_taken");
        assert_eq!(outside.json, inside.json);
        assert!(!outside.text.contains(H_FOREIGN));
        // Reading another county's household answers exactly as an absent one.
        for suffix in ["", "/history", "/audit", "/assessment", "/proposals"] {
            let there = get(
                &app,
                &format!("/api/v1/households/{H_FOREIGN}{suffix}"),
                &county,
            )
            .await;
            let absent = get(
                &app,
                &format!("/api/v1/households/140525100201999{suffix}"),
                &county,
            )
            .await;
            assert_eq!(
                (there.status, &there.json),
                (absent.status, &absent.json),
                "{suffix}"
            );
            assert_eq!(there.status, StatusCode::NOT_FOUND);
        }
        let body = json!({"kind": "exit", "reason": "x"});
        let there = post(
            &app,
            &format!("/api/v1/households/{H_FOREIGN}/proposals"),
            me,
            body.clone(),
        )
        .await;
        let absent = post(
            &app,
            "/api/v1/households/140525100201999/proposals",
            me,
            body,
        )
        .await;
        assert_eq!((there.status, &there.json), (absent.status, &absent.json));
    });
}

#[test]
fn applications_list_what_one_may_open_and_only_the_county_moves_a_household() {
    run("scoping", |app| async move {
        let (village, vcsrf) = login(&app, "dongou").await;
        let filed = file_application(&app, &village, &vcsrf).await;
        let id = filed.json["id"].as_str().unwrap().to_string();
        let full = filed.json["applicant_id_number"]
            .as_str()
            .unwrap()
            .to_string();
        // A cadre can open none, and lists none.
        let (cadre, ccsrf) = login(&app, "cadre").await;
        let one = get(&app, &format!("/api/v1/applications/{id}"), &cadre).await;
        assert_eq!(one.status, StatusCode::NOT_FOUND);
        let list = get(&app, "/api/v1/applications", &cadre).await;
        assert_eq!(list.json["applications"], json!([]), "{}", list.text);
        let page = get(&app, "/applications", &cadre).await;
        assert!(!page.text.contains(&id), "nor on the page");
        // The viewer sees the ID number masked in the list as in the single answer.
        let (viewer, _) = login(&app, "leader").await;
        let masked = format!("{}********{}", &full[..6], &full[14..]);
        let list = get(&app, "/api/v1/applications", &viewer).await;
        let one = get(&app, &format!("/api/v1/applications/{id}"), &viewer).await;
        assert_eq!(one.json["applicant_id_number"], masked.as_str());
        let mine = list.json["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id.as_str())
            .unwrap();
        assert_eq!(mine["applicant_id_number"], masked.as_str());
        assert!(!list.text.contains(&full));
        // The county sees it in full.
        let (county, csrf) = login(&app, "zezhou").await;
        let list = get(&app, "/api/v1/applications", &county).await;
        assert!(list.text.contains(&full));

        // Moving a household to another village: not the cadre, the village or the township.
        let uri = format!("/api/v1/households/{H_IN}");
        let moved = |rec: &Value, area: &str| {
            let mut b = rec.clone();
            b["area_code"] = json!(area);
            b
        };
        let (township, tcsrf) = login(&app, "nancun").await;
        for (user, session) in [
            ("cadre", (&cadre, &ccsrf)),
            ("dongou", (&village, &vcsrf)),
            ("nancun", (&township, &tcsrf)),
        ] {
            let rec = get(&app, &uri, &county).await;
            let r = put(
                &app,
                &uri,
                (session.0, session.1),
                moved(&rec.json, "140525100202"),
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}: {}", r.text);
        }
        let rec = get(&app, &uri, &county).await;
        assert_eq!(rec.json["area_code"], "140525100201", "not moved");
        // ...nor the county out of its county; within it, yes.
        let r = put(
            &app,
            &uri,
            (&county, &csrf),
            moved(&rec.json, "140581100201"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        let r = put(
            &app,
            &uri,
            (&county, &csrf),
            moved(&rec.json, "140525100202"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json["area_code"], "140525100202");
        // A cadre still edits its household's facts.
        let rec = get(&app, &uri, &cadre).await;
        let mut facts = rec.json.clone();
        facts["income"]["wage"] = json!("9999.00");
        let r = put(&app, &uri, (&cadre, &ccsrf), facts).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    });
}

#[test]
fn the_viewer_sees_masked_ids_and_no_contact_or_health_detail() {
    run("personal", |app| async move {
        let (county, csrf) = login(&app, "zezhou").await;
        // Give the household a serious illness, so that there is health detail to hide.
        let uri = format!("/api/v1/households/{H_IN}");
        let rec = get(&app, &uri, &county).await;
        let mut body = rec.json.clone();
        body["members"][0]["health"] = json!("serious");
        let r = put(&app, &uri, (&county, &csrf), body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let full = r.json.clone();
        let id = full["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        let phone = full["phone"].as_str().unwrap().to_string();
        let bank = full["bank_account"].as_str().unwrap().to_string();
        assert!(r.text.contains("\"serious\""), "the county sees it");

        let (viewer, _) = login(&app, "leader").await;
        let seen = get(&app, &uri, &viewer).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(
            seen.json["members"][0]["id_number"],
            format!("{}********{}", &id[..6], &id[14..])
        );
        assert_eq!(
            seen.json["members"][0]["name"], full["members"][0]["name"],
            "names stay"
        );
        for answer in [
            seen,
            get(&app, &format!("{uri}/history"), &viewer).await,
            get(&app, &format!("{uri}/audit"), &viewer).await,
            get(
                &app,
                &format!("/api/v1/households?q={}", &id[..10]),
                &viewer,
            )
            .await,
            get(&app, &format!("/households/{H_IN}"), &viewer).await,
        ] {
            assert_eq!(answer.status, StatusCode::OK);
            let t = &answer.text;
            assert!(!has_full_id(t), "no full ID number: {t}");
            let page = t.starts_with("<!doctype");
            let mut hidden = vec![phone.as_str(), bank.as_str()];
            if page {
                // The health select offers the option, never chosen; phone and bank fields empty.
                hidden.extend(["value=\"serious\" selected"]);
            } else {
                hidden.extend(["\"serious\"", "\"phone\"", "\"bank_account\"", "\"health\""]);
            }
            for hidden in hidden {
                assert!(!t.contains(hidden), "{hidden}: {t}");
            }
        }
        // The audit trail of the edit keeps its content for the county.
        let audit = get(&app, &format!("{uri}/audit"), &county).await;
        assert!(audit.text.contains("serious") && has_full_id(&audit.text));
        // The viewer's export holds no ID number, phone, bank account or health detail.
        let export = crate::common::send_bytes(&app, "/households/export.xlsx", &viewer).await;
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(export)).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
        let text = text.join("\n");
        assert!(
            text.contains(H_IN) && text.lines().count() > 100,
            "the viewer's area: {text}"
        );
        assert!(!has_full_id(&text));
        for hidden in [phone.as_str(), bank.as_str(), "患有大病"] {
            assert!(!text.contains(hidden), "{hidden}");
        }
    });
}
