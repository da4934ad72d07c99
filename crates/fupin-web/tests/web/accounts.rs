//! Accounts over the API: creating them by role and area, logging in, passwords, throttling.

use crate::common::{delete, get, login, post, post_anon, put, run};
use axum::http::StatusCode;
use serde_json::json;

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
        // Repeated failures lock the name out, even with the right password.
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
