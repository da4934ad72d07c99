//! The files of household assistance (issue 12): the report of measures by kind as XLSX.

use crate::write::{Cell, XlsxTable};
use crate::SheetError;
use fupin_core::assistance::{KindSummary, MeasureKind};
use fupin_core::CodeList;
use std::collections::BTreeMap;

/// `fupin report assistance --format xlsx`: one row per measure kind (code, Chinese and English
/// label, households, people, count, amount) and a total row; numbers stay numbers.
pub fn report_xlsx(kinds: &BTreeMap<MeasureKind, KindSummary>) -> Result<Vec<u8>, SheetError> {
    let mut t = XlsxTable::named("帮扶措施统计")?;
    t.header(&[
        "措施类型 kind",
        "名称",
        "name",
        "户数 households",
        "人数 people",
        "次数 count",
        "金额(元) amount",
    ])?;
    let mut count = 0u64;
    let mut amount = fupin_core::Decimal::ZERO;
    for (k, s) in kinds {
        t.cells(&[
            Cell::Text(k.code().into()),
            Cell::Text(k.zh().into()),
            Cell::Text(k.en().into()),
            Cell::Int(s.households as i64),
            Cell::Int(s.people as i64),
            Cell::Int(s.count as i64),
            Cell::Money(s.amount),
        ])?;
        count += s.count;
        amount += s.amount;
    }
    t.cells(&[
        Cell::Text("合计 total".into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Int(count as i64),
        Cell::Money(amount),
    ])?;
    t.finish()
}
