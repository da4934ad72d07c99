//! The error report of an import: one row per error.

use crate::write::SheetWriter;
use crate::SheetError;
use fupin_core::error::RowError;
use std::path::Path;

/// Writes the error report (row, column, value, code, message in Chinese and English).
pub fn write_error_report(path: &Path, errors: &[RowError]) -> Result<(), SheetError> {
    let mut w = SheetWriter::create(path, "错误 errors")?;
    w.write_row(&[
        "行 row",
        "列 column",
        "值 value",
        "代码 code",
        "说明",
        "message",
        "户编号 household",
    ])?;
    for e in errors {
        w.write_row(&[
            e.row.to_string(),
            e.column.clone(),
            e.value.clone(),
            e.code.clone(),
            e.zh.clone(),
            e.en.clone(),
            e.household.clone().unwrap_or_default(),
        ])?;
    }
    w.finish()
}
