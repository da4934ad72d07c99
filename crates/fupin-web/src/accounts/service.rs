//! Logging in (throttled), changing a password (throttled; ends the other sessions), and creating
//! accounts (admin only).

use crate::authz::{self, Action};
use crate::error::ApiError;
use crate::session::Session;
use crate::state::scope_of;
use crate::AppState;
use axum::http::StatusCode;
use fupin_core::access::{Role, Scope};
use fupin_store::directory::User;
use std::time::Instant;

/// The answer to a refused or wrong attempt.
fn throttled(wait: std::time::Duration) -> ApiError {
    let seconds = wait.as_secs().max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        format!("尝试次数过多,请 {seconds} 秒后再试 / too many failed attempts, try again in {seconds} seconds"),
    )
}

/// Checks a user name and password from `address`; on success starts a session. The attempt is
/// counted by the throttle before the password is checked; an unknown or disabled name is checked
/// against a dummy hash (the same work as a known one); argon2 runs off the async workers. Logged
/// (name and address, never the password).
pub async fn login(
    st: &AppState,
    username: &str,
    password: &str,
    address: &str,
) -> Result<Session, ApiError> {
    let name = username.trim();
    let attempt = match st.throttle.begin(name, address, Instant::now()) {
        Ok(a) => a,
        Err(wait) => {
            tracing::warn!(target: "fupin::login", user = name, address, outcome = "throttled", "login throttled");
            return Err(throttled(wait));
        }
    };
    if !attempt.delay.is_zero() {
        tokio::time::sleep(attempt.delay).await;
    }
    let user = st.dir.user(name).await?.filter(|u| !u.disabled);
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    let ok = st.hasher.verify(password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        tracing::warn!(target: "fupin::login", user = name, address, outcome = "bad_login", "login failed");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_login",
            "用户名或密码错误 / wrong user name or password",
        ));
    };
    st.throttle.succeeded(&attempt);
    let scope = scope_of(&user).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "bad_account",
            "账号区划无效 / the account's area is invalid",
        )
    })?;
    tracing::info!(target: "fupin::login", user = name, address, outcome = "ok", "login");
    st.start_session(&user.name, scope).await
}

/// Changes the session user's password after checking the old one (throttled like a login of the
/// name from `address`), and ends the user's other sessions.
pub async fn change_password(
    st: &AppState,
    s: &Session,
    old: &str,
    new: &str,
    address: &str,
) -> Result<(), ApiError> {
    let attempt = st
        .throttle
        .begin(&s.user, address, Instant::now())
        .map_err(|wait| {
            tracing::warn!(target: "fupin::login", user = s.user, address, "password change throttled");
            throttled(wait)
        })?;
    if !attempt.delay.is_zero() {
        tokio::time::sleep(attempt.delay).await;
    }
    let user = st
        .dir
        .user(&s.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if !st.hasher.verify(old, Some(&user.password_hash)).await {
        tracing::warn!(target: "fupin::login", user = s.user, address, "password change: wrong current password");
        return Err(ApiError::bad_request(
            "bad_password",
            "原密码错误 / the current password is wrong",
        ));
    }
    st.throttle.succeeded(&attempt);
    crate::auth::check_new_password(new).map_err(|m| ApiError::bad_request("weak_password", m))?;
    let hash = st.hasher.hash(new).await;
    st.dir.set_password(&s.user, &hash, &s.user).await?;
    let keep = crate::auth::token_hash(&s.token);
    let ended = st.dir.end_sessions_of(&s.user, Some(&keep)).await?;
    tracing::info!(target: "fupin::login", user = s.user, address, ended, "password changed");
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
