//! Every page renders for a user who may see it, with every variable its template names defined
//! (debug builds answer 500 naming a variable the handler's context leaves undefined).

use crate::common::{call, file_application, get, login, post_form, sqlite_app};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use tower::ServiceExt;

#[test]
fn every_page_renders_with_its_variables_defined() {
    crate::common::runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        let app = fupin_web::app(state);
        let login_page = call(&app, Method::GET, "/login", None, None, None).await;
        assert_eq!(login_page.status, StatusCode::OK, "{}", login_page.text);
        let (cookie, csrf) = login(&app, "admin").await;
        let created = file_application(&app, &cookie, &csrf).await;
        let id = created.json["id"].as_str().unwrap().to_string();
        let pages = [
            "/".to_string(),
            "/?area=140525100".to_string(),
            "/households".to_string(),
            "/households?status=poor&q=1405".to_string(),
            "/households/140525100201001".to_string(),
            "/households/140525100201001?saved=1".to_string(),
            "/villages/140525100201".to_string(),
            "/villages/140525100201/notice".to_string(),
            "/applications".to_string(),
            format!("/applications/{id}"),
            "/proposals".to_string(),
            "/proposals?status=all".to_string(),
            "/admin/users".to_string(),
            "/account/password".to_string(),
            "/households/140525999999001".to_string(),
        ];
        for uri in &pages {
            let r = get(&app, uri, &cookie).await;
            let want = if uri.contains("999999") {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            assert_eq!(r.status, want, "GET {uri}: {}", r.text);
            assert!(r.text.contains("<html"), "GET {uri}: a page");
        }
        // The htmx partial of the list.
        let req = Request::builder()
            .uri("/households?page=2")
            .header(header::COOKIE, &cookie)
            .header("hx-request", "true")
            .body(Body::empty())
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        // Forms answered with their page and errors.
        let form = format!("_csrf={csrf}&area_code=1&applicant_name=&members=0");
        let r = post_form(&app, "/applications", &cookie, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = format!("_csrf={csrf}&step=nonsense");
        let r = post_form(&app, &format!("/applications/{id}/steps"), &cookie, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        let form = format!("_csrf={csrf}&name=x&role=nobody&password=1");
        let r = post_form(&app, "/admin/users", &cookie, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        let form = format!("_csrf={csrf}&old_password=wrong&new_password=another-long-2");
        let r = post_form(&app, "/account/password", &cookie, &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        let form = format!("_csrf={csrf}&version=1&area_code=1&m0_id_number=1&m0_name=x");
        let r = post_form(&app, "/households/140525100201001", &cookie, &form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        let form = format!("_csrf={csrf}&action=remove&version=1");
        let r = post_form(&app, "/households/140525100201001/action", &cookie, &form).await;
        assert!(r.status.is_client_error(), "{}", r.text);
        assert!(r.text.contains("<html"), "{}", r.text);
        // A wrong token: the error page.
        let r = post_form(&app, "/account/password", &cookie, "_csrf=0000").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    });
}
