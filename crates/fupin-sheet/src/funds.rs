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

/// The tables of the funds that travel as sheets: the project library and the small loans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Projects,
    Loans,
}

/// The columns of the project sheet: (Chinese header, English key).
pub const PROJECT_COLUMNS: &[(&str, &str)] = &[
    ("项目编号", "id"),
    ("年度", "year"),
    ("项目名称", "name"),
    ("项目类别", "kind"),
    ("村区划代码", "village"),
    ("预算(元)", "budget"),
    ("开工日期", "start"),
    ("完工日期", "end"),
    ("进度(%)", "progress_pct"),
    ("状态", "status"),
    ("受益户数", "households"),
    ("受益人数", "people"),
    ("带贫机制", "benefit"),
];

/// The columns of the loan sheet: (Chinese header, English key).
pub const LOAN_COLUMNS: &[(&str, &str)] = &[
    ("贷款编号", "id"),
    ("户编号", "household"),
    ("村区划代码", "village"),
    ("金额(元)", "amount"),
    ("期限(月)", "term_months"),
    ("担保", "guarantee"),
    ("抵押", "collateral"),
    ("发放日期", "start"),
    ("放贷银行", "bank"),
];

impl Table {
    pub fn parse(s: &str) -> Option<Table> {
        match s {
            "projects" => Some(Table::Projects),
            "loans" => Some(Table::Loans),
            _ => None,
        }
    }
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Table::Projects => PROJECT_COLUMNS,
            Table::Loans => LOAN_COLUMNS,
        }
    }
    pub fn sheet_name(self) -> &'static str {
        match self {
            Table::Projects => "项目库 projects",
            Table::Loans => "小额信贷 loans",
        }
    }
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
        let codes: Vec<Vec<Cell>> = match table {
            Table::Projects => {
                let mut r = vec![vec![
                    Cell::from("列 column"),
                    Cell::from("代码 code"),
                    Cell::from("含义 meaning"),
                ]];
                for c in fupin_core::funds::CATEGORIES {
                    let (zh, en) = fupin_core::funds::category_label(c).unwrap_or(("", ""));
                    r.push(vec![
                        Cell::from("kind"),
                        Cell::from(*c),
                        Cell::Text(format!("{zh} {en}")),
                    ]);
                }
                for (c, zh) in [
                    ("planned", "计划"),
                    ("underway", "在建"),
                    ("done", "完工"),
                    ("cancelled", "取消"),
                ] {
                    r.push(vec![Cell::from("status"), Cell::from(c), Cell::from(zh)]);
                }
                r
            }
            Table::Loans => vec![
                vec![
                    Cell::from("列 column"),
                    Cell::from("代码 code"),
                    Cell::from("含义 meaning"),
                ],
                vec![
                    Cell::from("guarantee, collateral"),
                    Cell::from("是 / 否"),
                    Cell::from("yes / no"),
                ],
            ],
        };
        sheets.push(Sheet {
            name: "代码 codes".into(),
            rows: codes,
        });
    }
    write_report(path, &sheets)
}

/// A row of a funds sheet: its number as the spreadsheet shows it and its cells by English key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub row: usize,
    pub cells: std::collections::HashMap<&'static str, String>,
}

/// Reads a funds sheet (CSV in UTF-8 or XLSX, the first sheet): the header by Chinese or English
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
            let name = wb.sheet_names().first().cloned().ok_or_else(|| {
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
                row[col] = crate::read::cell_text(&v);
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
