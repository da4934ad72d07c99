//! A synthetic county as member-sheet rows, and CSV writing: shared by the tests of fupin-sheet
//! and of fupin-store (which includes this file).

use chrono::NaiveDate;
use fupin_sheet::COLUMNS;
use std::collections::BTreeMap;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An 18-character ID number with a correct check character.
pub fn id(birth: NaiveDate, seq: usize) -> String {
    let first17 = format!("140525{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let c = fupin_core::id::check_char(first17.as_bytes());
    format!("{first17}{c}")
}

pub type Row = BTreeMap<&'static str, String>;

/// The household number of the i-th household (1-based).
pub fn hh(i: usize) -> String {
    format!("H{i:05}")
}

/// A county file of `n` poor households with three members each (head, spouse, a child at primary
/// school), every exit check passing: wage 15000 for three people.
pub fn county(n: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for i in 1..=n {
        let day = chrono::Duration::days((i / 1000) as i64);
        let people = [
            (
                "户主",
                "张",
                d("1970-01-01") + day,
                "普通劳动力",
                "非在校生",
            ),
            (
                "配偶",
                "李",
                d("1972-03-01") + day,
                "普通劳动力",
                "非在校生",
            ),
            ("子女", "张小", d("2009-09-01") + day, "无劳动力", "小学"),
        ];
        for (rel, surname, birth, labor, school) in people {
            let mut r = Row::new();
            for (k, v) in [
                ("household_number", hh(i)),
                ("area_code", format!("1405251002{:02}", 1 + i % 10)),
                ("village_group", format!("{}组", 1 + i % 5)),
                ("status", "未脱贫".into()),
                ("attribute", "一般贫困户".into()),
                ("main_cause", "因病".into()),
                ("secondary_causes", "缺技术、缺资金".into()),
                ("housing_grade", "B".into()),
                ("food", "是".into()),
                ("clothing", "是".into()),
                ("water", "是".into()),
                ("income_year", "2019".into()),
                ("wage", "15000.00".into()),
                ("business", "1200.50".into()),
                ("property", "0.00".into()),
                ("transfer", "600.00".into()),
                ("business_cost", "300.00".into()),
                ("medical_expense", "0.00".into()),
                ("education_expense", "0.00".into()),
                ("disaster_loss", "0.00".into()),
                ("other_expense", "0.00".into()),
                ("phone", format!("139{i:08}")),
                ("id_number", id(birth, i)),
                ("name", format!("{surname}{i}")),
                ("relation", rel.into()),
                ("labor", labor.into()),
                ("health", "健康".into()),
                ("school_status", school.into()),
                ("medical_insurance", "是".into()),
                ("pension_insurance", "是".into()),
            ] {
                r.insert(k, v);
            }
            rows.push(r);
        }
    }
    rows
}

/// The rows of household `i`.
pub fn rows_of(rows: &mut [Row], i: usize) -> impl Iterator<Item = &mut Row> {
    let n = hh(i);
    rows.iter_mut().filter(move |r| r["household_number"] == n)
}

/// Sets a field on every row of household `i`.
pub fn set(rows: &mut [Row], i: usize, key: &'static str, value: &str) {
    for r in rows_of(rows, i) {
        r.insert(key, value.to_string());
    }
}

/// Writes rows as CSV with Chinese (or English) headers.
pub fn write_csv(path: &std::path::Path, rows: &[Row], chinese: bool) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(COLUMNS.iter().map(|c| if chinese { c.zh } else { c.key }))
        .unwrap();
    for r in rows {
        w.write_record(
            COLUMNS
                .iter()
                .map(|c| r.get(c.key).map_or("", |s| s.as_str())),
        )
        .unwrap();
    }
    w.flush().unwrap();
}
