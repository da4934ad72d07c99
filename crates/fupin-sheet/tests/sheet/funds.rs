//! The funds' tables as files (issue 14): each table's rows written as XLSX read back as the same
//! cells, by its sheet's name; a date cell reads as its ISO date; a missing column refuses the file.

use fupin_sheet::funds::{cells_of, read_table, write_table, TABLES};

/// A row of text for a table: each column a value its kind allows.
fn row_of(t: fupin_sheet::funds::Table) -> Vec<String> {
    use fupin_core::funds::table::{kind, Kind};
    t.columns()
        .iter()
        .map(|(_, k)| match kind(k) {
            Kind::Money => "1234.50".to_string(),
            Kind::Int => "2017".to_string(),
            Kind::Date => "2017-03-01".to_string(),
            Kind::Text => format!("{k} 值"),
        })
        .collect()
}

#[test]
fn every_funds_table_round_trips_through_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    for t in TABLES {
        let path = dir.path().join(format!("{}.xlsx", t.code()));
        let row = row_of(*t);
        write_table(&path, *t, cells_of(*t, vec![row.clone(), row.clone()])).unwrap();
        let back = read_table(&path, *t).unwrap();
        assert_eq!(back.len(), 2, "{}", t.code());
        assert_eq!(back[1].row, 3);
        for ((_, k), v) in t.columns().iter().zip(&row) {
            // Money is written as a number and reads back without its trailing zero.
            let want = if v == "1234.50" { "1234.5" } else { v.as_str() };
            assert_eq!(back[0].cells[k], want, "{} {k}", t.code());
        }
        // The template reads back as no rows.
        write_table(&path, *t, vec![]).unwrap();
        assert!(read_table(&path, *t).unwrap().is_empty());
    }
}

#[test]
fn a_date_cell_reads_as_its_iso_date_and_a_missing_column_is_refused() {
    use fupin_sheet::funds::Table;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["拨付编号", "县区划代码", "项目编号", "金额(元)", "拨付日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "D1").unwrap();
    ws.write_string(1, 1, "140525").unwrap();
    ws.write_string(1, 2, "P1").unwrap();
    ws.write_number(1, 3, 100.25).unwrap();
    let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 3, 1).unwrap();
    ws.write_datetime_with_format(1, 4, &d, &fmt).unwrap();
    wb.save(&path).unwrap();
    let rows = read_table(&path, Table::Disbursements).unwrap();
    assert_eq!(rows[0].cells["date"], "2020-03-01");
    assert_eq!(rows[0].cells["amount"], "100.25");
    let e = read_table(&path, Table::Allocations)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown column") || e.contains("missing"), "{e}");
}
