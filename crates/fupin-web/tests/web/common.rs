//! A demo application on each backend, and a small HTTP client over the router.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use fupin_core::PolicySet;
use fupin_store::directory::Directory;
use fupin_store::Repository;
use fupin_web::AppState;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = fupin_demo::web_county::DEMO_PASSWORD;

/// The demo county on a fresh SQLite file (kept alive by the returned guard).
pub async fn sqlite_app() -> (Arc<AppState>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("web.db").display());
    let (repo, d) = fupin_store::directory::open_both(&url)
        .await
        .expect("open sqlite");
    (demo_state(repo, d).await, dir)
}

/// The demo county in a fresh PostgreSQL schema named after the test, when `DATABASE_URL` is set
/// (required when `FUPIN_REQUIRE_PG` is, as `scripts/with-postgres.sh` sets it).
pub async fn postgres_app(name: &str) -> Option<Arc<AppState>> {
    let url = match std::env::var("DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ if std::env::var("FUPIN_REQUIRE_PG").is_ok() => panic!("DATABASE_URL is required"),
        _ => {
            eprintln!("{name}: PostgreSQL skipped (DATABASE_URL unset; run under scripts/with-postgres.sh)");
            return None;
        }
    };
    let schema = format!("w_{name}_{}", std::process::id());
    let repo = fupin_store::open_postgres_fresh_schema(&url, &schema)
        .await
        .expect("open postgres");
    let dir = fupin_store::directory::open_pg_schema(&url, &schema)
        .await
        .expect("directory");
    Some(demo_state(repo, dir).await)
}

/// Loads the demo county into an opened store and directory: the application's state.
async fn demo_state(repo: Arc<dyn Repository>, dir: Arc<dyn Directory>) -> Arc<AppState> {
    let policies = PolicySet::builtin();
    let hash = &fupin_web::auth::hash_password;
    fupin_demo::web_county::load(repo.as_ref(), dir.as_ref(), &policies, hash)
        .await
        .expect("demo");
    Arc::new(AppState::new(repo, dir, policies))
}

/// The tests' runtime: two worker threads.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    pub text: String,
    pub set_cookie: Option<String>,
}

/// One request to the application.
pub async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    body: Option<Value>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    send(app, req).await
}

/// Sends a request and reads the answer whole.
pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let set_cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Resp {
        status,
        headers,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        set_cookie,
    }
}

/// A GET with a session cookie, the answer's bytes (downloads).
pub async fn send_bytes(app: &Router, uri: &str, cookie: &str) -> Vec<u8> {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "GET {uri}");
    axum::body::to_bytes(resp.into_body(), 1 << 26)
        .await
        .unwrap()
        .to_vec()
}

/// A GET with a session cookie.
pub async fn get(app: &Router, uri: &str, cookie: &str) -> Resp {
    call(app, Method::GET, uri, Some(cookie), None, None).await
}

/// A JSON POST with a session: (cookie, CSRF token).
pub async fn post(app: &Router, uri: &str, (cookie, csrf): (&str, &str), body: Value) -> Resp {
    call(app, Method::POST, uri, Some(cookie), Some(csrf), Some(body)).await
}

/// A JSON PUT with a session: (cookie, CSRF token).
pub async fn put(app: &Router, uri: &str, (cookie, csrf): (&str, &str), body: Value) -> Resp {
    call(app, Method::PUT, uri, Some(cookie), Some(csrf), Some(body)).await
}

/// A DELETE with a session: (cookie, CSRF token).
pub async fn delete(app: &Router, uri: &str, (cookie, csrf): (&str, &str)) -> Resp {
    call(app, Method::DELETE, uri, Some(cookie), Some(csrf), None).await
}

/// A JSON POST without a session.
pub async fn post_anon(app: &Router, uri: &str, body: Value) -> Resp {
    call(app, Method::POST, uri, None, None, Some(body)).await
}

/// A posted form (pages).
pub async fn post_form(app: &Router, uri: &str, cookie: &str, form: &str) -> Resp {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    send(app, req).await
}

/// Logs in over the API: (cookie header, CSRF token).
pub async fn login(app: &Router, user: &str) -> (String, String) {
    let body = serde_json::json!({"username": user, "password": PASSWORD});
    let r = post_anon(app, "/api/v1/session", body).await;
    assert_eq!(r.status, StatusCode::OK, "login {user}: {}", r.text);
    let cookie = r.set_cookie.expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    (pair, r.json["csrf_token"].as_str().unwrap().to_string())
}

/// A request from a client address (as the server's connection info gives it).
pub async fn call_from(
    app: &Router,
    addr: &str,
    method: Method,
    uri: &str,
    session: Option<(&str, &str)>,
    body: Value,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some((cookie, csrf)) = session {
        req = req
            .header(header::COOKIE, cookie)
            .header("x-csrf-token", csrf);
    }
    let mut req = req.body(Body::from(body.to_string())).unwrap();
    let ip: std::net::IpAddr = addr.parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
            ip, 40000,
        )));
    send(app, req).await
}

/// A JSON POST without a session from a client address.
pub async fn post_from(app: &Router, addr: &str, uri: &str, body: Value) -> Resp {
    call_from(app, addr, Method::POST, uri, None, body).await
}

/// Runs a test on the demo county's application state on SQLite, then on PostgreSQL when it is
/// there; the test gets a second state on the same database (a second server process, or the same
/// one restarted).
pub fn run_states<F, Fut>(name: &str, f: F)
where
    F: Fn(Arc<AppState>, Arc<AppState>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    runtime().block_on(async {
        let (state, guard) = sqlite_app().await;
        let url = format!("sqlite:{}", guard.path().join("web.db").display());
        let (repo, d) = fupin_store::directory::open_both(&url).await.unwrap();
        let second = Arc::new(AppState::new(repo, d, PolicySet::builtin()));
        eprintln!("{name}: SQLite");
        f(state, second).await;
        if let Some(state) = postgres_app(name).await {
            let url = std::env::var("DATABASE_URL").unwrap();
            let schema = format!("w_{name}_{}", std::process::id());
            let store = Arc::new(
                fupin_store::SqlStore::open_existing_schema(&url, &schema)
                    .await
                    .unwrap(),
            );
            let second = Arc::new(AppState::new(store.clone(), store, PolicySet::builtin()));
            eprintln!("{name}: PostgreSQL");
            f(state, second).await;
        }
    });
}

/// Runs a test on the demo county on SQLite, then on PostgreSQL when it is there.
pub fn run<F, Fut>(name: &str, f: F)
where
    F: Fn(Router) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    runtime().block_on(async {
        let (state, _guard) = sqlite_app().await;
        eprintln!("{name}: SQLite");
        f(fupin_web::app(state)).await;
        if let Some(state) = postgres_app(name).await {
            eprintln!("{name}: PostgreSQL");
            f(fupin_web::app(state)).await;
        }
    });
}

/// Files an identification application in 东沟村 over the API: the answer (201, the application).
pub async fn file_application(app: &Router, cookie: &str, csrf: &str) -> Resp {
    let body = serde_json::json!({"area_code": "140525100201", "applicant_name": "田大壮", "applicant_id_number": "11010519491231002X", "members": 3, "reason": "因病"});
    let r = post(app, "/api/v1/applications", (cookie, csrf), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r
}

/// A `multipart/form-data` POST of an upload form: its text `fields` (the CSRF token first) and
/// one `file` named `name` holding `file` (CSV text).
pub async fn post_multipart(
    app: &axum::Router,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    name: &str,
    file: &str,
) -> Resp {
    let boundary = "fupinBoundary7MA4YWxk";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    send(app, req).await
}
