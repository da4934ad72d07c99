//! `fupin funds import|export|template`: the funds' tables as sheets (fupin-sheet's `funds` reads
//! and writes the files; fupin-store's `funds_sheet` checks each row with an error naming its
//! sheet, row and column, and writes all or nothing in one transaction, audited with the actor
//! `导入 import`).

use crate::error::{CliError, Result};
use crate::options::Global;
use fupin_sheet::funds::{cells_of, read_table, write_errors, write_table, Table};
use fupin_store::funds_sheet::{export_rows, import_rows};
use std::path::{Path, PathBuf};

fn table_of(s: &str) -> std::result::Result<Table, CliError> {
    Table::parse(s).ok_or_else(|| {
        CliError::Usage(format!(
            "--table 应为 {0} 之一 / --table must be one of {0}, not {s:?}",
            Table::codes()
        ))
    })
}

fn sheet_err(e: fupin_sheet::SheetError) -> CliError {
    CliError::Usage(e.to_string())
}

/// Imports a sheet: every row checked; with any error nothing is written and the errors go to the
/// report (exit 3).
pub fn import(file: PathBuf, table: &str, report: Option<PathBuf>, g: &Global) -> Result {
    let table = table_of(table)?;
    let rows = read_table(&file, table).map_err(sheet_err)?;
    let url = g.db_url();
    let outcome = crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        Ok::<_, CliError>(import_rows(&store, table, &rows, &|_| true, "导入 import").await?)
    })?;
    match outcome {
        Ok(c) => {
            outln!("导入 / imported: {} 行 rows", c.rows);
            Ok(())
        }
        Err(errors) => {
            let report = report.unwrap_or_else(|| default_report(&file));
            write_errors(&report, table, &errors).map_err(sheet_err)?;
            for e in errors.iter().take(20) {
                eprintln!(
                    "{} 第 {} 行 row {}, {}: {} / {} ({})",
                    table.sheet_name(),
                    e.row,
                    e.row,
                    e.column,
                    e.zh,
                    e.en,
                    e.code
                );
            }
            Err(CliError::Rejected(format!(
                "{} 处错误,未写入;错误报告 / {} errors, nothing written; error report: {}",
                errors.len(),
                errors.len(),
                report.display()
            )))
        }
    }
}

fn default_report(input: &Path) -> PathBuf {
    let mut p = input.as_os_str().to_owned();
    p.push(".errors.csv");
    PathBuf::from(p)
}

/// Exports a county's table in the import's layout.
pub fn export(table: &str, area: &str, out: &Path, g: &Global) -> Result {
    let table = table_of(table)?;
    let url = g.db_url();
    let rows = crate::options::runtime()?.block_on(async {
        let store = fupin_store::SqlStore::open(&url).await?;
        let county = &area[..area.len().min(6)];
        Ok::<_, CliError>(export_rows(&store, table, county).await?)
    })?;
    let n = rows.len();
    write_table(out, table, cells_of(table, rows)).map_err(sheet_err)?;
    outln!("导出 / exported: {n} 行 rows to {}", out.display());
    Ok(())
}

/// Writes the import template of a table.
pub fn template(table: &str, out: &Path) -> Result {
    write_table(out, table_of(table)?, vec![]).map_err(sheet_err)?;
    outln!("模板 / template: {}", out.display());
    Ok(())
}
