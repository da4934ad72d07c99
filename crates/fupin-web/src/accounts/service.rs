//! Logging in (throttled), changing a password, and creating accounts (admin only).

use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::Session;
use crate::state::scope_of;
use crate::AppState;
use axum::http::StatusCode;
use fupin_core::access::{Role, Scope};
use fupin_store::directory::User;
use std::time::Instant;

/// Checks a user name and password; on success starts a session. Throttled per user name.
pub async fn login(st: &AppState, username: &str, password: &str) -> Result<Session, ApiError> {
    let key = username.trim().to_lowercase();
    if let Err(wait) = st.throttle.check(&key, Instant::now()) {
        let minutes = wait.as_secs() / 60 + 1;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("登录失败次数过多,请 {minutes} 分钟后再试 / too many failed logins, try again in {minutes} minutes"),
        ));
    }
    let user = st.dir.user(username.trim()).await?;
    let ok = user
        .as_ref()
        .filter(|u| !u.disabled && crate::auth::verify_password(password, &u.password_hash));
    let Some(user) = ok else {
        st.throttle.fail(&key, Instant::now());
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_login",
            "用户名或密码错误 / wrong user name or password",
        ));
    };
    st.throttle.succeed(&key);
    let scope = scope_of(user).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "bad_account",
            "账号区划无效 / the account's area is invalid",
        )
    })?;
    Ok(st.start_session(&user.name, scope))
}

/// Changes the session user's password after checking the old one.
pub async fn change_password(
    st: &AppState,
    s: &Session,
    old: &str,
    new: &str,
) -> Result<(), ApiError> {
    let user = st
        .dir
        .user(&s.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if !crate::auth::verify_password(old, &user.password_hash) {
        return Err(ApiError::bad_request(
            "bad_password",
            "原密码错误 / the current password is wrong",
        ));
    }
    crate::auth::check_new_password(new).map_err(|m| ApiError::bad_request("weak_password", m))?;
    st.dir
        .set_password(&s.user, &crate::auth::hash_password(new), &s.user)
        .await?;
    Ok(())
}

/// Every account (admin only).
pub async fn users(st: &AppState, s: &Session) -> Result<Vec<User>, ApiError> {
    authz::check(&s.scope, Action::ManageUsers)?;
    Ok(st.dir.users().await?)
}

/// Creates an account (admin only) after checking role, area and password.
pub async fn create_user(
    st: &AppState,
    s: &Session,
    name: &str,
    role: &str,
    area: &str,
    password: &str,
) -> Result<User, ApiError> {
    authz::check(&s.scope, Action::ManageUsers)?;
    let user = checked_user(name, role, area, password)?;
    st.dir.add_user(&user, &s.user).await?;
    Ok(user)
}

/// Validates a new account: name, role, the role's area prefix and the password.
pub fn checked_user(name: &str, role: &str, area: &str, password: &str) -> Result<User, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || name.contains(char::is_whitespace) {
        return Err(ApiError::bad_request(
            "name",
            "用户名不能为空且不含空格 / a user name is non-empty without spaces",
        ));
    }
    let r = Role::parse(role).ok_or_else(|| ApiError::bad_request("role", format!("未知角色 / unknown role {role}; known: admin, county, township, village, cadre, viewer")))?;
    let scope = Scope::new(r, Some(area).filter(|a| !a.trim().is_empty()))
        .map_err(|e| ApiError::bad_request("area", e.to_string()))?;
    crate::auth::check_new_password(password).map_err(|m| ApiError::bad_request("password", m))?;
    Ok(User {
        name: name.to_string(),
        role: r,
        area: scope.area,
        password_hash: crate::auth::hash_password(password),
        disabled: false,
    })
}
