//! fupin-web: the JSON API (`/api/v1`, documented at `/api/openapi.json`) and the server-rendered
//! pages a county office works in. Every read and write is scoped by [`fupin_core::access::Scope`]
//! through [`AppState::household_for`] and [`AppState::area_for`]: an out-of-area record answers 404.

pub mod api;
pub mod assets;
pub mod auth;
pub mod demo;
pub mod i18n;
pub mod openapi;
pub mod pages;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use fupin_core::access::{Role, Scope};
use fupin_core::PolicySet;
use fupin_store::directory::{Directory, User};
use fupin_store::{HouseholdRecord, Repository, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "fupin_session";
pub const LANG_COOKIE: &str = "fupin_lang";
pub const PRE_COOKIE: &str = "fupin_csrf";
/// Sessions end after this long without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: String,
    pub scope: Scope,
    /// The CSRF token every write must carry (form field `_csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    pub last_seen: Instant,
}

/// The application: the store, the policy, sessions and login throttling.
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    pub dir: Arc<dyn Directory>,
    pub policies: PolicySet,
    pub throttle: auth::Throttle,
    sessions: Mutex<HashMap<String, Session>>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Dashboard figures by (area, requested year), with when and at which write generation they
    /// were computed.
    dashboards: Mutex<HashMap<(String, Option<i32>), CachedDashboard>>,
    /// Bumped by every write through the application (see [`check_csrf`]).
    generation: std::sync::atomic::AtomicU64,
}

/// A dashboard with when and at which write generation it was computed.
type CachedDashboard = (Instant, u64, Arc<Dashboard>);

/// The figures of a dashboard: by status, sub-area, cause, monitoring, and the year's changes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dashboard {
    pub figures: fupin_store::directory::Figures,
    pub year: i32,
    pub changes: fupin_store::ChangeReport,
}

/// How long dashboard figures are reused when nothing was written through the application (writes by
/// other processes, such as `fupin import`, show after at most this long).
pub const DASHBOARD_TTL: Duration = Duration::from_secs(30);

/// An error answered as JSON `{"error": {"code", "message"}}` (API) or as a page.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// Field errors, for validation failures.
    pub fields: Vec<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
        }
    }
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "未找到 / not found")
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "请先登录 / log in first",
        )
    }
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权执行此操作 / not allowed for your role",
        )
    }
    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "缺少或错误的 CSRF 令牌 / missing or wrong CSRF token",
        )
    }
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match &e {
            StoreError::NotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Conflict { .. } => StatusCode::CONFLICT,
            StoreError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut err = ApiError::new(status, e.code(), e.to_string());
        if let StoreError::Rejected(row) = &e {
            err.fields.push(serde_json::json!({"field": row.column, "code": row.code, "message": format!("{} / {}", row.zh, row.en)}));
        }
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        if !self.fields.is_empty() {
            body["error"]["fields"] = serde_json::Value::Array(self.fields);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The interface language: the `fupin_lang` cookie, else Chinese.
pub fn lang(headers: &HeaderMap) -> &'static str {
    if cookie(headers, LANG_COOKIE) == Some("en") {
        "en"
    } else {
        "zh"
    }
}

impl AppState {
    pub fn new(
        repo: Arc<dyn Repository>,
        dir: Arc<dyn Directory>,
        policies: PolicySet,
    ) -> AppState {
        AppState {
            repo,
            dir,
            policies,
            throttle: auth::Throttle::default(),
            sessions: Mutex::new(HashMap::new()),
            secure_cookies: false,
            dashboards: Mutex::new(HashMap::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Marks every cached figure stale (called for every write).
    pub fn wrote(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The dashboard of an area (already scoped by [`AppState::area_for`]), reused for
    /// [`DASHBOARD_TTL`] unless something was written since.
    pub async fn dashboard(
        &self,
        area: &str,
        year: Option<i32>,
    ) -> Result<Arc<Dashboard>, ApiError> {
        let key = (area.to_string(), year);
        let generation = self.generation.load(std::sync::atomic::Ordering::Relaxed);
        if let Some((at, g, d)) = self.dashboards.lock().expect("dashboards").get(&key) {
            if *g == generation && at.elapsed() < DASHBOARD_TTL {
                return Ok(d.clone());
            }
        }
        let figures = self.dir.figures(area).await?;
        let year = api::dashboard_year(self, area, year).await?;
        let changes = self.repo.year_report(year, area).await?;
        let d = Arc::new(Dashboard {
            figures,
            year,
            changes,
        });
        let mut cache = self.dashboards.lock().expect("dashboards");
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, (Instant::now(), generation, d.clone()));
        Ok(d)
    }

    /// The session of a request, if logged in (and not idle too long).
    pub fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let token = cookie(headers, SESSION_COOKIE)?;
        let mut sessions = self.sessions.lock().expect("sessions");
        let now = Instant::now();
        let s = sessions.get_mut(token)?;
        if now.duration_since(s.last_seen) > SESSION_IDLE {
            sessions.remove(token);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// Checks a user name and password; on success starts a session. Throttled per user name.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, ApiError> {
        let key = username.trim().to_lowercase();
        if let Err(wait) = self.throttle.check(&key, Instant::now()) {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                format!("登录失败次数过多,请 {} 分钟后再试 / too many failed logins, try again in {} minutes", wait.as_secs() / 60 + 1, wait.as_secs() / 60 + 1),
            ));
        }
        let user = self.dir.user(username.trim()).await?;
        let ok = user
            .as_ref()
            .filter(|u| !u.disabled && auth::verify_password(password, &u.password_hash));
        let Some(user) = ok else {
            self.throttle.fail(&key, Instant::now());
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_login",
                "用户名或密码错误 / wrong user name or password",
            ));
        };
        self.throttle.succeed(&key);
        let scope = scope_of(user).ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "bad_account",
                "账号区划无效 / the account's area is invalid",
            )
        })?;
        let session = Session {
            token: auth::random_token(),
            user: user.name.clone(),
            scope,
            csrf: auth::random_token(),
            last_seen: Instant::now(),
        };
        self.sessions
            .lock()
            .expect("sessions")
            .insert(session.token.clone(), session.clone());
        Ok(session)
    }

    pub fn logout(&self, token: &str) {
        self.sessions.lock().expect("sessions").remove(token);
    }

    /// The `Set-Cookie` value for a session.
    pub fn session_cookie(&self, token: &str) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
    }

    /// Loads a household the session may read (`write`: may change); anything else answers 404 as if
    /// it did not exist, except a household in the area that the role may only read (403).
    pub async fn household_for(
        &self,
        s: &Session,
        number: &str,
        write: bool,
    ) -> Result<HouseholdRecord, ApiError> {
        let h = self
            .repo
            .household(number)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let paired = s.scope.role == Role::Cadre && self.dir.is_paired(&s.user, number).await?;
        if !s.scope.can_read_household(&h.area_code, paired) {
            return Err(ApiError::not_found());
        }
        if write && !s.scope.can_write_household(&h.area_code, paired) {
            return Err(ApiError::forbidden());
        }
        Ok(h)
    }

    /// The area prefix the session asks for (default: its own), or 404 outside its area.
    pub fn area_for(&self, s: &Session, requested: Option<&str>) -> Result<String, ApiError> {
        let requested = requested.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = requested {
            if !fupin_core::area::is_area_prefix(r) {
                return Err(ApiError::bad_request(
                    "area_code",
                    format!("区划应为数字 / area must be digits: {r}"),
                ));
            }
        }
        let r = requested.map(fupin_core::access::significant_prefix);
        match r {
            None => Ok(s.scope.area.clone()),
            Some(r) if s.scope.can_read_area(&r) => Ok(r),
            Some(_) => Err(ApiError::not_found()),
        }
    }
}

/// The scope of an account, `None` when its role or area is invalid.
pub fn scope_of(u: &User) -> Option<Scope> {
    Scope::new(
        u.role,
        if u.area.is_empty() {
            None
        } else {
            Some(&u.area)
        },
    )
    .ok()
}

/// Records the routes of the API while building the router, so that a test can check each is
/// documented in the OpenAPI document.
pub struct Routes {
    router: Router<Arc<AppState>>,
    pub api: Vec<(String, String)>,
}

impl Routes {
    fn api(mut self, path: &str, methods: &[&str], handler: MethodRouter<Arc<AppState>>) -> Routes {
        for m in methods {
            self.api.push((m.to_string(), path.to_string()));
        }
        self.router = self.router.route(path, handler);
        self
    }
}

/// The whole application's routes; `api` lists (method, path) of every JSON API route.
pub fn routes() -> Routes {
    let r = Routes {
        router: Router::new(),
        api: Vec::new(),
    };
    let r = api::register(r);
    let router = pages::register(r.router)
        .route("/static/{name}", get(assets::serve))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs_page));
    Routes { router, api: r.api }
}

/// The application as a service.
pub fn app(state: Arc<AppState>) -> Router {
    routes().router.with_state(state)
}

/// Serves on `listen` until the process ends.
pub async fn serve(state: Arc<AppState>, listen: &str) -> std::io::Result<()> {
    serve_on(state, tokio::net::TcpListener::bind(listen).await?).await
}

/// Serves on a bound listener (tests bind port 0).
pub async fn serve_on(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}

/// Checks the CSRF token of a write: header `X-CSRF-Token` (API) or form field `_csrf` (pages).
/// Every write passes here, so cached figures are marked stale here too.
pub fn check_csrf(
    st: &AppState,
    s: &Session,
    headers: &HeaderMap,
    form_token: Option<&str>,
) -> Result<(), ApiError> {
    let given = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .or(form_token);
    match given {
        Some(t) if auth::same_token(t, &s.csrf) => {
            st.wrote();
            Ok(())
        }
        _ => Err(ApiError::csrf()),
    }
}
