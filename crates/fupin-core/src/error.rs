//! The error of one row of an input file (or one household of a JSON file).

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
