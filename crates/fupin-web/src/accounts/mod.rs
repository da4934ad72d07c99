//! Accounts on the web: logging in and out, passwords, and the accounts an admin manages.
//! [`service`] holds the operations; [`api`] and [`pages`] are thin.

pub mod api;
pub mod pages;
pub mod service;

pub use service::checked_user;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// The logged-in user and the CSRF token its writes carry (header `X-CSRF-Token`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: String,
    /// `admin`, `county`, `township`, `village`, `cadre` or `viewer`.
    pub role: String,
    /// The area-code prefix the account covers (empty for admin).
    pub area: String,
    pub csrf_token: String,
}

impl SessionInfo {
    pub fn of(s: &crate::session::Session) -> SessionInfo {
        SessionInfo {
            user: s.user.clone(),
            role: s.scope.role.code().to_string(),
            area: s.scope.area.clone(),
            csrf_token: s.csrf.clone(),
        }
    }
}

/// A change of the user's own password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    pub name: String,
    /// `admin`, `county`, `township`, `village`, `cadre` or `viewer`.
    pub role: String,
    /// The area-code prefix the role covers (empty for admin).
    #[serde(default)]
    pub area: String,
    pub password: String,
}

/// Every account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub users: Vec<fupin_store::directory::User>,
}
