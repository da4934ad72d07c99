//! The one middleware every answer passes ([`harden`]): security headers, `Cache-Control:
//! no-store` (pages and API answers carry personal data; static files keep their own caching),
//! axum's plain-text refusals (body, query, path, form, unknown route, wrong method) answered in
//! the documented JSON error form (API) or as the error page (pages), and the access log (method,
//! matched route, status, duration, user: no path or query as sent, so no ID number).

use crate::error::ApiError;
use crate::session::lang;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The Content-Security-Policy of every answer: scripts only from the application's own files
/// (no inline script or handler), no framing, forms only to the application.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                       img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; \
                       base-uri 'self'; form-action 'self'";

/// The user a request was made by, filled in by the session extractors for the access log.
#[derive(Clone, Default)]
pub struct LogUser(Arc<Mutex<Option<String>>>);

/// Notes the session's user on the request (for the access log); nothing when the middleware did
/// not run (tests of a handler alone).
pub fn note_user(extensions: &axum::http::Extensions, user: &str) {
    if let Some(LogUser(slot)) = extensions.get::<LogUser>() {
        if let Ok(mut slot) = slot.lock() {
            *slot = Some(user.to_string());
        }
    }
}

/// The stable code of a refusal by its status.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "bad_request",
    }
}

/// Whether an answer is one of axum's own refusals (plain text or empty), not the application's.
fn is_plain_refusal(r: &Response) -> bool {
    let status = r.status();
    if !(status.is_client_error()) {
        return false;
    }
    match r.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(t) => t.to_str().is_ok_and(|t| t.starts_with("text/plain")),
    }
}

/// A refusal as the application answers it: JSON under `/api/`, else the error page.
async fn as_error(r: Response, api: bool, headers: &HeaderMap) -> Response {
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = match (status, detail.is_empty()) {
        (StatusCode::NOT_FOUND, _) => "未找到 / not found".to_string(),
        (StatusCode::METHOD_NOT_ALLOWED, _) => "不支持此方法 / method not allowed".to_string(),
        (_, true) => "请求有误 / bad request".to_string(),
        (_, false) => format!("请求有误 / bad request: {detail}"),
    };
    let e = ApiError::new(status, code_of(status), message);
    if api {
        e.into_response()
    } else {
        crate::render::error_page(lang(headers), None, e)
    }
}

/// The answer for a path no route matches.
pub async fn fallback() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// Headers, refusals and the access log (see the module's text).
pub async fn harden(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let api = req.uri().path().starts_with("/api/");
    let headers = req.headers().clone();
    let user = LogUser::default();
    req.extensions_mut().insert(user.clone());
    let mut r = next.run(req).await;
    if is_plain_refusal(&r) {
        r = as_error(r, api, &headers).await;
    }
    let h = r.headers_mut();
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    let who = user.0.lock().ok().and_then(|u| u.clone());
    tracing::info!(
        target: "fupin::access",
        method = %method,
        route = route.as_deref().unwrap_or("-"),
        status = r.status().as_u16(),
        ms = start.elapsed().as_millis() as u64,
        user = who.as_deref().unwrap_or("-"),
    );
    r
}
