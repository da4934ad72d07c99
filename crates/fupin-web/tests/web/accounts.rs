//! Accounts over the API: creating them by role and area, logging in, passwords, throttling.

use crate::common::{
    call_from, delete, get, login, post, post_anon, post_from, put, run, run_states, PASSWORD,
};
use axum::http::Method;
use axum::http::StatusCode;
use fupin_web::AppState;
use serde_json::json;
use std::sync::Arc;

#[test]
fn accounts_and_passwords() {
    run("accounts", |app| async move {
        let (admin, csrf) = login(&app, "admin").await;
        let r = post(&app, "/api/v1/users", (&admin, &csrf), json!({"name": "nanzhuang", "role": "village", "area": "140525100", "password": "long-enough-1"})).await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("area")),
            "a village account needs 12 digits"
        );
        let r = post(&app, "/api/v1/users", (&admin, &csrf), json!({"name": "nanzhuang", "role": "village", "area": "140525100203", "password": "long-enough-1"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let r = post_anon(
            &app,
            "/api/v1/session",
            json!({"username": "nanzhuang", "password": "long-enough-1"}),
        )
        .await;
        assert_eq!(r.json["area"], "140525100203");
        let (cookie, ucsrf) = (
            r.set_cookie.unwrap().split(';').next().unwrap().to_string(),
            r.json["csrf_token"].as_str().unwrap().to_string(),
        );
        let r = put(
            &app,
            "/api/v1/session/password",
            (&cookie, &ucsrf),
            json!({"old_password": "wrong", "new_password": "another-long-2"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = put(
            &app,
            "/api/v1/session/password",
            (&cookie, &ucsrf),
            json!({"old_password": "long-enough-1", "new_password": "another-long-2"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = delete(&app, "/api/v1/session", (&cookie, &ucsrf)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = get(&app, "/api/v1/session", &cookie).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "logged out");
        // Repeated failures close the name from that address (here: no address known), even for
        // the right password; the owner from another address is the next test.
        for _ in 0..5 {
            let r = post_anon(
                &app,
                "/api/v1/session",
                json!({"username": "nanzhuang", "password": "nope"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = post_anon(
            &app,
            "/api/v1/session",
            json!({"username": "nanzhuang", "password": "another-long-2"}),
        )
        .await;
        assert_eq!(
            (r.status, r.json["error"]["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("throttled"))
        );
    });
}

/// Logs in through `st`'s router from `addr`: (status, cookie, CSRF token).
async fn login_at(
    st: &Arc<AppState>,
    addr: &str,
    user: &str,
    password: &str,
) -> (StatusCode, String, String) {
    let app = fupin_web::app(st.clone());
    let r = post_from(
        &app,
        addr,
        "/api/v1/session",
        json!({"username": user, "password": password}),
    )
    .await;
    let cookie = r
        .set_cookie
        .map(|c| c.split(';').next().unwrap().to_string())
        .unwrap_or_default();
    let csrf = r.json["csrf_token"].as_str().unwrap_or("").to_string();
    (r.status, cookie, csrf)
}

#[test]
fn sessions_are_kept_in_the_database() {
    run_states("sessions_db", |one, two| async move {
        let (a, b) = (fupin_web::app(one.clone()), fupin_web::app(two.clone()));
        let (status, cookie, csrf) = login_at(&one, "10.1.0.1", "zezhou", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        // The session made by one server is valid in the other (or after a restart), CSRF too.
        let r = get(&b, "/api/v1/session", &cookie).await;
        assert_eq!(
            (r.status, r.json["user"].as_str()),
            (StatusCode::OK, Some("zezhou")),
            "{}",
            r.text
        );
        assert_eq!(r.json["csrf_token"].as_str(), Some(csrf.as_str()));
        let r = post(&b, "/api/v1/users", (&cookie, "not-the-token"), json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF still checked");
        // The cookie's token is not what the database keeps.
        let token = cookie.split_once('=').unwrap().1;
        assert_eq!(
            two.dir
                .session(token, fupin_web::state::unix_now(), 3600)
                .await
                .unwrap(),
            None
        );
        // Logging out on the second ends it on the first.
        let r = delete(&b, "/api/v1/session", (&cookie, &csrf)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            get(&a, "/api/v1/session", &cookie).await.status,
            StatusCode::UNAUTHORIZED
        );
    });
}

#[test]
fn concurrent_wrong_passwords_are_limited_and_the_owner_still_logs_in() {
    run_states("login_throttle", |st, _| async move {
        let before = st.hasher.verified();
        let attempts = (0..80).map(|_| {
            let st = st.clone();
            tokio::spawn(async move {
                login_at(&st, "10.2.0.1", "zezhou", "wrong-password")
                    .await
                    .0
            })
        });
        let mut statuses = Vec::new();
        for a in attempts {
            statuses.push(a.await.unwrap());
        }
        let checked = statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 75), "80 at once count as 80");
        assert_eq!(
            st.hasher.verified() - before,
            5,
            "the refused ones cost no argon2"
        );
        // The right password from that address waits too...
        let (status, _, _) = login_at(&st, "10.2.0.1", "zezhou", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // ...but the owner from another address logs in.
        let (status, cookie, _) = login_at(&st, "10.2.0.2", "zezhou", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!cookie.is_empty());
    });
}

#[test]
fn unknown_names_cost_what_known_ones_do() {
    run_states("login_work", |st, _| async move {
        for (user, password) in [
            ("zezhou", "wrong-password"),
            ("nobody-at-all", "wrong-password"),
            ("zezhou", PASSWORD),
        ] {
            let before = st.hasher.verified();
            let (status, _, _) = login_at(&st, "10.3.0.1", user, password).await;
            assert_eq!(
                st.hasher.verified() - before,
                1,
                "{user}: one argon2 verification ({status})"
            );
        }
    });
}

#[test]
fn a_password_change_is_throttled_and_ends_the_other_sessions() {
    run_states("password_change", |st, second| async move {
        let app = fupin_web::app(st.clone());
        let (_, phone, _) = login_at(&second, "10.4.0.1", "dongou", PASSWORD).await;
        let (_, desk, csrf) = login_at(&st, "10.4.0.2", "dongou", PASSWORD).await;
        assert_eq!(
            get(&app, "/api/v1/session", &phone).await.status,
            StatusCode::OK
        );
        // Wrong current passwords: five are checked, then the route is closed.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let body = json!({"old_password": "wrong-password", "new_password": "another-long-2"});
            statuses.push(
                put(&app, "/api/v1/session/password", (&desk, &csrf), body)
                    .await
                    .status,
            );
        }
        assert_eq!(statuses[4], StatusCode::BAD_REQUEST);
        assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
        // From another address the change goes through and ends the user's other sessions.
        let app2 = fupin_web::app(second.clone());
        let (_, desk2, csrf2) = login_at(&second, "10.4.0.3", "dongou", PASSWORD).await;
        let body = json!({"old_password": PASSWORD, "new_password": "another-long-2"});
        let r = call_from(
            &app2,
            "10.4.0.3",
            Method::PUT,
            "/api/v1/session/password",
            Some((&desk2, &csrf2)),
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        assert_eq!(
            get(&app, "/api/v1/session", &phone).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            get(&app, "/api/v1/session", &desk).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            get(&app, "/api/v1/session", &desk2).await.status,
            StatusCode::OK
        );
    });
}
