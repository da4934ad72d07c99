//! Errors: of the store, and of one row of an imported file.

pub use fupin_core::error::RowError;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误 / database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库地址无效 / bad database URL {0:?}: use sqlite:PATH or postgres://...")]
    Url(String),
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migration(String),
    #[error("户 {0} 不存在 / household {0} not found")]
    NotFound(String),
    #[error("户 {number} 已被他人修改(版本 {found},提交的是 {expected}) / household {number} was changed by someone else (version {found}, the write carried {expected})")]
    Conflict {
        number: String,
        expected: i64,
        found: i64,
    },
    #[error("{0}")]
    Rejected(Box<RowError>),
    #[error("文件错误 / file error: {0}")]
    File(String),
    #[error("输入输出错误 / IO error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// A stable code for the error.
    pub fn code(&self) -> &str {
        match self {
            StoreError::Db(_) => "database",
            StoreError::Url(_) => "db_url",
            StoreError::Migration(_) => "migration",
            StoreError::NotFound(_) => "not_found",
            StoreError::Conflict { .. } => "conflict",
            StoreError::Rejected(e) => &e.code,
            StoreError::File(_) => "file",
            StoreError::Io(_) => "io",
        }
    }
}
