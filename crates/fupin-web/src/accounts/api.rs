//! The accounts' JSON API: the session (log in, who am I, log out), the password, and accounts.

use super::{service, AccountList, Login, NewUser, PasswordChange, SessionInfo};
use crate::error::{ApiError, JsonBody};
use crate::session::{cleared_session_cookie, ClientAddr, Session, WriteSession};
use crate::{AppState, Routes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Json;
use fupin_store::directory::User;
use serde_json::{json, Value};
use std::sync::Arc;

type St = State<Arc<AppState>>;

pub fn register(r: Routes) -> Routes {
    r.api(
        "/api/v1/session",
        &["get", "post", "delete"],
        get(session_get).post(session_post).delete(session_delete),
    )
    .api("/api/v1/session/password", &["put"], put(password_put))
    .api("/api/v1/users", &["get", "post"], get(users).post(add_user))
}

/// 登录,设置会话 Cookie,返回 CSRF 令牌 / log in: sets the session cookie, returns the CSRF token
#[utoipa::path(post, path = "/api/v1/session", operation_id = "logIn", tag = "accounts",
    request_body = Login, security(()),
    responses((status = 200, description = "OK (Set-Cookie: fupin_session)", body = SessionInfo)))]
pub async fn session_post(
    State(st): St,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<Login>,
) -> Result<Response, ApiError> {
    let s = st.login(&body.username, &body.password, &addr).await?;
    let cookie = st.session_cookie(&s.token);
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionInfo::of(&s))).into_response())
}

/// 当前用户与 CSRF 令牌 / the current user and CSRF token
#[utoipa::path(get, path = "/api/v1/session", operation_id = "getSession", tag = "accounts",
    responses((status = 200, description = "OK", body = SessionInfo)))]
pub async fn session_get(s: Session) -> Json<SessionInfo> {
    Json(SessionInfo::of(&s))
}

/// 退出登录 / log out
#[utoipa::path(delete, path = "/api/v1/session", operation_id = "logOut", tag = "accounts",
    responses((status = 204, description = "Logged out")))]
pub async fn session_delete(State(st): St, s: WriteSession) -> Result<Response, ApiError> {
    st.logout(&s.token).await?;
    let cookie = cleared_session_cookie();
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

/// 修改密码 / change the password
#[utoipa::path(put, path = "/api/v1/session/password", operation_id = "changePassword",
    tag = "accounts", request_body = PasswordChange,
    responses((status = 204, description = "Changed")))]
pub async fn password_put(
    State(st): St,
    ClientAddr(addr): ClientAddr,
    s: WriteSession,
    JsonBody(b): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    service::change_password(&st, &s, &b.old_password, &b.new_password, &addr).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 用户(管理员)/ accounts (admin)
#[utoipa::path(get, path = "/api/v1/users", operation_id = "listUsers", tag = "accounts",
    responses((status = 200, description = "OK", body = AccountList)))]
pub async fn users(State(st): St, s: Session) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"users": service::users(&st, &s).await?})))
}

/// 新建用户(管理员)/ create an account (admin)
#[utoipa::path(post, path = "/api/v1/users", operation_id = "createUser", tag = "accounts",
    request_body = NewUser,
    responses((status = 201, description = "Created", body = User)))]
pub async fn add_user(
    State(st): St,
    s: WriteSession,
    JsonBody(b): JsonBody<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = service::create_user(&st, &s, &b.name, &b.role, &b.area, &b.password).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
