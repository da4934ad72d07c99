//! The accounts' pages: logging in and out, the interface language, the admin's accounts page and
//! the password page.

use super::service;
use crate::render::{error_page, render, with_status, FormWrite, Page};
use crate::session::{cleared_session_cookie, cookie, lang, ClientAddr, LANG_COOKIE, PRE_COOKIE};
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{context, Value as JValue};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<AppState>>;
type PageResult = Result<Response, Response>;

pub fn register(r: Router<Arc<AppState>>) -> Router<Arc<AppState>> {
    r.route("/login", get(login_page).post(login_post))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/admin/users", get(users).post(user_create))
        .route("/account/password", get(password_page).post(password_post))
}

/// The login page with a fresh pre-session CSRF token (cookie and hidden field), and the page to go
/// to afterwards (`next`, a path of this site).
fn login_form(
    st: &AppState,
    headers: &HeaderMap,
    error: Option<String>,
    username: Option<String>,
    next: Option<&str>,
) -> Response {
    let token = crate::auth::random_token();
    let next = next.filter(|n| crate::render::safe_next(n));
    let ctx = context! { login_csrf => token.clone(), error => error, username => username, next => next };
    let mut r = render(lang(headers), None, "accounts/login.html", ctx);
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{PRE_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{secure}");
    if let Ok(v) = cookie.parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn login_page(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    login_form(&st, &headers, None, None, q.get("next").map(String::as_str))
}

async fn login_post(
    State(st): St,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or("");
    let given = f.get("_csrf").map(String::as_str).unwrap_or("");
    if pre.is_empty() || !crate::auth::same_token(pre, given) {
        return error_page(lang(&headers), None, ApiError::csrf());
    }
    let user = f.get("username").cloned().unwrap_or_default();
    let password = f.get("password").map(String::as_str).unwrap_or("");
    let next = f
        .get("next")
        .map(String::as_str)
        .filter(|n| crate::render::safe_next(n));
    match st.login(&user, password, &addr).await {
        Ok(s) => (
            [(header::SET_COOKIE, st.session_cookie(&s.token))],
            Redirect::to(next.unwrap_or("/")),
        )
            .into_response(),
        Err(e) => with_status(
            login_form(&st, &headers, Some(e.message), Some(user), next),
            e.status,
        ),
    }
}

async fn logout(State(st): St, w: FormWrite) -> Response {
    if let Err(e) = st.logout(&w.page.session.token).await {
        return w.page.error(e);
    }
    let cookie = cleared_session_cookie();
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

/// Sets the interface language and goes back: to `?next=` or the referring page, only when it is
/// a path of this site (`/…`, not `//host` or `/\host`), else to the dashboard (no open redirect).
async fn set_lang(
    State(st): St,
    Path(l): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let l = if l == "en" { "en" } else { "zh" };
    let referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        });
    let back = q
        .get("next")
        .cloned()
        .or(referer)
        .filter(|b| crate::render::safe_next(b))
        .unwrap_or_else(|| "/".into());
    let secure = if st.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{LANG_COOKIE}={l}; Path=/; SameSite=Lax; Max-Age=31536000{secure}");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// The accounts page's context: the accounts with their areas' names, the area picker.
async fn users_ctx(
    st: &AppState,
    p: &Page,
    list: &[fupin_store::directory::User],
    error: Option<String>,
) -> Result<JValue, Response> {
    let codes: Vec<String> = list.iter().map(|u| u.area.clone()).collect();
    let names = crate::names::names_of(st, &codes)
        .await
        .map_err(|e| p.error(e))?;
    let all = crate::i18n::t(p.lang, "all_areas");
    let picker = crate::names::picker(st, &p.session.scope.area, None, &all)
        .await
        .map_err(|e| p.error(e))?;
    Ok(context! {
        users => JValue::from_serialize(list),
        error => error,
        area_names => names,
        areas => JValue::from_serialize(&picker),
    })
}

async fn users(State(st): St, p: Page) -> PageResult {
    let list = service::users(&st, &p.session)
        .await
        .map_err(|e| p.error(e))?;
    let ctx = users_ctx(&st, &p, &list, None).await?;
    Ok(p.render("accounts/users.html", ctx))
}

async fn user_create(State(st): St, w: FormWrite) -> Response {
    let p = &w.page;
    let (name, role, area) = (w.get("name"), w.get("role"), w.get("area"));
    match service::create_user(&st, &p.session, name, role, area, w.get("password")).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => {
            let list = st.dir.users().await.unwrap_or_default();
            match users_ctx(&st, p, &list, Some(e.message)).await {
                Ok(ctx) => p.render_as(e.status, "accounts/users.html", ctx),
                Err(r) => r,
            }
        }
    }
}

async fn password_page(p: Page) -> Response {
    let ctx = context! { error => JValue::from(()), done => false };
    p.render("accounts/password.html", ctx)
}

async fn password_post(State(st): St, ClientAddr(addr): ClientAddr, w: FormWrite) -> Response {
    let p = &w.page;
    let (old, new) = (w.get("old_password"), w.get("new_password"));
    match service::change_password(&st, &p.session, old, new, &addr).await {
        Ok(()) => p.render(
            "accounts/password.html",
            context! { error => JValue::from(()), done => true },
        ),
        Err(e) => p.render_as(
            e.status,
            "accounts/password.html",
            context! { error => e.message, done => false },
        ),
    }
}
