//! The error report of an import: one row per error.

use crate::write::{Cell, SheetWriter};
use crate::SheetError;
use fupin_core::error::RowError;
use std::path::Path;

/// Writes the error report (row, column, value, code, message in Chinese and English).
pub fn write_error_report(path: &Path, errors: &[RowError]) -> Result<(), SheetError> {
    write_errors_with(path, errors, "户编号 household", |e| {
        e.household.clone().unwrap_or_default()
    })
}

/// The error report with its last column named `last` and filled by `cell` (the household, the
/// sheet).
pub(crate) fn write_errors_with(
    path: &Path,
    errors: &[RowError],
    last: &str,
    cell: impl Fn(&RowError) -> String,
) -> Result<(), SheetError> {
    let mut w = SheetWriter::create(path, "错误 errors")?;
    w.write_header(&[
        "行 row",
        "列 column",
        "值 value",
        "代码 code",
        "说明",
        "message",
        last,
    ])?;
    for e in errors {
        w.write_cells(&[
            Cell::Int(e.row as i64),
            Cell::from(e.column.clone()),
            Cell::from(e.value.clone()),
            Cell::from(e.code.clone()),
            Cell::from(e.zh.clone()),
            Cell::from(e.en.clone()),
            Cell::from(cell(e)),
        ])?;
    }
    w.finish()
}
