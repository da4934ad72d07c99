//! Accounts of the web application: add, read, list, change a password. Every write is audited.

use crate::audit::{self, Entry};
use crate::error::{RowError, StoreError};
use crate::repo::BoxFut;
use crate::sql::Db;
use crate::store::SqlStore;
use chrono::Utc;
use fupin_core::access::Role;
use fupin_core::area::county_of;
use serde::Serialize;

/// A user account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Account))]
pub struct User {
    pub name: String,
    /// `admin`, `county`, `township`, `village`, `cadre` or `viewer`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Role,
    /// The area-code prefix the account covers (empty for admin).
    pub area: String,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
}

/// The accounts.
pub trait Accounts: Send + Sync {
    /// Adds an account; refused (`user_exists`) when the name is taken.
    fn add_user<'a>(&'a self, user: &'a User, actor: &'a str) -> BoxFut<'a, ()>;
    fn user<'a>(&'a self, name: &'a str) -> BoxFut<'a, Option<User>>;
    /// Every account, by area and name.
    fn users(&self) -> BoxFut<'_, Vec<User>>;
    fn set_password<'a>(&'a self, name: &'a str, hash: &'a str, actor: &'a str) -> BoxFut<'a, ()>;
}

impl Accounts for SqlStore {
    fn add_user<'a>(&'a self, user: &'a User, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(add_user(&self.db, user, actor))
    }

    fn user<'a>(&'a self, name: &'a str) -> BoxFut<'a, Option<User>> {
        Box::pin(async move {
            let sql = format!("{SELECT} WHERE name = $1");
            let rows = self
                .db
                .query(&sql)
                .bind(name)
                .fetch_all_as(&self.db)
                .await?;
            rows.into_iter().map(user_of).next().transpose()
        })
    }

    fn users(&self) -> BoxFut<'_, Vec<User>> {
        Box::pin(async move {
            let sql = format!("{SELECT} ORDER BY area, name");
            let rows = self.db.query(&sql).fetch_all_as(&self.db).await?;
            rows.into_iter().map(user_of).collect()
        })
    }

    fn set_password<'a>(&'a self, name: &'a str, hash: &'a str, actor: &'a str) -> BoxFut<'a, ()> {
        Box::pin(set_password(&self.db, name, hash, actor))
    }
}

const SELECT: &str = "SELECT name, role, area, password_hash, disabled FROM app_user";

type UserRow = (String, String, String, String, bool);

fn user_of((name, role, area, password_hash, disabled): UserRow) -> Result<User, StoreError> {
    let role = Role::parse(&role).ok_or_else(|| {
        StoreError::File(format!(
            "数据库中的值无效 / bad stored value for role: {role:?}"
        ))
    })?;
    Ok(User {
        name,
        role,
        area,
        password_hash,
        disabled,
    })
}

async fn add_user(db: &Db, user: &User, actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let exists = tx
        .query("SELECT 1 FROM app_user WHERE name = $1")
        .bind(user.name.as_str())
        .fetch_optional(&mut tx)
        .await?
        .is_some();
    if exists {
        return Err(StoreError::Rejected(Box::new(RowError::new(
            0,
            "name",
            &user.name,
            "user_exists",
            "用户名已存在",
            "the user name exists",
        ))));
    }
    let created_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tx.query(
        "INSERT INTO app_user (name, role, area, password_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.name.as_str())
    .bind(user.role.code())
    .bind(user.area.as_str())
    .bind(user.password_hash.as_str())
    .bind(user.disabled)
    .bind(created_at)
    .execute(&mut tx)
    .await?;
    let after = serde_json::json!({"name": user.name, "role": user.role, "area": user.area});
    let entry = Entry {
        county: county_of(&user.area),
        entity: "user",
        key: &user.name,
        action: "create",
        actor,
    };
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(())
}

async fn set_password(db: &Db, name: &str, hash: &str, actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let n = tx
        .query("UPDATE app_user SET password_hash = $1 WHERE name = $2")
        .bind(hash)
        .bind(name)
        .execute(&mut tx)
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound(name.to_string()));
    }
    let entry = Entry {
        county: "",
        entity: "user",
        key: name,
        action: "password",
        actor,
    };
    let after = serde_json::json!({"password": "changed"});
    audit::record(&mut tx.conn(), entry, after).await?;
    tx.commit().await?;
    Ok(())
}
