//! Hardening (issue 15 item 8): security headers on pages and API answers, no-store caching, a
//! village name that closes a script tag rendered as text, no open redirect from `/lang`, axum's
//! refusals in the documented JSON error form or as the error page, the access and login logs
//! without personal data, the `Secure` CSRF cookie, and a database error answered as 500, never a
//! panic.

use crate::common::{call, get, login, post_form, send, sqlite_app};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use fupin_web::log::Capture;
use serde_json::json;

const H_IN: &str = "140525100201001";

fn header(r: &crate::common::Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(&name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[test]
fn pages_and_api_answers_carry_the_security_headers() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (cookie, _) = login(&app, "zezhou").await;
        let page = get(&app, "/households", &cookie).await;
        let api = get(&app, &format!("/api/v1/households/{H_IN}"), &cookie).await;
        let refused = get(&app, "/api/v1/households/140581100201001", &cookie).await;
        let login_page = call(&app, Method::GET, "/login", None, None, None).await;
        for (what, r) in [("page", &page), ("api", &api), ("404", &refused), ("login", &login_page)] {
            assert_eq!(
                header(r, header::CONTENT_SECURITY_POLICY),
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
                "{what}"
            );
            assert_eq!(header(r, header::X_FRAME_OPTIONS), "DENY", "{what}");
            assert_eq!(header(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
            assert_eq!(header(r, header::REFERRER_POLICY), "same-origin", "{what}");
            assert_eq!(header(r, header::CACHE_CONTROL), "no-store", "{what}");
        }
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(api.status, StatusCode::OK);
        // Pages have no inline script or handler for the policy to block.
        for uri in ["/", &format!("/households/{H_IN}"), "/villages/140525100201/notice"] {
            let r = get(&app, uri, &cookie).await;
            let html = r.text.to_lowercase();
            for bad in ["<script>", " onclick=", " onsubmit=", " onload=", "javascript:"] {
                assert!(!html.contains(bad), "{uri} contains {bad}");
            }
        }
        // Static files keep their own caching.
        let js = get(&app, "/static/app.js", &cookie).await;
        assert!(header(&js, header::CACHE_CONTROL).starts_with("public"));
        assert_eq!(header(&js, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    });
}

#[test]
fn a_village_name_that_closes_a_script_renders_as_text() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let mut village = state.dir.area("140525100201").await.unwrap().unwrap();
        village.name = "东沟村</script><script>alert(1)</script>".into();
        state.dir.upsert_area(&village).await.unwrap();
        let app = fupin_web::app(state);
        let (cookie, _) = login(&app, "zezhou").await;
        for uri in [
            "/?area=140525100",
            "/villages/140525100201/notice",
            "/households?area=140525100201",
        ] {
            let r = get(&app, uri, &cookie).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}");
            assert!(!r.text.contains("<script>alert(1)"), "{uri}: {}", r.text);
        }
        let notice = get(&app, "/villages/140525100201/notice", &cookie).await;
        assert!(notice.text.contains("东沟村&lt;"), "the name as text");
        let dashboard = get(&app, "/?area=140525100", &cookie).await;
        assert!(
            dashboard.text.contains("东沟村&lt;"),
            "escaped in the table"
        );
    });
}

#[test]
fn the_language_switch_goes_back_only_within_the_site() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let location = |r: &crate::common::Resp| header(r, header::LOCATION).to_string();
        for (uri, want) in [
            ("/lang/zh?next=https://evil.example", "/"),
            ("/lang/zh?next=//evil.example/x", "/"),
            ("/lang/en?next=/%5Cevil.example", "/"),
            (
                "/lang/en?next=/households%3Fstatus%3Dpoor",
                "/households?status=poor",
            ),
        ] {
            let r = call(&app, Method::GET, uri, None, None, None).await;
            assert!(r.status.is_redirection(), "{uri}");
            assert_eq!(location(&r), want, "{uri}");
        }
        let req = Request::builder()
            .uri("/lang/en")
            .header(header::REFERER, "https://evil.example//evil.example/phish")
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(location(&r), "/", "a referrer with a host-like path");
        let req = Request::builder()
            .uri("/lang/en")
            .header(header::REFERER, "http://127.0.0.1:8080/households?page=2")
            .body(Body::empty())
            .unwrap();
        assert_eq!(location(&send(&app, req).await), "/households?page=2");
    });
}

#[test]
fn refusals_answer_in_the_json_error_form_or_as_the_error_page() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (cookie, csrf) = login(&app, "zezhou").await;
        // A malformed JSON body.
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/households")
            .header(header::COOKIE, &cookie)
            .header("x-csrf-token", &csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"number\": "))
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json["error"]["code"], "invalid_json", "{}", r.text);
        // A query, a path, a method and a route axum refuses: the same JSON form.
        let cases = [
            (
                Method::GET,
                "/api/v1/households?page=abc",
                400,
                "bad_request",
            ),
            (
                Method::GET,
                "/api/v1/households/x/history?as_of=2020-13-01",
                400,
                "bad_request",
            ),
            (
                Method::DELETE,
                &*format!("/api/v1/households/{H_IN}/members/1"),
                400,
                "bad_request",
            ),
            (
                Method::PATCH,
                "/api/v1/households",
                405,
                "method_not_allowed",
            ),
            (Method::GET, "/api/v1/nothing-here", 404, "not_found"),
        ];
        for (method, uri, status, code) in cases {
            let r = call(&app, method.clone(), uri, Some(&cookie), Some(&csrf), None).await;
            assert_eq!(r.status.as_u16(), status, "{method} {uri}: {}", r.text);
            assert_eq!(r.json["error"]["code"], code, "{method} {uri}: {}", r.text);
            assert!(r.json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(" / ")));
        }
        // Pages: the error page.
        let r = get(&app, "/households?page=abc", &cookie).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.text.contains("<html") && r.text.contains("error-message"),
            "{}",
            r.text
        );
        let r = get(&app, "/no-such-page", &cookie).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.text.contains("<html"), "{}", r.text);
        let r = post_form(&app, &format!("/households/{H_IN}/action"), &cookie, "%%%").await;
        assert!(
            r.status.is_client_error() && r.text.contains("<html"),
            "{}",
            r.text
        );
    });
}

#[test]
fn the_access_and_login_logs_name_routes_and_users_not_personal_data() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(capture.subscriber());
    // A second registered dispatcher: with only one, tracing asks the thread that first meets an
    // event site (another test's, without a subscriber) and caches "never" for every thread.
    let _second = tracing::Dispatch::new(capture.subscriber());
    tracing::dispatcher::with_default(&dispatch, || {
        crate::common::runtime().block_on(async {
            let (state, _guard) = sqlite_app().await;
            let app = fupin_web::app(state);
            let wrong = json!({"username": "zezhou", "password": "not-the-password"});
            let r = crate::common::post_anon(&app, "/api/v1/session", wrong).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            let (cookie, _) = login(&app, "zezhou").await;
            let rec = get(&app, &format!("/api/v1/households/{H_IN}"), &cookie).await;
            let id = rec.json["members"][0]["id_number"]
                .as_str()
                .unwrap()
                .to_string();
            let r = get(&app, &format!("/api/v1/households?q={id}"), &cookie).await;
            assert_eq!(r.status, StatusCode::OK);
            let r = get(&app, &format!("/households/{H_IN}"), &cookie).await;
            assert_eq!(r.status, StatusCode::OK);
            // Quotes as the subscriber writes them (strings quoted or not) do not matter here.
            let lines: Vec<String> = capture.lines().iter().map(|l| l.replace('"', "")).collect();
            let all = lines.join("\n");
            assert!(!all.contains(&id), "no ID number in the log:\n{all}");
            assert!(
                !all.contains(H_IN),
                "no household number (the route, not the path):\n{all}"
            );
            assert!(!all.contains("not-the-password") && !all.contains(crate::common::PASSWORD));
            let find =
                |needles: &[&str]| lines.iter().any(|l| needles.iter().all(|n| l.contains(n)));
            assert!(
                find(&["fupin::login", "user=zezhou", "outcome=bad_login"]),
                "{all}"
            );
            assert!(
                find(&["fupin::login", "user=zezhou", "outcome=ok"]),
                "{all}"
            );
            assert!(
                find(&[
                    "fupin::access",
                    "method=GET",
                    "route=/api/v1/households/{number}",
                    "status=200",
                    "user=zezhou",
                    "ms="
                ]),
                "{all}"
            );
            assert!(
                find(&["fupin::access", "route=/api/v1/households", "status=200"]),
                "{all}"
            );
            assert!(
                find(&["fupin::access", "route=/households/{number}", "user=zezhou"]),
                "{all}"
            );
            assert!(
                find(&[
                    "fupin::access",
                    "route=/api/v1/session",
                    "status=401",
                    "user=-"
                ]),
                "{all}"
            );
        });
    });
}

#[test]
fn the_csrf_cookie_is_secure_with_secure_cookies() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let plain = fupin_web::app(state.clone());
        let r = call(&plain, Method::GET, "/login", None, None, None).await;
        let cookie = r.set_cookie.unwrap();
        assert!(
            cookie.starts_with("fupin_csrf=") && !cookie.contains("Secure"),
            "{cookie}"
        );
        let mut secure = fupin_web::AppState::new(
            state.repo.clone(),
            state.dir.clone(),
            state.policies.clone(),
        );
        secure.secure_cookies = true;
        let app = fupin_web::app(std::sync::Arc::new(secure));
        let r = call(&app, Method::GET, "/login", None, None, None).await;
        let cookie = r.set_cookie.unwrap();
        assert!(
            cookie.starts_with("fupin_csrf=") && cookie.contains("; Secure"),
            "{cookie}"
        );
        let r = call(&app, Method::GET, "/lang/en", None, None, None).await;
        assert!(r.set_cookie.unwrap().contains("; Secure"));
    });
}

#[test]
fn a_database_error_is_a_500_answer_not_a_panic() {
    crate::common::runtime().block_on(async {
        let (state, guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let (cookie, _) = login(&app, "zezhou").await;
        // The database file is overwritten under the running application.
        for entry in std::fs::read_dir(guard.path()).unwrap() {
            let path = entry.unwrap().path();
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0x5a_u8; len]).unwrap();
        }
        let api = get(&app, "/api/v1/applications", &cookie).await;
        assert_eq!(
            api.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            api.text
        );
        assert_eq!(api.json["error"]["code"], "database", "{}", api.text);
        for uri in [
            "/applications",
            "/households",
            &format!("/households/{H_IN}"),
        ] {
            let page = get(&app, uri, &cookie).await;
            assert_eq!(
                page.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{uri}: {}",
                page.text
            );
            assert!(page.text.contains("<html"), "{uri}: the error page");
        }
    });
}
