//! A department's data file (部门筛查预警, DOMAIN.md §13): CSV (UTF-8 or GB18030) or XLSX with the
//! headers `证件号码,姓名,事项,金额,日期,部门` (or `id_number,name,item,amount,date,department`), one
//! person and item per row. Each row is checked by [`fupin_core::monitoring::department_row`]; a bad
//! row is a [`RowError`] at its row and column and is never compared.

use crate::read::{cell_text, check_zip};
use crate::write::{csv_uncell, SheetWriter};
use crate::{Format, RowError, SheetError};
use fupin_core::input::limits;
use fupin_core::monitoring::{department_row, Column, DepartmentRow};
use std::path::Path;

/// A department file, read: its data rows checked, and the errors of the bad ones.
#[derive(Debug, Default)]
pub struct DepartmentFile {
    /// Data rows (blank rows not counted).
    pub rows: usize,
    pub checked: Vec<DepartmentRow>,
    pub errors: Vec<RowError>,
}

fn file_error(name: &str, message: impl std::fmt::Display) -> SheetError {
    SheetError::File(format!("{name}: {message}"))
}

/// Reads a department file from disk (`.csv` or `.xlsx`).
pub fn read_department(path: &Path) -> Result<DepartmentFile, SheetError> {
    let name = path.display().to_string();
    let format = Format::of(path)?;
    let max = match format {
        Format::Xlsx => limits::MAX_XLSX_BYTES,
        _ => limits::MAX_CSV_BYTES,
    };
    let size = std::fs::metadata(path)?.len();
    if size > max {
        return Err(file_error(
            &name,
            format!("文件过大:{size} 字节,上限 {max} 字节 / the file is too large: {size} bytes, the limit is {max}"),
        ));
    }
    read_department_bytes(&name, format, &std::fs::read(path)?)
}

/// Reads a department file's bytes (an upload); `name` names it in errors.
pub fn read_department_bytes(
    name: &str,
    format: Format,
    bytes: &[u8],
) -> Result<DepartmentFile, SheetError> {
    let rows = match format {
        Format::Csv => csv_rows(name, bytes)?,
        Format::Xlsx => xlsx_rows(name, bytes)?,
        Format::Json => {
            return Err(file_error(
                name,
                "部门数据应为 CSV 或 XLSX / a department file is CSV or XLSX",
            ))
        }
    };
    check_rows(name, rows)
}

/// The cells of a CSV file, UTF-8 or GB18030 (as Excel in Chinese saves it).
fn csv_rows(name: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) || bytes.contains(&0) {
        return Err(file_error(
            name,
            "文件编码应为 UTF-8 或 GB18030(不是 UTF-16)/ the file is not UTF-8 or GB18030 text (UTF-16? save it as CSV UTF-8)",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(file_error(
                    name,
                    "文件编码应为 UTF-8 或 GB18030 / the file is neither UTF-8 nor GB18030",
                ));
            }
            t.into_owned()
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let (mut line, mut seen) = (1usize, 0usize);
    for r in rdr.records() {
        let r = r.map_err(|e| file_error(name, e))?;
        if rows.len() as u64 >= limits::MAX_ROWS || r.len() > limits::MAX_COLUMNS {
            return Err(file_error(
                name,
                "表格过大(行或列超过上限)/ the file is too large (rows or columns beyond the limit)",
            ));
        }
        // The line the record starts on, counted from its byte offset: the reader skips blank
        // lines without counting them.
        let mut at = r
            .position()
            .map_or(seen, |p| p.byte() as usize)
            .min(text.len());
        while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        line += text.as_bytes()[seen.min(at)..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        seen = at;
        rows.push((line, r.iter().map(|c| csv_uncell(c).to_string()).collect()));
    }
    Ok(rows)
}

/// The cells of the first sheet of an XLSX workbook, read cell by cell.
fn xlsx_rows(name: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    use calamine::Reader;
    let path = Path::new(name);
    let mut cursor = std::io::Cursor::new(bytes);
    check_zip(path, &mut cursor)?;
    cursor.set_position(0);
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(cursor).map_err(|e| file_error(name, e))?;
    let Some(sheet) = wb.sheet_names().first().cloned() else {
        return Err(file_error(name, "没有工作表 / no worksheet"));
    };
    let mut reader = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| file_error(name, e))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cells = 0u64;
    loop {
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.next_cell().map(|c| {
                c.map(|c| {
                    (
                        c.get_position(),
                        calamine::Data::from(c.get_value().clone()),
                    )
                })
            })
        }))
        .map_err(|_| file_error(name, "单元格引用无效 / an invalid cell reference"))?
        .map_err(|e| file_error(name, e))?;
        let Some(((r, c), value)) = next else { break };
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        cells += 1;
        if c as usize >= limits::MAX_COLUMNS
            || r as u64 >= limits::MAX_ROWS
            || cells > limits::MAX_XLSX_CELLS
        {
            return Err(file_error(name, "表格范围过大 / the sheet is too large"));
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = cell_text(&value);
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, r))
        .collect())
}

/// The header row, then every row checked.
fn check_rows(name: &str, rows: Vec<(usize, Vec<String>)>) -> Result<DepartmentFile, SheetError> {
    let mut rows = rows.into_iter();
    let header = rows.next().map(|(_, h)| h).unwrap_or_default();
    let mut index: Vec<Option<usize>> = vec![None; Column::ALL.len()];
    for (i, h) in header.iter().enumerate() {
        if let Some(c) = Column::from_header(h) {
            let at = Column::ALL.iter().position(|x| *x == c).expect("listed");
            index[at].get_or_insert(i);
        }
    }
    let missing: Vec<&str> = Column::ALL
        .iter()
        .zip(&index)
        .filter(|(c, i)| c.required() && i.is_none())
        .map(|(c, _)| c.zh())
        .collect();
    if !missing.is_empty() {
        return Err(file_error(
            name,
            format!(
                "缺少列 {} ;表头应为 证件号码,姓名,事项,金额,日期,部门 / missing column {}; the header is id_number,name,item,amount,date,department",
                missing.join("、"),
                missing.join(", ")
            ),
        ));
    }
    let mut out = DepartmentFile::default();
    for (row, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let cell = |c: Column| {
            let at = Column::ALL.iter().position(|x| *x == c).expect("listed");
            index[at].map(|i| {
                (
                    header[i].trim().trim_start_matches('\u{feff}'),
                    cells.get(i).map_or("", String::as_str),
                )
            })
        };
        match department_row(row, cell) {
            Ok(r) => out.checked.push(r),
            Err(e) => out.errors.extend(e),
        }
    }
    Ok(out)
}

/// Writes a department file (CSV with a byte-order mark, or XLSX) with the Chinese headers; each
/// row `[证件号码, 姓名, 事项, 金额, 日期, 部门]`.
pub fn write_department(path: &Path, rows: &[[String; 6]]) -> Result<(), SheetError> {
    let mut w = SheetWriter::create(path, "部门数据 department")?;
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.zh()).collect();
    w.write_header(&header)?;
    for r in rows {
        w.write_row(r)?;
    }
    w.finish()
}
