//! fupin-sheet: the registry's files. The member sheet of the national system as CSV (UTF-8 or
//! GB18030) or XLSX, one row per member with the household's fields repeated on each row; the JSON
//! of `fupin assess`; the export (streaming), the template, the error report, and the XLSX tables
//! the web offers for download. Pure file formats over fupin-core: no database. Every household is
//! checked by fupin-core's one validator ([`fupin_core::validate`]); its typed errors become
//! [`RowError`]s placed by row and by the column as the file's header writes it.

#![forbid(unsafe_code)]

pub mod assistance;
pub mod columns;
pub mod funds;
pub mod monitoring;
pub mod read;
pub mod report;
pub mod responsibility;
pub mod stream;
pub mod template;
pub mod write;

pub use columns::{header, Column, Format, COLUMNS};
pub use fupin_core::error::RowError;
pub use read::{
    read_csv, read_file, read_json, read_rows, read_xlsx_from, FileErrors, ReadOutcome,
};
pub use report::write_error_report;
pub use stream::{stream_file, Part, ReadCounters, SheetStream};
pub use template::{code_list_rows, write_template};
pub use write::{csv_cell, household_rows, Cell, ExportWriter, SheetWriter, XlsxTable};

/// An error of a file: unreadable, of an unsupported type, or not written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("文件错误 / file error: {0}")]
    File(String),
    #[error("输入输出错误 / IO error: {0}")]
    Io(#[from] std::io::Error),
}
