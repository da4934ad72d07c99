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
