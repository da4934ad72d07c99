//! Separation of duties (issue 10 item 2): every API route × every role, and the pages' write
//! routes × every role, answer as fupin-core's `access::allowed` and the area say; a village
//! proposes an exit, return or removal and the county decides. Each runs on SQLite and PostgreSQL.
//!
//! The matrix changes nothing: a role that may take an action reaches the operation's own checks
//! (a missing version answers 400, a step out of order 409, an invalid application 422, a taken
//! household number 409), a role that may not is refused first (403 in its area, 404 outside).

use crate::common::{call, file_application, get, login, post, post_form, run};
use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The demo accounts, one per role: admin, county, township, village, cadre, viewer.
const USERS: [&str; 6] = ["admin", "zezhou", "nancun", "dongou", "cadre", "leader"];
/// 东沟村's first household, paired with `cadre`.
const H_IN: &str = "140525100201001";
/// Any status but a refusal: the role reached the operation (a page's own validation answer).
const REACHED: u16 = 0;

/// One request of the matrix: method, the route as registered, the URI, a JSON body (API) or a
/// form (pages), and the status for each of [`USERS`].
struct Case {
    method: Method,
    route: &'static str,
    uri: String,
    body: Option<Value>,
    want: [u16; 6],
}

fn case(
    method: Method,
    route: &'static str,
    uri: &str,
    body: Option<Value>,
    want: [u16; 6],
) -> Case {
    Case {
        method,
        route,
        uri: uri.to_string(),
        body,
        want,
    }
}

/// A household of the cadre's whose status allows a proposal, and the proposal's kind.
async fn proposable(app: &Router, cookie: &str) -> (String, &'static str) {
    let list = get(app, "/api/v1/households?per_page=500", cookie).await;
    for row in list.json["rows"].as_array().unwrap() {
        let kind = match row["status"].as_str().unwrap() {
            "poor" | "returned" => "exit",
            "exited" => "return",
            _ => continue,
        };
        return (row["number"].as_str().unwrap().to_string(), kind);
    }
    panic!("no household to propose for: {}", list.text);
}

/// The API's cases: every route the router registers (checked against `routes().api`).
fn api_cases(app_id: &str, proposal: &str, member: &str) -> Vec<Case> {
    use Method as M;
    let all = [200; 6];
    let h = |suffix: &str| format!("/api/v1/households/{H_IN}{suffix}");
    let new_household = json!({"number": H_IN, "area_code": "140525100201", "status": "poor",
        "food": true, "clothing": true, "water": true, "housing_grade": "B",
        "members": [{"id_number": "11010519491231002X", "name": "测试", "relation": "head", "medical_insured": true}]});
    let step = |s: &str| Some(json!({"step": s}));
    let steps = "/api/v1/applications/{id}/steps";
    let steps_uri = format!("/api/v1/applications/{app_id}/steps");
    let (k, signal) = crate::monitoring::first_ids();
    vec![
        case(M::GET, "/api/v1/session", "/api/v1/session", None, all),
        case(
            M::PUT,
            "/api/v1/session/password",
            "/api/v1/session/password",
            Some(json!({"old_password": "not-the-old-one", "new_password": "another-long-pass-2"})),
            [400; 6],
        ),
        case(
            M::GET,
            "/api/v1/users",
            "/api/v1/users",
            None,
            [200, 403, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "/api/v1/users",
            "/api/v1/users",
            Some(json!({"name": "x", "role": "nobody", "area": "", "password": "1"})),
            [400, 403, 403, 403, 403, 403],
        ),
        case(M::GET, "/api/v1/areas", "/api/v1/areas", None, all),
        case(
            M::GET,
            "/api/v1/households",
            "/api/v1/households",
            None,
            all,
        ),
        case(
            M::POST,
            "/api/v1/households",
            "/api/v1/households",
            Some(new_household),
            [409, 409, 403, 403, 403, 403],
        ),
        case(M::GET, "/api/v1/households/{number}", &h(""), None, all),
        case(
            M::PUT,
            "/api/v1/households/{number}",
            &h(""),
            Some(json!({})),
            [400, 400, 400, 400, 400, 403],
        ),
        case(
            M::GET,
            "/api/v1/households/{number}/assessment",
            &h("/assessment"),
            None,
            all,
        ),
        case(
            M::GET,
            "/api/v1/households/{number}/history",
            &h("/history"),
            None,
            all,
        ),
        case(
            M::GET,
            "/api/v1/households/{number}/audit",
            &h("/audit"),
            None,
            all,
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/exit",
            &h("/exit"),
            Some(json!({})),
            [400, 400, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/return",
            &h("/return"),
            Some(json!({})),
            [400, 400, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/remove",
            &h("/remove"),
            Some(json!({})),
            [400, 400, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/members",
            &h("/members"),
            Some(json!({})),
            [400, 400, 400, 400, 400, 403],
        ),
        case(
            M::DELETE,
            "/api/v1/households/{number}/members/{id_number}",
            &h(&format!("/members/{member}?version=1&reason=nonsense")),
            None,
            // An unknown reason is a field error (422), for each role that may change members.
            [422, 422, 422, 422, 422, 403],
        ),
        case(
            M::GET,
            "/api/v1/households/{number}/proposals",
            &h("/proposals"),
            None,
            all,
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/proposals",
            &h("/proposals"),
            Some(json!({})),
            [400, 403, 400, 400, 403, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/changes",
            "/api/v1/reports/changes?from=2020-01-01&to=2020-06-30",
            None,
            all,
        ),
        case(M::GET, "/api/v1/dashboard", "/api/v1/dashboard", None, all),
        case(
            M::GET,
            "/api/v1/villages/{code}",
            "/api/v1/villages/140525100201",
            None,
            all,
        ),
        case(
            M::GET,
            "/api/v1/applications",
            "/api/v1/applications",
            None,
            all,
        ),
        case(
            M::POST,
            "/api/v1/applications",
            "/api/v1/applications",
            Some(json!({"area_code": "1"})),
            [422, 422, 422, 422, 403, 403],
        ),
        case(
            M::GET,
            "/api/v1/applications/{id}",
            &format!("/api/v1/applications/{app_id}"),
            None,
            [200, 200, 200, 200, 404, 200],
        ),
        // The application is at its first step: each of these is out of order (409) for the level
        // that signs it, and refused (403) for every other level.
        case(
            M::POST,
            steps,
            &steps_uri,
            step("democratic_appraisal"),
            [409, 409, 409, 409, 403, 403],
        ),
        case(
            M::POST,
            steps,
            &steps_uri,
            step("second_notice"),
            [409, 409, 409, 409, 403, 403],
        ),
        case(
            M::POST,
            steps,
            &steps_uri,
            step("township_review"),
            [409, 403, 409, 403, 403, 403],
        ),
        case(
            M::POST,
            steps,
            &steps_uri,
            step("county_review"),
            [409, 409, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            steps,
            &steps_uri,
            step("announcement"),
            [409, 409, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            steps,
            &steps_uri,
            step("registered"),
            [409, 409, 403, 403, 403, 403],
        ),
        case(M::GET, "/api/v1/proposals", "/api/v1/proposals", None, all),
        case(
            M::GET,
            "/api/v1/proposals/{id}",
            &format!("/api/v1/proposals/{proposal}"),
            None,
            all,
        ),
        case(
            M::POST,
            "/api/v1/proposals/{id}/decision",
            &format!("/api/v1/proposals/{proposal}/decision"),
            Some(json!({})),
            [400, 400, 403, 403, 403, 403],
        ),
        // Household assistance (issue 12): those who change a household's facts record its plan
        // and measures (an invalid one answers 422, an unknown measure 404); everyone reads.
        case(
            M::GET,
            "/api/v1/households/{number}/assistance",
            &h("/assistance"),
            None,
            all,
        ),
        case(
            M::PUT,
            "/api/v1/households/{number}/plans/{year}",
            &h("/plans/2020"),
            Some(json!({"paths": ["wealth"]})),
            [422, 422, 422, 422, 422, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/measures",
            &h("/measures"),
            Some(json!({})),
            [422, 422, 422, 422, 422, 403],
        ),
        case(
            M::DELETE,
            "/api/v1/households/{number}/measures/{id}",
            &h("/measures/999999999"),
            None,
            [404, 404, 404, 404, 404, 403],
        ),
        case(
            M::GET,
            "/api/v1/assistance/gaps",
            "/api/v1/assistance/gaps",
            None,
            all,
        ),
        case(
            M::GET,
            "/api/v1/assistance/measures",
            "/api/v1/assistance/measures",
            None,
            all,
        ),
        // Funds (issue 14): not cadres; only the county and admin record, past their own checks.
        case(M::GET, "/api/v1/funds", "/api/v1/funds", None, FUNDS_READ),
        case(
            M::GET,
            "/api/v1/funds/projects",
            "/api/v1/funds/projects",
            None,
            FUNDS_READ,
        ),
        case(
            M::GET,
            "/api/v1/funds/projects/{county}/{id}",
            "/api/v1/funds/projects/140525/P2020-01",
            None,
            FUNDS_READ,
        ),
        case(
            M::PUT,
            "/api/v1/funds/projects/{county}/{id}",
            "/api/v1/funds/projects/140525/P2020-01",
            Some(bad_project()),
            FUNDS_WRITE,
        ),
        case(
            M::GET,
            "/api/v1/funds/loans",
            "/api/v1/funds/loans",
            None,
            FUNDS_READ,
        ),
        case(
            M::GET,
            "/api/v1/funds/assets/{county}/{id}/dividends",
            "/api/v1/funds/assets/140525/PV-140525100201/dividends",
            None,
            FUNDS_READ,
        ),
        case(
            M::POST,
            "/api/v1/funds/assets/{county}/{id}/income",
            "/api/v1/funds/assets/140525/PV-140525100201/income",
            Some(json!({"year": 2020, "income": "1.00", "collective": "2.00"})),
            FUNDS_WRITE,
        ),
        case(
            M::GET,
            "/api/v1/funds/tables/{table}",
            "/api/v1/funds/tables/loans?area=140525",
            None,
            // A whole county's rows: only who covers the county (a township or village: 404).
            [200, 200, 404, 404, 404, 200],
        ),
        case(
            M::POST,
            "/api/v1/funds/tables/{table}",
            "/api/v1/funds/tables/projects",
            Some(json!({"rows": [{"no_such_column": "1"}]})),
            FUNDS_WRITE,
        ),
        case(
            M::GET,
            "/api/v1/households/{number}/funds",
            &h("/funds"),
            None,
            all,
        ),
        // The monitoring workflow (tests/web/monitoring.rs makes the case and the signal).
        case(
            M::GET,
            "/api/v1/monitoring",
            "/api/v1/monitoring",
            None,
            [200, 200, 200, 200, 404, 200],
        ),
        case(
            M::GET,
            "/api/v1/monitoring/cases/{id}",
            &format!("/api/v1/monitoring/cases/{k}"),
            None,
            [200, 200, 200, 200, 404, 200],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/cases/{id}/steps",
            &format!("/api/v1/monitoring/cases/{k}/steps"),
            Some(json!({"step": "township_review", "date": "2000-01-01"})),
            [422, 403, 422, 403, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/cases/{id}/steps",
            &format!("/api/v1/monitoring/cases/{k}/steps"),
            Some(json!({"step": "county_decision", "date": "2000-01-01"})),
            [422, 422, 403, 403, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/cases/{id}/steps",
            &format!("/api/v1/monitoring/cases/{k}/steps"),
            Some(json!({"step": "home_verification", "date": "2000-01-01"})),
            [422, 422, 422, 422, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/signals/{id}/case",
            &format!("/api/v1/monitoring/signals/{signal}/case"),
            Some(json!({})),
            [409, 409, 409, 409, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/signals/{id}/dismissal",
            &format!("/api/v1/monitoring/signals/{signal}/dismissal"),
            Some(json!({})),
            [422, 422, 422, 422, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/monitoring/department",
            "/api/v1/monitoring/department",
            Some(json!({})),
            [400, 400, 403, 403, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/monitoring/cases",
            &h("/monitoring/cases"),
            Some(json!({})),
            [409, 409, 409, 409, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/households/{number}/monitoring/elimination",
            &h("/monitoring/elimination"),
            Some(json!({})),
            [422, 422, 403, 403, 404, 403],
        ),
        case(
            M::POST,
            "/api/v1/self-report",
            "/api/v1/self-report",
            Some(json!({})),
            [422; 6],
        ),
        // Logging in again answers every role; logging out is the last request of each.
        case(M::POST, "/api/v1/session", "/api/v1/session", None, all),
        case(
            M::DELETE,
            "/api/v1/session",
            "/api/v1/session",
            None,
            [204; 6],
        ),
    ]
}

/// Reading funds: every role but the cadre (who sees only paired households).
const FUNDS_READ: [u16; 6] = [200, 200, 200, 200, 404, 200];
/// Recording funds: the county and admin (who reach the operation's own check: 400).
const FUNDS_WRITE: [u16; 6] = [400, 400, 403, 403, 404, 403];

/// A project of 东沟村 with a progress above 100%: refused after the permission check.
fn bad_project() -> Value {
    json!({"id": "P2020-01", "county": "140525", "year": 2020, "name": "x", "kind": "industry",
        "village": "140525100201", "budget": "1.00", "start": null, "end": null, "progress_pct": 101,
        "status": "done", "households": 1, "people": 1, "benefit": "x"})
}

/// The pages: every page a role opens, and every posted form.
fn page_cases(app_id: &str, proposal: &str) -> Vec<Case> {
    use Method as M;
    let all = [200; 6];
    let form = |f: &str| Some(json!(f));
    let page = |uri: &str, want| case(M::GET, "", uri, None, want);
    let (k, signal) = crate::monitoring::first_ids();
    vec![
        page("/", all),
        page("/households", all),
        page(&format!("/households/{H_IN}"), all),
        page("/villages/140525100201", all),
        page("/villages/140525100201/notice", all),
        page("/applications", all),
        page(
            &format!("/applications/{app_id}"),
            [200, 200, 200, 200, 404, 200],
        ),
        page("/proposals", all),
        page("/funds", FUNDS_READ),
        page("/funds/projects/140525/P2020-01", FUNDS_READ),
        page("/funds/assets/140525/PV-140525100201", FUNDS_READ),
        page("/funds/import", FUNDS_READ),
        case(
            M::POST,
            "",
            "/funds/import",
            form("table=sources"),
            FUNDS_WRITE,
        ),
        page("/account/password", all),
        page("/monitoring", [200, 200, 200, 200, 404, 200]),
        page(
            &format!("/monitoring/cases/{k}"),
            [200, 200, 200, 200, 404, 200],
        ),
        page(
            "/monitoring/report-qr?village=140525100201",
            [200, 200, 200, 200, 404, 200],
        ),
        page("/report", all),
        case(
            M::POST,
            "",
            &format!("/monitoring/cases/{k}/steps"),
            form("step=township_review&date=2000-01-01"),
            [422, 403, 422, 403, 404, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/monitoring/signals/{signal}/case"),
            form(""),
            [409, 409, 409, 409, 404, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/monitoring/signals/{signal}/dismiss"),
            form("reason="),
            [422, 422, 422, 422, 404, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/monitoring/cases"),
            form(""),
            [409, 409, 409, 409, 404, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/monitoring/elimination"),
            form(""),
            [422, 422, 403, 403, 404, 403],
        ),
        page("/admin/users", [200, 403, 403, 403, 403, 403]),
        page("/assistance/gaps", all),
        page(&format!("/households/{H_IN}/card"), all),
        page("/villages/140525100201/cards", all),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/measures"),
            form("kind=lottery"),
            [422, 422, 422, 422, 422, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/plans"),
            form("year=1"),
            [422, 422, 422, 422, 422, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}"),
            form("version=x&area_code=1"),
            [REACHED, REACHED, REACHED, REACHED, REACHED, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/action"),
            form("action=exit"),
            [400, 400, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/households/{H_IN}/proposals"),
            form(""),
            [400, 403, 400, 400, 403, 403],
        ),
        case(
            M::POST,
            "",
            "/applications",
            form("area_code=1"),
            [422, 422, 422, 422, 403, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/applications/{app_id}/steps"),
            form("step=township_review"),
            [409, 403, 409, 403, 403, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/applications/{app_id}/steps"),
            form("step=announcement"),
            [409, 409, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "",
            &format!("/proposals/{proposal}/decision"),
            form(""),
            [400, 400, 403, 403, 403, 403],
        ),
        case(
            M::POST,
            "",
            "/admin/users",
            form("name=x&role=nobody&password=1"),
            [400, 403, 403, 403, 403, 403],
        ),
    ]
}

#[test]
fn every_route_answers_every_role_by_its_duties() {
    run("duties", |app| async move {
        // An application at its first step and a pending proposal, both in 东沟村.
        let (village, vcsrf) = login(&app, "dongou").await;
        let filed = file_application(&app, &village, &vcsrf).await;
        let app_id = filed.json["id"].as_str().unwrap().to_string();
        let (cadre, _) = login(&app, "cadre").await;
        let (target, kind) = proposable(&app, &cadre).await;
        let body = json!({"kind": kind, "date": "2020-06-30", "reason": "村民主评议通过"});
        let made = post(
            &app,
            &format!("/api/v1/households/{target}/proposals"),
            (&village, &vcsrf),
            body,
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let proposal = made.json["id"].as_str().unwrap().to_string();
        crate::monitoring::fixtures(&app, (&village, &vcsrf)).await;
        let rec = get(&app, &format!("/api/v1/households/{H_IN}"), &village).await;
        let member = rec.json["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();

        let mut api = api_cases(&app_id, &proposal, &member);
        // The responsibility network's routes (issue 11), before the logout that ends the list.
        let logout = api.pop().expect("the logout comes last");
        api.extend(
            crate::responsibility::api_cases(H_IN)
                .into_iter()
                .map(|(m, r, u, b, w)| case(m, r, &u, b, w)),
        );
        api.push(logout);
        // Every API route is in the matrix, and nothing else.
        let routes: BTreeSet<(String, String)> = fupin_web::routes().api.into_iter().collect();
        let covered: BTreeSet<(String, String)> = api
            .iter()
            .map(|c| (c.method.as_str().to_lowercase(), c.route.to_string()))
            .collect();
        assert_eq!(routes, covered, "the matrix covers every API route");

        for (i, user) in USERS.iter().enumerate() {
            let (cookie, csrf) = login(&app, user).await;
            let mut pages = page_cases(&app_id, &proposal);
            pages.extend(
                crate::responsibility::page_cases(H_IN)
                    .into_iter()
                    .map(|(m, u, b, w)| case(m, "", &u, b, w)),
            );
            for c in pages {
                let r = match (&c.method, &c.body) {
                    (&Method::GET, _) => get(&app, &c.uri, &cookie).await,
                    (_, Some(Value::String(f))) => {
                        let f = if f.is_empty() {
                            format!("_csrf={csrf}")
                        } else {
                            format!("_csrf={csrf}&{f}")
                        };
                        post_form(&app, &c.uri, &cookie, &f).await
                    }
                    _ => unreachable!(),
                };
                check(user, &c, i, r.status, &r.text);
            }
            for c in &api {
                let body = if c.route == "/api/v1/session" && c.method == Method::POST {
                    Some(json!({"username": user, "password": crate::common::PASSWORD}))
                } else {
                    c.body.clone()
                };
                let r = call(
                    &app,
                    c.method.clone(),
                    &c.uri,
                    Some(&cookie),
                    Some(&csrf),
                    body,
                )
                .await;
                check(user, c, i, r.status, &r.text);
                if r.status == StatusCode::FORBIDDEN {
                    assert_eq!(
                        r.json["error"]["code"], "forbidden",
                        "{user} {} {}",
                        c.method, c.uri
                    );
                }
            }
        }
        // Nothing changed: the application is at its first step, the proposal pending.
        let (county, _) = login(&app, "zezhou").await;
        let a = get(&app, &format!("/api/v1/applications/{app_id}"), &county).await;
        assert_eq!(a.json["step"], "application");
        let p = get(&app, &format!("/api/v1/proposals/{proposal}"), &county).await;
        assert_eq!(p.json["status"], "pending");
    });
}

fn check(user: &str, c: &Case, i: usize, status: StatusCode, text: &str) {
    let want = c.want[i];
    let what = format!("{user} {} {}", c.method, c.uri);
    if want == REACHED {
        let s = status.as_u16();
        assert!(
            status.is_client_error() && ![401, 403, 404].contains(&s),
            "{what}: {s} {text}"
        );
    } else {
        assert_eq!(status.as_u16(), want, "{what}: {text}");
    }
}

/// The household page offers what the role may do: the county the lifecycle actions, a village
/// the proposal form, a cadre neither.
async fn offers(app: &Router, cookie: &str, number: &str) -> (bool, bool) {
    let page = get(app, &format!("/households/{number}"), cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    (
        page.text.contains("id=\"action-"),
        page.text.contains("id=\"propose-form\""),
    )
}

#[test]
fn a_village_proposes_and_the_county_decides() {
    run("proposals", |app| async move {
        let (village, vcsrf) = login(&app, "dongou").await;
        let (county, ccsrf) = login(&app, "zezhou").await;
        let v = (village.as_str(), vcsrf.as_str());
        let c = (county.as_str(), ccsrf.as_str());
        let list = get(
            &app,
            "/api/v1/households?status=exited&area=140525100201",
            &village,
        )
        .await;
        let number = list.json["rows"][0]["number"].as_str().unwrap().to_string();
        let rec = get(&app, &format!("/api/v1/households/{number}"), &county).await;
        let version = rec.json["version"].as_i64().unwrap();
        let uri = format!("/api/v1/households/{number}/proposals");

        // A village cannot mark a return itself, and neither can a cadre remove its household.
        let direct = post(
            &app,
            &format!("/api/v1/households/{number}/return"),
            v,
            json!({"version": version}),
        )
        .await;
        assert_eq!(direct.status, StatusCode::FORBIDDEN);
        let (cadre, ccsrf2) = login(&app, "cadre").await;
        let removal = json!({"version": 1, "reason": "x"});
        let r = post(
            &app,
            &format!("/api/v1/households/{H_IN}/remove"),
            (&cadre, &ccsrf2),
            removal,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(offers(&app, &village, &number).await == (false, true));
        assert!(offers(&app, &county, &number).await == (true, false));
        assert!(offers(&app, &cadre, H_IN).await == (false, false));

        // The village proposes; one proposal waits at a time.
        let body = json!({"kind": "return", "date": "2020-09-30", "reason": "因病返贫,入户核实"});
        let made = post(&app, &uri, v, body.clone()).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        assert_eq!(made.json["status"], "pending");
        let id = made.json["id"].as_str().unwrap().to_string();
        let again = post(&app, &uri, v, body).await;
        assert_eq!(
            (again.status, again.json["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("proposal_pending"))
        );
        // It waits for the county, on the county's list; another village does not see it.
        let pending = get(&app, "/api/v1/proposals?status=pending", &county).await;
        assert!(pending.json["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str()));
        let page = get(&app, "/proposals", &county).await;
        assert!(
            page.text.contains(&format!("id=\"approve-{id}\"")),
            "the county decides on the page"
        );
        let page = get(&app, "/proposals", &village).await;
        assert!(
            page.text.contains(&number) && !page.text.contains("id=\"approve-"),
            "the village only sees it"
        );
        let (other, _) = login(&app, "xiling").await;
        let r = get(&app, &format!("/api/v1/proposals/{id}"), &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let shown = get(&app, &format!("/households/{number}"), &village).await;
        assert!(
            shown.text.contains("id=\"household-proposals\"") && shown.text.contains("待县级决定")
        );

        // The village cannot decide; the county rejects with a reason, once.
        let decide = format!("/api/v1/proposals/{id}/decision");
        let r = post(&app, &decide, v, json!({"decision": "approve"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post(&app, &decide, c, json!({"decision": "reject"})).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required"))
        );
        let r = post(
            &app,
            &decide,
            c,
            json!({"decision": "reject", "reason": "收入仍高于监测线"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            (r.json["status"].as_str(), r.json["decided_by"].as_str()),
            (Some("rejected"), Some("zezhou"))
        );
        assert_eq!(r.json["decision_note"], "收入仍高于监测线");
        let r = post(&app, &decide, c, json!({"decision": "approve"})).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("proposal_decided"))
        );
        let same = get(&app, &format!("/api/v1/households/{number}"), &county).await;
        assert_eq!(
            (same.json["status"].as_str(), &same.json["version"]),
            (Some("exited"), &rec.json["version"])
        );

        // A removal needs a reason; approved, the removal runs with its event and audit.
        let r = post(&app, &uri, v, json!({"kind": "remove"})).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required"))
        );
        let body = json!({"kind": "remove", "date": "2020-10-08", "reason": "县级比对:家庭成员有财政供养人员"});
        let made = post(&app, &uri, v, body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let id = made.json["id"].as_str().unwrap().to_string();
        let form = format!("_csrf={ccsrf}&decision=approve");
        let r = post_form(&app, &format!("/proposals/{id}/decision"), &county, &form).await;
        assert!(r.status.is_redirection(), "{}", r.text);
        let p = get(&app, &format!("/api/v1/proposals/{id}"), &county).await;
        assert_eq!(p.json["status"], "approved");
        let after = get(&app, &format!("/api/v1/households/{number}"), &county).await;
        assert_eq!(after.json["status"], "removed");
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
                .any(|e| e["date"] == "2020-10-08"
                    && e["actor"] == "zezhou"
                    && e["reason"].as_str().is_some_and(|r| r.contains("财政供养"))),
            "{}",
            history.text
        );
        let page = get(&app, &format!("/households/{number}"), &village).await;
        let trail = &page.text[page.text.find("id=\"audit\"").unwrap()..];
        assert!(
            trail.contains("approve") && trail.contains("propose"),
            "{trail}"
        );
        assert!(page.text.contains("已批准"));
    });
}
