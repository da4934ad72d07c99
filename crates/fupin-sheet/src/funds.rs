//! The funds report as an XLSX workbook (issue 14): one sheet per table (sources, allocations,
//! checks, loans, projects, dividends), each with a bold frozen header, text as strings and numbers
//! as numbers (never formulas), columns fitted.

use crate::write::Cell;
use crate::SheetError;
use std::path::Path;

/// A sheet of the report: its name (at most 31 characters) and rows, the first the header.
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::File(format!("XLSX: {e}"))
}

fn width(c: &Cell) -> usize {
    c.text()
        .chars()
        .map(|ch| if (ch as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// Writes the sheets to `path` (.xlsx).
pub fn write_report(path: &Path, sheets: &[Sheet]) -> Result<(), SheetError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2020, 1, 1).map_err(xlsx_err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed));
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let int = Format::new().set_num_format("0");
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name).map_err(xlsx_err)?;
        let cols = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::Text(s) if r == 0 => ws.write_string_with_format(r, c, s, &bold),
                    Cell::Text(s) => ws.write_string(r, c, s),
                    Cell::Int(n) => ws.write_number_with_format(r, c, *n as f64, &int),
                    Cell::Money(d) => {
                        let v: f64 = fupin_core::money::fmt2(*d).parse().unwrap_or_default();
                        ws.write_number_with_format(r, c, v, &money)
                    }
                    Cell::Empty => continue,
                }
                .map_err(xlsx_err)?;
            }
        }
        for c in 0..cols {
            let w = sheet
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(width)
                .max()
                .unwrap_or(8)
                .clamp(8, 60);
            ws.set_column_width(c as u16, w as f64 + 2.0)
                .map_err(xlsx_err)?;
        }
        if !sheet.rows.is_empty() {
            ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        }
    }
    wb.save(path).map_err(xlsx_err)
}

pub use fupin_core::funds::table::{Kind, Row, Table, TABLES};

/// A table's rows as text (in its columns' order) as cells: money and whole numbers as numbers,
/// an empty cell as empty.
pub fn cells_of(table: Table, rows: Vec<Vec<String>>) -> Vec<Vec<Cell>> {
    use fupin_core::funds::table::kind;
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .zip(table.columns())
                .map(|(v, (_, key))| match kind(key) {
                    _ if v.is_empty() => Cell::Empty,
                    Kind::Money => fupin_core::money::parse_money(&v)
                        .map(Cell::Money)
                        .unwrap_or(Cell::Text(v)),
                    Kind::Int => v.parse().map(Cell::Int).unwrap_or(Cell::Text(v)),
                    Kind::Text | Kind::Date => Cell::Text(v),
                })
                .collect()
        })
        .collect()
}

fn code_rows(table: Table) -> Vec<Vec<Cell>> {
    use fupin_core::funds::table::{ASSET_KINDS, PROJECT_STATUSES, SOURCE_LEVELS};
    let mut r = vec![vec![
        Cell::from("列 column"),
        Cell::from("代码 code"),
        Cell::from("含义 meaning"),
    ]];
    let mut push = |col: &str, code: &str, meaning: String| {
        r.push(vec![Cell::from(col), Cell::from(code), Cell::Text(meaning)]);
    };
    let categories = |push: &mut dyn FnMut(&str, &str, String), col: &str| {
        for c in fupin_core::funds::CATEGORIES {
            let (zh, en) = fupin_core::funds::category_label(c).unwrap_or(("", ""));
            push(col, c, format!("{zh} {en}"));
        }
    };
    let triples =
        |push: &mut dyn FnMut(&str, &str, String), col: &str, list: &[(&str, &str, &str)]| {
            for (c, zh, en) in list {
                push(col, c, format!("{zh} {en}"));
            }
        };
    let yes_no = |push: &mut dyn FnMut(&str, &str, String), col: &str| {
        push(col, "是 / 否", "yes / no".into());
    };
    match table {
        Table::Projects => {
            categories(&mut push, "kind");
            triples(&mut push, "status", PROJECT_STATUSES);
        }
        Table::Loans => yes_no(&mut push, "guarantee, collateral"),
        Table::Sources => triples(&mut push, "level", SOURCE_LEVELS),
        Table::Allocations => categories(&mut push, "category"),
        Table::Assets => {
            triples(&mut push, "kind", ASSET_KINDS);
            push(
                "split",
                "equal",
                "平均分配(不计权重)equal shares (weights ignored)".into(),
            );
            push(
                "split",
                "weights",
                "按权重分配 by weight (default 1)".into(),
            );
            push(
                "household",
                "",
                "每个受益户一行,资产各列相同 / one row per household, the asset's columns the same"
                    .into(),
            );
        }
        Table::Cooperatives => yes_no(&mut push, "supported"),
        Table::Years | Table::Disbursements | Table::Repayments | Table::Subsidies => {}
        Table::AssetIncome => push(
            "income",
            "",
            "分红由系统按受益户计算到分 / dividends are computed to the fen".into(),
        ),
    }
    push(
        "date",
        "YYYY-MM-DD",
        "日期或 Excel 日期 / ISO or Excel dates".into(),
    );
    push(
        "amount",
        "0.00",
        "元,至多两位小数 / yuan, two places".into(),
    );
    r
}

/// Writes a table's rows (the header first, Chinese with the English key) to an XLSX file; with no
/// rows, the template: the header and, on a second sheet, the codes its columns take.
pub fn write_table(path: &Path, table: Table, rows: Vec<Vec<Cell>>) -> Result<(), SheetError> {
    let header: Vec<Cell> = table
        .columns()
        .iter()
        .map(|(zh, en)| Cell::Text(format!("{zh} {en}")))
        .collect();
    let mut all = vec![header];
    let template = rows.is_empty();
    all.extend(rows);
    let mut sheets = vec![Sheet {
        name: table.sheet_name().into(),
        rows: all,
    }];
    if template {
        sheets.push(Sheet {
            name: "代码 codes".into(),
            rows: code_rows(table),
        });
    }
    write_report(path, &sheets)
}

/// The error report of a funds import: one row per bad cell with its row, column, value, code,
/// message and sheet (CSV or XLSX by the file's extension).
pub fn write_errors(
    path: &Path,
    table: Table,
    errors: &[fupin_core::error::RowError],
) -> Result<(), SheetError> {
    crate::report::write_errors_with(path, errors, "工作表 sheet", |_| {
        table.sheet_name().to_string()
    })
}

/// Reads a funds sheet (CSV in UTF-8 or XLSX: the sheet named as the table's, else the first): the header by Chinese or English
/// name (or both, as the template writes them), then the rows with any cell. An unknown or missing
/// column is an error naming it.
pub fn read_table(path: &Path, table: Table) -> Result<Vec<Row>, SheetError> {
    use fupin_core::input::limits;
    let meta = std::fs::metadata(path)?;
    let rows: Vec<Vec<String>> = match crate::Format::of(path)? {
        crate::Format::Csv => {
            if meta.len() > limits::MAX_CSV_BYTES {
                return Err(SheetError::File(format!(
                    "{}: 文件过大 / too large",
                    path.display()
                )));
            }
            let bytes = std::fs::read(path)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                SheetError::File(format!("{}: 应为 UTF-8 / must be UTF-8", path.display()))
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut out = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?;
                out.push(
                    rec.iter()
                        .map(|c| crate::write::csv_uncell(c).to_string())
                        .collect(),
                );
            }
            out
        }
        crate::Format::Xlsx => {
            use calamine::Reader;
            if meta.len() > limits::MAX_XLSX_BYTES {
                return Err(SheetError::File(format!(
                    "{}: 文件过大 / too large",
                    path.display()
                )));
            }
            let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
            crate::read::check_zip(path, &mut file)?;
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))?;
            let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(file)
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?;
            let names = wb.sheet_names();
            let by_name = names.iter().find(|n| n.as_str() == table.sheet_name());
            let name = by_name.or(names.first()).cloned().ok_or_else(|| {
                SheetError::File(format!("{}: 没有工作表 / no worksheet", path.display()))
            })?;
            let mut reader = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?;
            let mut out: Vec<Vec<String>> = Vec::new();
            let mut n = 0u64;
            while let Some(c) = reader
                .next_cell()
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?
            {
                let (r, col) = c.get_position();
                let v = calamine::Data::from(c.get_value().clone());
                n += 1;
                if col as usize >= limits::MAX_COLUMNS
                    || n > limits::MAX_XLSX_CELLS
                    || r as u64 > limits::MAX_ROWS
                {
                    return Err(SheetError::File(format!(
                        "{}: 表格范围过大 / the sheet is too large",
                        path.display()
                    )));
                }
                let (r, col) = (r as usize, col as usize);
                if out.len() <= r {
                    out.resize(r + 1, Vec::new());
                }
                let row = &mut out[r];
                if row.len() <= col {
                    row.resize(col + 1, String::new());
                }
                row[col] = match &v {
                    // A date cell reads as its ISO date (a time of day, if any, is dropped).
                    calamine::Data::DateTime(d) if d.is_datetime() => {
                        let serial = (d.as_f64().floor() as i64).to_string();
                        fupin_core::funds::table::date_of(&serial)
                            .map(|t| t.format("%Y-%m-%d").to_string())
                            .unwrap_or(serial)
                    }
                    _ => crate::read::cell_text(&v),
                };
            }
            out
        }
        crate::Format::Json => {
            return Err(SheetError::File(
                "应为 .csv 或 .xlsx / expected .csv or .xlsx".into(),
            ))
        }
    };
    let Some(header) = rows.first() else {
        return Err(SheetError::File(format!(
            "{}: 文件为空 / the file is empty",
            path.display()
        )));
    };
    let mut keys: Vec<Option<&'static str>> = Vec::new();
    for h in header {
        let h = h.trim();
        let key = table
            .columns()
            .iter()
            .find(|(zh, en)| h == *zh || h == *en || h == format!("{zh} {en}"));
        match key {
            Some((_, en)) => keys.push(Some(*en)),
            None if h.is_empty() => keys.push(None),
            None => {
                return Err(SheetError::File(format!(
                    "{}: 未知的列 {h:?} / unknown column {h:?}",
                    path.display()
                )))
            }
        }
    }
    for (zh, en) in table.columns() {
        if !keys.contains(&Some(*en)) {
            return Err(SheetError::File(format!(
                "{}: 缺少列 {zh} / the column {en} is missing",
                path.display()
            )));
        }
    }
    Ok(rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| Row {
            row: i + 1,
            cells: keys
                .iter()
                .zip(r.iter().chain(std::iter::repeat(&String::new())))
                .filter_map(|(k, v)| k.map(|k| (k, v.trim().to_string())))
                .collect(),
        })
        .collect())
}
