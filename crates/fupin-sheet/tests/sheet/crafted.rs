//! Files made to hurt: cells a spreadsheet would run as formulas, crafted XLSX and CSV files, bad
//! values (issue 15: formula injection, crafted files, bad values).

use crate::county::*;
use fupin_sheet::{csv_cell, read_file, write_error_report, ExportWriter, RowError};

#[test]
fn csv_cells_that_look_like_formulas_are_written_as_text() {
    assert_eq!(
        csv_cell("=HYPERLINK(\"http://x\",\"y\")"),
        "'=HYPERLINK(\"http://x\",\"y\")"
    );
    assert_eq!(csv_cell("+1+1"), "'+1+1");
    assert_eq!(csv_cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
    assert_eq!(csv_cell("-2+3"), "'-2+3");
    assert_eq!(csv_cell("\tcmd"), "'\tcmd");
    assert_eq!(csv_cell("\r=1"), "'\r=1");
    // Real numbers stay numeric; ordinary text stays as it is.
    for plain in ["-12.50", "+3", "1200.00", "0", "张三", "H00001", "a=b", ""] {
        assert_eq!(csv_cell(plain), plain);
    }
}

#[test]
fn an_export_and_an_error_report_carry_formulas_as_text_and_import_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = county(2);
    set(
        &mut rows,
        1,
        "village_group",
        "=HYPERLINK(\"http://evil\",\"组\")",
    );
    set(&mut rows, 1, "phone", "+86 139 0000 0001");
    set(&mut rows, 2, "bank_account", "@SUM(1+1)*cmd|' /C calc'!A0");
    let src = dir.path().join("in.csv");
    write_csv(&src, &rows, true);
    let read = read_file(&src, d("2020-01-01")).unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);

    let out = dir.path().join("export.csv");
    let mut w = ExportWriter::create(&out).unwrap();
    for h in &read.households {
        w.write(&h.record).unwrap();
    }
    w.finish().unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let cells: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.contains(&"'=HYPERLINK(\"http://evil\",\"组\")".to_string()));
    assert!(cells.contains(&"'+86 139 0000 0001".to_string()));
    assert!(cells.contains(&"'@SUM(1+1)*cmd|' /C calc'!A0".to_string()));
    // No cell of the file starts with a formula character.
    assert!(
        cells.iter().all(|c| !c.starts_with(['=', '+', '@'])),
        "{cells:?}"
    );
    // Read back, the values are the ones exported.
    let back = read_file(&out, d("2020-01-01")).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    let records = |r: &fupin_sheet::ReadOutcome| -> Vec<_> {
        r.households.iter().map(|h| h.record.clone()).collect()
    };
    assert_eq!(records(&back), records(&read));
    assert_eq!(
        back.households[0].record.village_group.as_deref(),
        Some("=HYPERLINK(\"http://evil\",\"组\")")
    );

    // The error report: the value a user typed is shown, never run.
    let report = dir.path().join("errors.csv");
    let e = RowError::new(
        3,
        "工资性收入",
        "=1+1",
        "money_format",
        "金额应为数字",
        "money",
    );
    write_error_report(&report, &[e]).unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains(",'=1+1,"), "{text}");
    assert!(!text.contains(",=1+1,"), "{text}");
}
