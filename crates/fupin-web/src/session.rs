//! Sessions and the extractors that hand them to handlers: [`Session`] (a logged-in request, else
//! 401) and [`WriteSession`] (also carrying the session's CSRF token in `X-CSRF-Token`, else 403).
//! The pages' equivalents, which answer with a redirect or an error page, are in [`crate::render`].

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use fupin_core::access::Scope;
use std::sync::Arc;
use std::time::Duration;

pub const SESSION_COOKIE: &str = "fupin_session";
pub const LANG_COOKIE: &str = "fupin_lang";
pub const PRE_COOKIE: &str = "fupin_csrf";
/// Sessions end after this long without use (kept in the database: `fupin_store::sessions`).
pub const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

/// A logged-in user. As an extractor: the session of the request, else 401.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: String,
    pub scope: Scope,
    /// The CSRF token every write must carry (form field `_csrf` or header `X-CSRF-Token`).
    pub csrf: String,
    /// When the session was last marked used (Unix seconds; marked at most once a minute).
    pub last_seen: i64,
}

impl FromRequestParts<Arc<AppState>> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(p: &mut Parts, st: &Arc<AppState>) -> Result<Self, ApiError> {
        let s = st
            .session(&p.headers)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        crate::middleware::note_user(&p.extensions, &s.user);
        Ok(s)
    }
}

/// The session of an API write: logged in (else 401) and carrying the session's CSRF token in the
/// `X-CSRF-Token` header (else 403). Every write passes here, so cached figures go stale here.
#[derive(Debug, Clone)]
pub struct WriteSession(pub Session);

impl FromRequestParts<Arc<AppState>> for WriteSession {
    type Rejection = ApiError;

    async fn from_request_parts(p: &mut Parts, st: &Arc<AppState>) -> Result<Self, ApiError> {
        let s = Session::from_request_parts(p, st).await?;
        let given = p.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        check_csrf(st, &s, given)?;
        Ok(WriteSession(s))
    }
}

impl std::ops::Deref for WriteSession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.0
    }
}

/// Checks the CSRF token a write carries and marks cached figures stale.
pub fn check_csrf(st: &AppState, s: &Session, given: Option<&str>) -> Result<(), ApiError> {
    match given {
        Some(t) if crate::auth::same_token(t, &s.csrf) => {
            st.wrote();
            Ok(())
        }
        _ => Err(ApiError::csrf()),
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

/// The `Set-Cookie` value that ends the session cookie.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The address a request comes from (the peer's IP address; `unknown` when the server was not
/// started with connection info, as in tests that call the router directly). Behind a reverse
/// proxy every request comes from the proxy: the login throttle then counts per name there.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(p: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = p
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
        Ok(ClientAddr(addr))
    }
}
