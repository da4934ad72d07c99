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

fn xlsx_with(path: &std::path::Path, cells: &[(u32, u16, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for &(r, c, v) in cells {
        ws.write_string(r, c, v).unwrap();
    }
    wb.save(path).unwrap();
}

/// The member sheet's header cells of row 1 (0-based row 0), as `(row, col, text)`.
fn header_cells() -> Vec<(u32, u16, &'static str)> {
    fupin_sheet::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| (0, i as u16, c.zh))
        .collect()
}

fn file_error(r: Result<fupin_sheet::ReadOutcome, fupin_sheet::SheetError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(o) => panic!("read without a file error: {:?}", o.errors),
    }
}

#[test]
fn a_cell_at_xfd1048576_is_refused_without_allocating_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    let mut cells = header_cells();
    cells.push((1_048_575, 16_383, "x"));
    xlsx_with(&path, &cells);
    assert!(std::fs::metadata(&path).unwrap().len() < 20_000);
    let e = file_error(read_file(&path, d("2020-01-01")));
    assert!(e.contains("表格范围过大: XFD1048576"), "{e}");
    assert!(e.contains("beyond column 256"), "{e}");
}

#[test]
fn a_cell_in_the_last_row_costs_nothing_and_the_rows_are_numbered_as_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last-row.xlsx");
    let mut cells = header_cells();
    // A stray household number in the sheet's last row: a member row without the required fields.
    cells.push((1_048_575, 0, "H1"));
    xlsx_with(&path, &cells);
    let read = read_file(&path, d("2020-01-01")).unwrap();
    assert!(read.households.is_empty());
    let rows: Vec<(usize, &str)> = read
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert!(rows.contains(&(1_048_576, "行政区划代码")), "{rows:?}");
}

#[test]
fn an_xlsx_file_that_is_no_zip_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake.xlsx");
    std::fs::write(&path, b"PK\x03\x04 not really a zip").unwrap();
    let e = file_error(read_file(&path, d("2020-01-01")));
    assert!(
        e.contains("不是有效的 XLSX 文件 / not a valid XLSX file"),
        "{e}"
    );
}

/// A CSV file of the member sheet's Chinese header and the rows given (cells by column key).
fn csv_of(rows: &[Row]) -> String {
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(fupin_sheet::COLUMNS.iter().map(|c| c.zh))
            .unwrap();
        for r in rows {
            w.write_record(
                fupin_sheet::COLUMNS
                    .iter()
                    .map(|c| r.get(c.key).map_or("", |v| v.as_str())),
            )
            .unwrap();
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn big5_nul_and_utf16_csv_files_name_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&county(1));
    // Big5 (traditional characters; the few simplified ones it lacks become `&#NNNN;`).
    let (big5, _, _) = encoding_rs::BIG5.encode(&text);
    let path = dir.path().join("big5.csv");
    std::fs::write(&path, &big5).unwrap();
    let e = file_error(read_file(&path, d("2020-01-01")));
    assert!(
        e.contains("neither UTF-8 nor GB18030") && !e.contains("missing"),
        "{e}"
    );

    let path = dir.path().join("nul.csv");
    std::fs::write(&path, vec![0u8; 4096]).unwrap();
    let e = file_error(read_file(&path, d("2020-01-01")));
    assert!(
        e.contains("NUL") && e.contains("not UTF-8 or GB18030"),
        "{e}"
    );

    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = dir.path().join("utf16.csv");
    std::fs::write(&path, &utf16).unwrap();
    let e = file_error(read_file(&path, d("2020-01-01")));
    assert!(e.contains("UTF-16"), "{e}");
}

#[test]
fn the_same_column_twice_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&county(1)).replacen("减少原因", "name", 1);
    let path = dir.path().join("twice.csv");
    std::fs::write(&path, text).unwrap();
    let read = read_file(&path, d("2020-01-01")).unwrap();
    let e = read
        .errors
        .iter()
        .find(|e| e.code == "duplicate_column")
        .unwrap_or_else(|| panic!("{:?}", read.errors));
    assert_eq!(e.row, 1);
    assert!(e.zh.contains("姓名") && e.zh.contains("name"), "{}", e.zh);
    assert!(e.en.contains("AA1") && e.en.contains("AL1"), "{}", e.en);
    assert!(read.households.is_empty());
}

#[test]
fn a_household_of_more_than_50_members_is_refused_and_repeats_cost_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // 8,000 rows of one person in one household, then 2 households of 60 different members.
    let base = county(1);
    let head = base[0].clone();
    let mut rows: Vec<Row> = std::iter::repeat_n(head.clone(), 8_000).collect();
    for h in 2..=3 {
        for m in 0..60 {
            let mut r = head.clone();
            r.insert("household_number", hh(h));
            r.insert(
                "id_number",
                id(d("1980-01-01") + chrono::Duration::days(m), h),
            );
            r.insert("relation", if m == 0 { "户主" } else { "其他" }.into());
            rows.push(r);
        }
    }
    let path = dir.path().join("repeated.csv");
    std::fs::write(&path, csv_of(&rows)).unwrap();
    let read = read_file(&path, d("2020-01-01")).unwrap();
    assert!(read.households.is_empty());
    let count = |code: &str| read.errors.iter().filter(|e| e.code == code).count();
    assert_eq!(count("duplicate_person"), 7_999);
    let too_many: Vec<_> = read
        .errors
        .iter()
        .filter(|e| e.code == "too_many_members")
        .collect();
    // One error per household, at the row of its 51st member.
    assert_eq!(too_many.len(), 2, "{too_many:?}");
    assert_eq!(too_many[0].row, 1 + 8_000 + 51);
    assert_eq!(too_many[0].household.as_deref(), Some("H00002"));
    assert!(too_many[0].zh.contains("最多50名"), "{}", too_many[0].zh);
}

#[test]
fn bad_values_name_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = county(8);
    let long: String = "1".repeat(300);
    set(&mut rows, 1, "household_number", "../../etc");
    set(&mut rows, 2, "household_number", &long);
    set(&mut rows, 3, "household_number", "１２３");
    rows_of(&mut rows, 4)
        .next()
        .unwrap()
        .insert("name", "张\u{0}三".into());
    rows_of(&mut rows, 5)
        .next()
        .unwrap()
        .insert("name", "张\n三".into());
    rows_of(&mut rows, 6)
        .next()
        .unwrap()
        .insert("name", "张".repeat(51));
    set(&mut rows, 7, "wage", "92233720368547758.08");
    set(&mut rows, 8, "business", "100000000.01");
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, csv_of(&rows)).unwrap();
    let read = read_file(&path, d("2020-01-01")).unwrap();
    let got: Vec<(usize, &str, &str)> = read
        .errors
        .iter()
        .filter(|e| e.code != "duplicate_person")
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "户编号", "household_number"),
            (5, "户编号", "household_number"),
            (8, "户编号", "household_number"),
            (11, "姓名", "control_character"),
            (14, "姓名", "control_character"),
            (17, "姓名", "name_too_long"),
            (20, "工资性收入", "money_too_large"),
            (23, "生产经营性收入", "money_too_large"),
        ]
    );
    // Every household had a bad value: none is read.
    assert!(read.households.is_empty());
    let e = &read.errors.iter().find(|e| e.row == 11).unwrap();
    assert_eq!(e.value, "张\u{0}三");
}

#[test]
fn json_files_that_hold_nothing_are_refused_and_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("null", "null"),
        ("list", "[]"),
        ("empty", "{}"),
        ("other", "{\"x\": 1}"),
    ] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        let e = file_error(read_file(&path, d("2020-01-01")));
        assert!(
            e.contains("JSON") || e.contains("no households"),
            "{name}: {e}"
        );
    }
    let path = dir.path().join("bom.json");
    std::fs::write(
        &path,
        "\u{feff}{\"as_of\": \"2020-06-30\", \"households\": []}",
    )
    .unwrap();
    let read = read_file(&path, d("2020-01-01")).unwrap();
    assert_eq!(read.as_of, Some(d("2020-06-30")));
}

/// The workbook at `path` with `from` replaced by `to` in its first sheet's XML.
fn patch_sheet(path: &std::path::Path, from: &str, to: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let name = part.name().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).unwrap();
            assert!(xml.contains(from), "{xml}");
            data = xml.replacen(from, to, 1).into_bytes();
        }
        out.start_file(name, stored).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_cell_reference_past_any_sheet_is_refused_not_a_panic() {
    // Found by the fuzz run: calamine overflows on a reference of eleven digits.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ref.xlsx");
    xlsx_with(&path, &header_cells());
    for bad in ["r=\"A99999999999\"", "r=\"ZZZZZZZZZZZZZ1\""] {
        let bytes = patch_sheet(&path, "r=\"A1\"", bad);
        let crafted = dir.path().join("crafted.xlsx");
        std::fs::write(&crafted, bytes).unwrap();
        let e = file_error(read_file(&crafted, d("2020-01-01")));
        // Refused, by the overflow (checked builds) or by the sheet's bounds (wrapping builds).
        assert!(
            e.contains("单元格引用无效 / an invalid cell reference") || e.contains("表格范围过大"),
            "{bad}: {e}"
        );
    }
}
