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

/// The plans sheet (帮扶计划): Chinese header and English key of each column, in order.
pub const PLAN_COLUMNS: &[(&str, &str)] = &[
    ("户编号", "household"),
    ("年度", "year"),
    ("帮扶路径", "paths"),
    ("目标", "target"),
];

/// The measures sheet (帮扶措施).
pub const MEASURE_COLUMNS: &[(&str, &str)] = &[
    ("户编号", "household"),
    ("证件号码", "person"),
    ("措施类型", "kind"),
    ("日期", "date"),
    ("金额", "amount"),
    ("实施单位", "provider"),
    ("资金或项目", "fund"),
];

pub const PLAN_SHEET: &str = "帮扶计划";
pub const MEASURE_SHEET: &str = "帮扶措施";

/// The plans and measures of a workbook, each with its row, and the errors by row and column.
#[derive(Debug, Default)]
pub struct AssistanceSheets {
    pub plans: Vec<(usize, fupin_core::assistance::Plan)>,
    pub measures: Vec<(usize, fupin_core::assistance::Measure)>,
    pub errors: Vec<crate::RowError>,
}

/// The header of a sheet's column by its English key (for errors the store reports by field).
pub fn header_of(sheet: &str, key: &str) -> &'static str {
    let cols = if sheet == "plans" {
        PLAN_COLUMNS
    } else {
        MEASURE_COLUMNS
    };
    cols.iter().find(|c| c.1 == key).map_or("", |c| c.0)
}

/// Writes the workbook of plans and measures (the export; empty lists: the template), with the code
/// lists on a third sheet. Numbers stay numbers, text stays text (never formulas).
pub fn write_workbook(
    path: &std::path::Path,
    plans: &[fupin_core::assistance::Plan],
    measures: &[fupin_core::assistance::Measure],
) -> Result<(), SheetError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| SheetError::File(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let header = |ws: &mut rust_xlsxwriter::Worksheet, cols: &[(&str, &str)]| {
        for (i, (zh, _)) in cols.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *zh, &bold)?;
            ws.set_column_width(i as u16, 16)?;
        }
        ws.set_freeze_panes(1, 0).map(|_| ())
    };
    let ws = wb.add_worksheet().set_name(PLAN_SHEET).map_err(err)?;
    header(ws, PLAN_COLUMNS).map_err(err)?;
    for (r, p) in plans.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &p.household).map_err(err)?;
        ws.write_number(r, 1, f64::from(p.year)).map_err(err)?;
        let paths: Vec<&str> = p.paths.iter().map(|x| x.zh()).collect();
        ws.write_string(r, 2, paths.join("、")).map_err(err)?;
        ws.write_string(r, 3, &p.target).map_err(err)?;
    }
    let ws = wb.add_worksheet().set_name(MEASURE_SHEET).map_err(err)?;
    header(ws, MEASURE_COLUMNS).map_err(err)?;
    for (r, m) in measures.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &m.household).map_err(err)?;
        ws.write_string(r, 1, m.person.as_deref().unwrap_or(""))
            .map_err(err)?;
        ws.write_string(r, 2, m.kind.zh()).map_err(err)?;
        ws.write_string(r, 3, m.date.to_string()).map_err(err)?;
        let yuan: f64 = fupin_core::money::fmt2(m.amount)
            .parse()
            .unwrap_or_default();
        ws.write_number_with_format(r, 4, yuan, &money)
            .map_err(err)?;
        ws.write_string(r, 5, &m.provider).map_err(err)?;
        ws.write_string(r, 6, m.fund.as_deref().unwrap_or(""))
            .map_err(err)?;
    }
    let ws = wb.add_worksheet().set_name("代码表").map_err(err)?;
    for (i, h) in ["列 column", "代码 code", "名称", "name"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(0, i as u16, *h, &bold)
            .map_err(err)?;
    }
    let paths = fupin_core::assistance::PlanPath::all()
        .iter()
        .map(|p| ("帮扶路径", p.code(), p.zh(), p.en()));
    let kinds = MeasureKind::all()
        .iter()
        .map(|k| ("措施类型", k.code(), k.zh(), k.en()));
    for (r, (col, code, zh, en)) in (1..).zip(paths.chain(kinds)) {
        for (i, v) in [col, code, zh, en].iter().enumerate() {
            ws.write_string(r, i as u16, *v).map_err(err)?;
        }
    }
    wb.save(path).map_err(err)
}

/// The cells of one named sheet, row by row (row 0 the header), read cell by cell within the
/// readers' bounds; `None` when the workbook has no such sheet.
fn sheet_rows<R: std::io::Read + std::io::Seek>(
    path: &std::path::Path,
    wb: &mut calamine::Xlsx<R>,
    name: &str,
) -> Result<Option<Vec<Vec<String>>>, SheetError> {
    use calamine::Reader;
    use fupin_core::input::limits;
    if !wb.sheet_names().iter().any(|n| n == name) {
        return Ok(None);
    }
    let mut reader = wb
        .worksheet_cells_reader(name)
        .map_err(|e| crate::read::file_error(path, e))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut count = 0u64;
    loop {
        let cell = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.next_cell().map(|c| {
                c.map(|c| {
                    (
                        c.get_position(),
                        calamine::Data::from(c.get_value().clone()),
                    )
                })
            })
        }))
        .unwrap_or(Err(calamine::XlsxError::Unexpected(
            "单元格引用无效 / an invalid cell reference",
        )))
        .map_err(|e| crate::read::file_error(path, e))?;
        let Some(((row, col), value)) = cell else {
            break;
        };
        count += 1;
        let too_many = count > limits::MAX_XLSX_CELLS
            || col as usize >= MEASURE_COLUMNS.len() + 8
            || row as u64 >= limits::MAX_XLSX_CELLS;
        if too_many {
            return Err(crate::read::file_error(
                path,
                format!("{name}: 表格范围过大 / the sheet is too large"),
            ));
        }
        let text = crate::read::cell_text(&value);
        if text.chars().count() > limits::MAX_CELL_CHARS {
            return Err(crate::read::file_error(
                path,
                format!("{name}: 单元格过长 / a cell is too long"),
            ));
        }
        let (row, col) = (row as usize, col as usize);
        if rows.len() <= row {
            rows.resize(row + 1, Vec::new());
        }
        if rows[row].len() <= col {
            rows[row].resize(col + 1, String::new());
        }
        rows[row][col] = text;
    }
    Ok(Some(rows))
}

/// Reads the workbook of plans and measures (sheets 帮扶计划 and 帮扶措施, headers by Chinese or
/// English name, in any order): each record checked by fupin-core's field readers, each error at its
/// row (the header is row 1) and column as the header writes it. Whether the household exists and
/// the person is its member the registry checks on import.
pub fn read_workbook(path: &std::path::Path) -> Result<AssistanceSheets, SheetError> {
    use calamine::Reader;
    use fupin_core::assistance as rules;
    let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
    crate::read::check_zip(path, &mut file)?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))?;
    let mut wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(file).map_err(|e| crate::read::file_error(path, e))?;
    let mut out = AssistanceSheets::default();
    let plans = sheet_rows(path, &mut wb, PLAN_SHEET)?;
    let measures = sheet_rows(path, &mut wb, MEASURE_SHEET)?;
    if plans.is_none() && measures.is_none() {
        return Err(crate::read::file_error(
            path,
            "没有“帮扶计划”或“帮扶措施”工作表 / no sheet 帮扶计划 or 帮扶措施",
        ));
    }
    // The place of each column by its header (Chinese or English); a missing required column is
    // an error of row 1.
    let columns =
        |rows: &[Vec<String>], cols: &[(&str, &str)], errors: &mut Vec<crate::RowError>| {
            let head = rows.first().cloned().unwrap_or_default();
            let at: Vec<Option<usize>> = cols
                .iter()
                .map(|(zh, en)| head.iter().position(|h| h.trim() == *zh || h.trim() == *en))
                .collect();
            for (i, (zh, en)) in cols.iter().enumerate() {
                let required = matches!(*en, "household" | "year" | "kind" | "date");
                if at[i].is_none() && required {
                    errors.push(crate::RowError::new(
                        1,
                        zh,
                        "",
                        "missing_column",
                        &format!("缺少列 {zh}"),
                        &format!("column {zh} ({en}) is missing"),
                    ));
                }
            }
            (head, at)
        };
    let bad = |row: usize, column: &str, value: &str, e: &rules::Invalid, household: &str| {
        crate::RowError::new(row, column, value, e.code, &e.zh, &e.en).in_household(household)
    };
    if let Some(rows) = plans {
        let (head, at) = columns(&rows, PLAN_COLUMNS, &mut out.errors);
        let name = |i: usize| {
            at[i]
                .and_then(|c| head.get(c))
                .map_or(PLAN_COLUMNS[i].0, |s| s.as_str())
        };
        for (r, cells) in rows.iter().enumerate().skip(1) {
            let cell = |i: usize| at[i].and_then(|c| cells.get(c)).map_or("", |s| s.trim());
            if (0..PLAN_COLUMNS.len()).all(|i| cell(i).is_empty()) {
                continue;
            }
            let row = r + 1;
            let household = cell(0).to_string();
            let mut ok = true;
            if let Err(e) = fupin_core::validate::household_number(&household) {
                ok = false;
                out.errors.push(crate::RowError::new(
                    row,
                    name(0),
                    &household,
                    e.code,
                    &e.zh,
                    &e.en,
                ));
            }
            let year = match cell(1)
                .parse::<i64>()
                .map_err(|_| rules::plan_year(0).unwrap_err())
                .and_then(rules::plan_year)
            {
                Ok(y) => y,
                Err(e) => {
                    ok = false;
                    out.errors.push(bad(row, name(1), cell(1), &e, &household));
                    0
                }
            };
            let mut paths = Vec::new();
            for p in cell(2)
                .split(['、', ',', ',', ';', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                match rules::plan_path(p) {
                    Ok(p) if !paths.contains(&p) => paths.push(p),
                    Ok(_) => {}
                    Err(e) => {
                        ok = false;
                        out.errors.push(bad(row, name(2), p, &e, &household));
                    }
                }
            }
            let target = rules::text(cell(3)).unwrap_or_else(|e| {
                ok = false;
                out.errors.push(bad(row, name(3), cell(3), &e, &household));
                String::new()
            });
            if ok {
                out.plans.push((
                    row,
                    rules::Plan {
                        household,
                        year,
                        paths,
                        target,
                    },
                ));
            }
        }
    }
    if let Some(rows) = measures {
        let (head, at) = columns(&rows, MEASURE_COLUMNS, &mut out.errors);
        let name = |i: usize| {
            at[i]
                .and_then(|c| head.get(c))
                .map_or(MEASURE_COLUMNS[i].0, |s| s.as_str())
        };
        for (r, cells) in rows.iter().enumerate().skip(1) {
            let cell = |i: usize| at[i].and_then(|c| cells.get(c)).map_or("", |s| s.trim());
            if (0..MEASURE_COLUMNS.len()).all(|i| cell(i).is_empty()) {
                continue;
            }
            let row = r + 1;
            let household = cell(0).to_string();
            let mut ok = true;
            let mut fail = |i: usize, e: rules::Invalid, errors: &mut Vec<crate::RowError>| {
                ok = false;
                errors.push(bad(row, name(i), cell(i), &e, &household));
            };
            if let Err(e) = fupin_core::validate::household_number(&household) {
                fail(
                    0,
                    rules::Invalid {
                        code: e.code,
                        zh: e.zh,
                        en: e.en,
                    },
                    &mut out.errors,
                );
            }
            let person = match cell(1) {
                "" => None,
                p => match fupin_core::ResidentId::parse(p) {
                    Ok(id) => Some(id.as_str().to_string()),
                    Err(e) => {
                        fail(
                            1,
                            rules::Invalid {
                                code: e.code(),
                                zh: e.zh().into(),
                                en: e.en().into(),
                            },
                            &mut out.errors,
                        );
                        None
                    }
                },
            };
            let kind = rules::measure_kind(cell(2))
                .map_err(|e| fail(2, e, &mut out.errors))
                .ok();
            let date = rules::measure_date(cell(3))
                .map_err(|e| fail(3, e, &mut out.errors))
                .ok();
            let amount = match cell(4) {
                "" => fupin_core::Decimal::ZERO,
                a => rules::amount(a).unwrap_or_else(|e| {
                    fail(4, e, &mut out.errors);
                    fupin_core::Decimal::ZERO
                }),
            };
            let provider = rules::text(cell(5)).unwrap_or_else(|e| {
                fail(5, e, &mut out.errors);
                String::new()
            });
            let fund = rules::text(cell(6)).unwrap_or_else(|e| {
                fail(6, e, &mut out.errors);
                String::new()
            });
            if let (true, Some(kind), Some(date)) = (ok, kind, date) {
                out.measures.push((
                    row,
                    rules::Measure {
                        household,
                        person,
                        kind,
                        date,
                        amount,
                        provider,
                        fund: Some(fund).filter(|f| !f.is_empty()),
                    },
                ));
            }
        }
    }
    Ok(out)
}
