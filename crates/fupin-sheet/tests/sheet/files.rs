//! The member sheet read and written without a database: the template, GB18030 CSV, precise
//! errors, the error report, the XLSX table of the web.

use crate::county::*;
use fupin_core::codes::CodeList;
use fupin_sheet::{
    read_file, write_error_report, write_template, ExportWriter, RowError, XlsxTable,
};

#[test]
fn the_template_has_the_headers_and_the_code_lists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.xlsx");
    write_template(&path).unwrap();
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 2);
    let first = wb.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = first
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "户编号");
    assert!(header.contains(&"证件号码".to_string()) && header.contains(&"减少原因".to_string()));
    let codes = wb.worksheet_range_at(1).unwrap().unwrap();
    let rows: Vec<Vec<String>> = codes
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows.iter().any(|r| r[1] == "dropped_out" && r[2] == "辍学"));
    assert!(rows.iter().any(|r| r[1] == "death" && r[2] == "死亡"));
    // An empty template imports as nothing, without error.
    let read = read_file(&path, d("2020-01-01")).unwrap();
    assert!(read.errors.is_empty() && read.households.is_empty());
}

#[test]
fn a_csv_saved_by_excel_in_gb18030_reads_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.csv");
    write_csv(&utf8, &county(2), true);
    let text = std::fs::read_to_string(&utf8).unwrap();
    let (gbk, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    let path = dir.path().join("gbk.csv");
    std::fs::write(&path, &gbk).unwrap();
    let read = read_file(&path, d("2020-01-01")).unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.households.len(), 2);
    assert_eq!(read.households[0].record.members[2].name, "张小1");
    assert_eq!(
        read.households[0].record.main_cause.map(|c| c.zh()),
        Some("因病")
    );
}

#[test]
fn bad_values_get_precise_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = county(3);
    set(&mut rows, 1, "wage", "-5");
    rows[3].insert("relation", "表亲".into());
    rows[4].insert("household_number", String::new());
    set(&mut rows, 3, "area_code", "990000000000");
    let path = dir.path().join("bad.csv");
    write_csv(&path, &rows, true);
    let read = read_file(&path, d("2020-01-01")).unwrap();
    let got: Vec<(usize, &str, &str)> = read
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "工资性收入", "money_negative"),
            (5, "与户主关系", "unknown_code"),
            (6, "户编号", "member_without_household"),
            (8, "行政区划代码", "area_code"),
        ]
    );
    assert!(read.households.is_empty());
}

#[test]
fn an_export_reads_back_as_the_same_households() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.csv");
    let mut rows = county(4);
    set(&mut rows, 2, "monitoring", "脱贫不稳定户");
    write_csv(&src, &rows, true);
    let read = read_file(&src, d("2020-01-01")).unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    for ext in ["csv", "xlsx"] {
        let out = dir.path().join(format!("out.{ext}"));
        let mut w = ExportWriter::create(&out).unwrap();
        for h in &read.households {
            w.write(&h.record).unwrap();
        }
        w.finish().unwrap();
        let back = read_file(&out, d("2020-01-01")).unwrap();
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        let records = |r: &fupin_sheet::ReadOutcome| -> Vec<_> {
            r.households.iter().map(|h| h.record.clone()).collect()
        };
        assert_eq!(records(&back), records(&read), "{ext}");
    }
}

#[test]
fn the_error_report_names_row_column_value_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let errors = [RowError::new(
        9,
        "证件号码",
        "140525198001010011",
        "id_checksum",
        "身份证号码校验位错误",
        "the check character does not match",
    )
    .in_household("H00003")];
    let path = dir.path().join("errors.csv");
    write_error_report(&path, &errors).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[1],
        "9,证件号码,140525198001010011,id_checksum,身份证号码校验位错误,the check character does not match,H00003"
    );
}

#[test]
fn the_web_table_is_one_sheet_of_strings() {
    let mut t = XlsxTable::new();
    t.row(&["户编号", "人数"]).unwrap();
    t.row(&["H00001".to_string(), "3".to_string()]).unwrap();
    let bytes = t.finish().unwrap();
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["Sheet1"]);
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells, [["户编号", "人数"], ["H00001", "3"]]);
}

/// A part of a workbook (`xl/worksheets/sheet1.xml`, `xl/styles.xml`) as text.
fn xlsx_part(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

#[test]
fn an_xlsx_export_has_numbers_as_numbers_a_frozen_header_and_a_filter() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.csv");
    write_csv(&src, &county(2), true);
    let read = read_file(&src, d("2020-01-01")).unwrap();
    let out = dir.path().join("export.xlsx");
    let mut w = ExportWriter::create(&out).unwrap();
    for h in &read.households {
        w.write(&h.record).unwrap();
    }
    w.finish().unwrap();
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let col = |key: &str| {
        fupin_sheet::COLUMNS
            .iter()
            .position(|c| c.key == key)
            .unwrap()
    };
    let r = rows[1];
    assert_eq!(r[col("wage")], Data::Float(15000.0));
    assert_eq!(r[col("business")], Data::Float(1200.5));
    assert_eq!(r[col("income_year")], Data::Float(2019.0));
    // Numbers that are codes stay text: household number, area code, ID number, phone.
    for key in ["household_number", "area_code", "id_number", "phone"] {
        assert!(
            matches!(r[col(key)], Data::String(_)),
            "{key}: {:?}",
            r[col(key)]
        );
    }
    let xml = xlsx_part(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"state="frozen""#), "{xml:.1500}");
    assert!(xml.contains(r#"<autoFilter ref="A1:AL7"/>"#), "{xml:.1500}");
    assert!(xml.contains("<cols>"));
    // The money format shows two decimals.
    let styles = xlsx_part(&out, "xl/styles.xml");
    assert!(styles.contains(r##"formatCode="#,##0.00""##), "{styles}");
}

#[test]
fn a_named_table_has_typed_cells_and_a_filtered_header() {
    use fupin_sheet::Cell;
    let mut t = XlsxTable::named("贫困户名册").unwrap();
    t.header(&["户编号", "人数", "人均纯收入"]).unwrap();
    t.cells(&[
        Cell::from("140525100201001"),
        Cell::Int(3),
        Cell::Money("3800.5".parse().unwrap()),
    ])
    .unwrap();
    let bytes = t.finish().unwrap();
    use calamine::{Data, Reader};
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["贫困户名册"]);
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(
        rows[1],
        [
            Data::String("140525100201001".into()),
            Data::Float(3.0),
            Data::Float(3800.5)
        ]
    );
}
