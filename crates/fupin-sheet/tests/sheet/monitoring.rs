//! Department data files (DOMAIN.md §13): CSV in UTF-8 and GB18030, XLSX, Chinese and English
//! headers, row-and-column errors.

use fupin_core::id::check_char;
use fupin_core::monitoring::Item;
use fupin_sheet::monitoring::{read_department, read_department_bytes, write_department};
use fupin_sheet::Format;

fn id(seq: u32) -> String {
    let first17 = format!("14052519700101{seq:03}");
    format!("{first17}{}", check_char(first17.as_bytes()))
}

#[test]
fn a_gb18030_csv_with_chinese_headers_and_labels_is_read() {
    let text = format!(
        "证件号码,姓名,事项,金额,日期,部门\n{},张三,医疗自付,23000,2021-05-20,医保局\n\n{},李四,车辆,,,公安局\n",
        id(1),
        id(2)
    );
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let f = read_department_bytes("d.csv", Format::Csv, &bytes).unwrap();
    assert_eq!((f.rows, f.checked.len(), f.errors.len()), (2, 2, 0));
    assert_eq!(f.checked[0].item, Item::MedicalExpense);
    assert_eq!(f.checked[0].amount.unwrap().to_string(), "23000");
    assert_eq!(f.checked[0].department, "医保局");
    // The blank row still counts in the numbering: the second person is on row 4.
    assert_eq!((f.checked[1].row, f.checked[1].item), (4, Item::Vehicle));
}

#[test]
fn english_headers_in_any_order_and_bad_rows_by_row_and_column() {
    let mut bad = id(3);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let text = format!(
        "item,id_number,amount\nunemployment,{},\nvehicle,{bad},\nflight,{},12.345\n",
        id(1),
        id(2)
    );
    let f = read_department_bytes("d.csv", Format::Csv, text.as_bytes()).unwrap();
    assert_eq!((f.rows, f.checked.len()), (3, 1));
    let got: Vec<(usize, &str, &str)> = f
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "id_number", "id_checksum"),
            (4, "item", "unknown_code"),
            (4, "amount", "money_precision")
        ]
    );
}

#[test]
fn a_file_without_the_id_or_item_column_cannot_be_read() {
    let e = read_department_bytes("d.csv", Format::Csv, "姓名,事项\n张三,死亡\n".as_bytes())
        .unwrap_err();
    assert!(e.to_string().contains("证件号码"), "{e}");
    let e = read_department_bytes("d.csv", Format::Csv, &[0xff, 0xfe, 0x41, 0]).unwrap_err();
    assert!(e.to_string().contains("UTF-16"), "{e}");
}

#[test]
fn an_xlsx_written_is_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dept.xlsx");
    let row = |id: String, item: &str, amount: &str| {
        [
            id,
            "王五".into(),
            item.into(),
            amount.into(),
            "2021-06-01".into(),
            "民政局".into(),
        ]
    };
    write_department(
        &path,
        &[row(id(1), "受灾", "10000.00"), row(id(2), "death", "")],
    )
    .unwrap();
    let f = read_department(&path).unwrap();
    assert_eq!((f.rows, f.checked.len()), (2, 2), "{:?}", f.errors);
    assert_eq!(f.checked[0].item, Item::Disaster);
    assert_eq!(f.checked[1].item, Item::Death);
    assert_eq!(f.checked[1].row, 3);
}
