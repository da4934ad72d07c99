//! Errors: of the store, and of one row of an imported file.

use serde::Serialize;

/// A precise error in one row of an input file (or one household of a JSON file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The 1-based row in the file (the header is row 1); for JSON, the 1-based household index.
    pub row: usize,
    /// The column (header as written in the file) or field.
    pub column: String,
    pub value: String,
    /// Stable code: `id_checksum`, `duplicate_person`, `unknown_code`, `area_code`, `money_negative`, ...
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The household the row belongs to, when known.
    pub household: Option<String>,
}

impl RowError {
    pub fn new(row: usize, column: &str, value: &str, code: &str, zh: &str, en: &str) -> RowError {
        RowError {
            row,
            column: column.to_string(),
            value: value.to_string(),
            code: code.to_string(),
            zh: zh.to_string(),
            en: en.to_string(),
            household: None,
        }
    }

    pub fn in_household(mut self, number: &str) -> RowError {
        if !number.is_empty() {
            self.household = Some(number.to_string());
        }
        self
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "第{}行 row {}, {} = {:?}: [{}] {} / {}",
            self.row, self.row, self.column, self.value, self.code, self.zh, self.en
        )
    }
}

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
