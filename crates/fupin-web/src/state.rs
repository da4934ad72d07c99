//! The application state: the store, the policy, sessions, login throttling and cached dashboards;
//! and the two scoping primitives every read and write goes through, [`AppState::household_for`]
//! and [`AppState::area_for`] (decisions by [`crate::authz`]).

use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::{Session, SESSION_COOKIE};
use fupin_core::access::Scope;
use fupin_core::PolicySet;
use fupin_store::directory::{Directory, User};
use fupin_store::{HouseholdRecord, Repository};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The application: the store, the policy, sessions and login throttling.
pub struct AppState {
    pub repo: Arc<dyn Repository>,
    pub dir: Arc<dyn Directory>,
    pub policies: PolicySet,
    pub throttle: crate::auth::Throttle,
    sessions: Mutex<HashMap<String, Session>>,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Dashboard figures by (area, requested year), with when and at which write generation they
    /// were computed.
    dashboards: Mutex<HashMap<(String, Option<i32>), CachedDashboard>>,
    /// Bumped by every write through the application (see [`crate::session::check_csrf`]).
    generation: AtomicU64,
}

/// A dashboard with when and at which write generation it was computed.
type CachedDashboard = (Instant, u64, Arc<Dashboard>);

/// The figures of a dashboard: by status, sub-area, cause, monitoring, and the year's changes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = DashboardFigures)]
pub struct Dashboard {
    /// By status, sub-area, cause and monitoring.
    #[schema(value_type = Object)]
    pub figures: fupin_store::directory::Figures,
    pub year: i32,
    pub changes: fupin_store::ChangeReport,
}

/// How long dashboard figures are reused when nothing was written through the application (writes by
/// other processes, such as `fupin import`, show after at most this long).
pub const DASHBOARD_TTL: Duration = Duration::from_secs(30);

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
            throttle: crate::auth::Throttle::default(),
            sessions: Mutex::new(HashMap::new()),
            secure_cookies: false,
            dashboards: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// Marks every cached figure stale (called for every write).
    pub fn wrote(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// A cached dashboard of (area, year) unless stale, and the write generation to cache under.
    pub(crate) fn cached_dashboard(
        &self,
        key: &(String, Option<i32>),
    ) -> (Option<Arc<Dashboard>>, u64) {
        let generation = self.generation.load(Ordering::Relaxed);
        let cache = self.dashboards.lock().expect("dashboards");
        let hit = cache
            .get(key)
            .filter(|(at, g, _)| *g == generation && at.elapsed() < DASHBOARD_TTL)
            .map(|(_, _, d)| d.clone());
        (hit, generation)
    }

    pub(crate) fn cache_dashboard(
        &self,
        key: (String, Option<i32>),
        generation: u64,
        d: Arc<Dashboard>,
    ) {
        let mut cache = self.dashboards.lock().expect("dashboards");
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, (Instant::now(), generation, d));
    }

    /// The session of a request, if logged in (and not idle too long).
    pub fn session(&self, headers: &axum::http::HeaderMap) -> Option<Session> {
        let token = crate::session::cookie(headers, SESSION_COOKIE)?;
        let mut sessions = self.sessions.lock().expect("sessions");
        let now = Instant::now();
        let s = sessions.get_mut(token)?;
        if now.duration_since(s.last_seen) > crate::session::SESSION_IDLE {
            sessions.remove(token);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// Starts a session for a user whose password was checked.
    pub(crate) fn start_session(&self, user: &str, scope: Scope) -> Session {
        let session = Session {
            token: crate::auth::random_token(),
            user: user.to_string(),
            scope,
            csrf: crate::auth::random_token(),
            last_seen: Instant::now(),
        };
        self.sessions
            .lock()
            .expect("sessions")
            .insert(session.token.clone(), session.clone());
        session
    }

    /// Checks a user name and password; on success starts a session. Throttled per user name.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, ApiError> {
        let outcome = crate::accounts::service::login(self, username, password).await;
        crate::middleware::log_login(username, &outcome);
        outcome
    }

    pub fn logout(&self, token: &str) {
        self.sessions.lock().expect("sessions").remove(token);
    }

    /// The `Set-Cookie` value for a session.
    pub fn session_cookie(&self, token: &str) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
    }

    /// Whether the session's cadre is paired with a household (false for every other role).
    pub async fn paired(&self, s: &Session, number: &str) -> Result<bool, ApiError> {
        Ok(authz::by_pairing(&s.scope) && self.dir.is_paired(&s.user, number).await?)
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
        let paired = self.paired(s, number).await?;
        let area = h.area_code.as_str();
        let action = if write {
            Action::WriteHousehold { area, paired }
        } else {
            Action::ReadHousehold { area, paired }
        };
        authz::check(&s.scope, action)?;
        Ok(h)
    }

    /// The area prefix the session asks for (default: its own), or 404 outside its area.
    pub fn area_for(&self, s: &Session, requested: Option<&str>) -> Result<String, ApiError> {
        let requested = requested.map(str::trim).filter(|r| !r.is_empty());
        let Some(r) = requested else {
            return Ok(s.scope.area.clone());
        };
        if !fupin_core::area::is_area_prefix(r) {
            return Err(ApiError::bad_request(
                "area_code",
                format!("区划应为数字 / area must be digits: {r}"),
            ));
        }
        let r = fupin_core::access::significant_prefix(r);
        authz::check(&s.scope, Action::ReadArea(&r))?;
        Ok(r)
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
