//! The workbook of plans and measures (issue 12): each bad cell an error at its row and column as
//! the header writes it, the good rows read, headers in English too, a missing column named.

use fupin_sheet::assistance::read_workbook;

fn workbook(path: &std::path::Path, plans: &[&[&str]], measures: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [("帮扶计划", plans), ("帮扶措施", measures)] {
        if rows.is_empty() {
            continue;
        }
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn each_bad_cell_is_an_error_at_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.xlsx");
    workbook(
        &path,
        &[
            &["户编号", "年度", "帮扶路径", "目标"],
            &["H1", "2020", "发展生产脱贫一批、education", "增收"],
            &["H2", "1999", "wealth", ""],
        ],
        &[
            // English headers, in another order.
            &[
                "kind",
                "household",
                "person",
                "date",
                "amount",
                "provider",
                "fund",
            ],
            &[
                "公益岗位",
                "H1",
                "140525198001011230",
                "2020-03-01",
                "6000",
                "县人社局",
                "F1",
            ],
            &[
                "lottery",
                "H1",
                "140525198001011231",
                "2020-02-30",
                "1.234",
                "",
                "",
            ],
            &["dibao", "H2", "", "2020-01-15", "", "", ""],
        ],
    );
    let r = read_workbook(&path).unwrap();
    let errors: Vec<(usize, &str, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, "年度", "1999", "invalid_year"),
            (3, "帮扶路径", "wealth", "unknown_path"),
            (3, "person", "140525198001011231", "id_checksum"),
            (3, "kind", "lottery", "unknown_kind"),
            (3, "date", "2020-02-30", "invalid_date"),
            (3, "amount", "1.234", "money_precision"),
        ]
    );
    assert_eq!(r.errors[2].household.as_deref(), Some("H1"));
    assert_eq!(r.plans.len(), 1);
    assert_eq!(r.plans[0].0, 2);
    assert_eq!(
        r.plans[0]
            .1
            .paths
            .iter()
            .map(|p| fupin_core::CodeList::code(*p))
            .collect::<Vec<_>>(),
        ["industry", "education"]
    );
    let m: Vec<(usize, &str, String)> = r
        .measures
        .iter()
        .map(|(row, m)| {
            (
                *row,
                fupin_core::CodeList::code(m.kind),
                fupin_core::money::fmt2(m.amount),
            )
        })
        .collect();
    assert_eq!(
        m,
        [
            (2, "public_welfare_post", "6000.00".to_string()),
            (4, "dibao", "0.00".to_string())
        ]
    );
    assert_eq!(r.measures[0].1.fund.as_deref(), Some("F1"));
}

#[test]
fn a_missing_column_or_sheet_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.xlsx");
    workbook(
        &path,
        &[],
        &[&["户编号", "措施类型", "金额"], &["H1", "dibao", "100"]],
    );
    let r = read_workbook(&path).unwrap();
    let missing: Vec<(&str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(missing[0], ("日期", "missing_column"));
    let other = dir.path().join("c.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    wb.save(&other).unwrap();
    let e = read_workbook(&other).unwrap_err().to_string();
    assert!(e.contains("帮扶计划") && e.contains("帮扶措施"), "{e}");
}
