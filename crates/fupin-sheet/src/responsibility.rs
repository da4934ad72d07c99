//! The responsibility network's workbook (issue 11): one XLSX file with the sheets 单位, 干部, 结对,
//! 工作队 (a row per member) and 走访 (a row per issue, or one for a visit without issue). Read into
//! the JSON of `fupin responsibility check` (so that fupin-core's one parser checks every record)
//! with a map back to each record's row, so that its errors are placed by sheet, row and column as
//! the header writes them; written from the same JSON; a template with the code lists.

use crate::read::{cell_text, check_cell, check_zip};
use crate::SheetError;
use fupin_core::codes::CodeList;
use fupin_core::error::RowError;
use fupin_core::input::limits;
use fupin_core::responsibility::{Rank, RecordError, TeamRole, UnitKind};
use serde_json::{json, Map, Value};
use std::path::Path;

/// A sheet: its name, the JSON list it fills, and its columns (Chinese header, JSON key).
pub struct Sheet {
    pub name: &'static str,
    pub list: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
}

/// The workbook's sheets in order. 工作队 repeats a team's fields on each member's row; 走访 a
/// visit's fields on each issue's row.
pub const SHEETS: &[Sheet] = &[
    Sheet {
        name: "单位",
        list: "units",
        columns: &[
            ("单位编号", "code"),
            ("单位名称", "name"),
            ("类别", "kind"),
            ("所属区划", "area"),
        ],
    },
    Sheet {
        name: "干部",
        list: "cadres",
        columns: &[
            ("干部编号", "id"),
            ("姓名", "name"),
            ("单位编号", "unit"),
            ("职级", "rank"),
            ("联系电话", "phone"),
            ("登录账号", "account"),
            ("所属区划", "area"),
        ],
    },
    Sheet {
        name: "结对",
        list: "pairings",
        columns: &[
            ("干部编号", "cadre"),
            ("户编号", "household"),
            ("开始日期", "start"),
            ("结束日期", "end"),
            ("解除原因", "end_reason"),
        ],
    },
    Sheet {
        name: "工作队",
        list: "teams",
        columns: &[
            ("工作队编号", "id"),
            ("村", "village"),
            ("派出单位", "unit"),
            ("开始日期", "start"),
            ("结束日期", "end"),
            ("队员干部编号", "member.cadre"),
            ("职务", "member.role"),
            ("兼第一书记", "member.first_secretary"),
        ],
    },
    Sheet {
        name: "走访",
        list: "visits",
        columns: &[
            ("走访编号", "id"),
            ("走访日期", "date"),
            ("干部编号", "cadre"),
            ("户编号", "household"),
            ("走访情况", "findings"),
            ("问题编号", "issue.id"),
            ("问题", "issue.text"),
            ("整改措施", "issue.measure"),
            ("整改完成日期", "issue.closed_on"),
        ],
    },
];

/// A workbook read: the JSON document, and where each record came from.
#[derive(Debug, Default)]
pub struct Workbook {
    pub doc: Value,
    /// For each list, each record's row (1-based, the header is row 1); for teams and visits, the
    /// row of each member or issue.
    rows: Vec<(&'static str, Vec<Place>)>,
}

/// Where a record came from: its row, and the rows of its members or issues.
type Place = (usize, Vec<usize>);

impl Workbook {
    /// The records of a list read from the workbook.
    pub fn count(&self, list: &str) -> usize {
        self.rows
            .iter()
            .find(|(l, _)| *l == list)
            .map_or(0, |(_, r)| r.len())
    }

    /// A record error of fupin-core's parser (`pairings[3].cadre`, `teams[0].members[1].role`)
    /// placed at its sheet, row and column; `None` for a record not from the workbook.
    pub fn row_error(&self, e: &RecordError) -> Option<RowError> {
        let (list, rest) = e.field.split_once('[')?;
        let (index, rest) = rest.split_once(']')?;
        let index: usize = index.parse().ok()?;
        let (sheet, rows) = self.rows.iter().find(|(l, _)| *l == list)?;
        let (row, parts) = rows.get(index)?;
        let rest = rest.trim_start_matches('.');
        let (row, key) = match rest.split_once('[') {
            Some((part, sub)) => {
                let (j, field) = sub.split_once(']')?;
                let j: usize = j.parse().ok()?;
                let prefix = if part == "members" { "member" } else { "issue" };
                (*parts.get(j)?, format!("{prefix}{field}"))
            }
            None => (*row, rest.to_string()),
        };
        let sheet_def = SHEETS.iter().find(|s| s.list == *sheet)?;
        let header = sheet_def
            .columns
            .iter()
            .find(|(_, k)| *k == key)
            .map_or(key.as_str(), |(h, _)| h);
        let (zh, en) = e
            .message
            .split_once(" / ")
            .unwrap_or((&e.message, &e.message));
        let mut err = RowError::new(
            row,
            &format!("{}!{header}", sheet_def.name),
            "",
            &e.code,
            zh,
            en,
        );
        err.value = String::new();
        Some(err)
    }
}

fn file_error(path: &Path, m: impl std::fmt::Display) -> SheetError {
    SheetError::File(format!("{}: {m}", path.display()))
}

/// The rows of one named sheet (a missing sheet: none), bounded as the member sheet is.
fn sheet_rows<R: std::io::Read + std::io::Seek>(
    path: &Path,
    wb: &mut calamine::Xlsx<R>,
    name: &str,
    total: &mut u64,
) -> Result<Vec<(u32, Vec<String>)>, SheetError> {
    use calamine::Reader;
    if !wb.sheet_names().iter().any(|n| n == name) {
        return Ok(Vec::new());
    }
    let mut reader = wb
        .worksheet_cells_reader(name)
        .map_err(|e| file_error(path, e))?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut next = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
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
    };
    while let Some(((row, col), value)) = next().map_err(|e| file_error(path, e))? {
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        *total += 1;
        if col as usize >= limits::MAX_COLUMNS || *total > limits::MAX_XLSX_CELLS {
            return Err(file_error(path, "表格范围过大 / the workbook is too large"));
        }
        let text = cell_text(&value);
        check_cell(path, u64::from(row) + 1, col as usize, &text)?;
        cells.push((row, col, text));
    }
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    for (r, c, text) in cells {
        if rows.last().is_none_or(|(last, _)| *last != r) {
            rows.push((r, Vec::new()));
        }
        let row = &mut rows.last_mut().expect("pushed").1;
        if row.len() <= c as usize {
            row.resize(c as usize + 1, String::new());
        }
        row[c as usize] = text;
    }
    Ok(rows)
}

/// Reads the workbook into the JSON of `fupin responsibility check` (without `as_of` and
/// `households`, which the registry gives). A header names its columns by the Chinese header or
/// the JSON key; unknown columns are refused.
pub fn read_workbook(path: &Path) -> Result<Workbook, SheetError> {
    use calamine::Reader;
    let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
    check_zip(path, &mut file)?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))?;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(file).map_err(|e| file_error(path, e))?;
    let mut doc = Map::new();
    let mut out = Workbook::default();
    let mut total = 0u64;
    for sheet in SHEETS {
        let rows = sheet_rows(path, &mut wb, sheet.name, &mut total)?;
        let mut iter = rows.into_iter();
        let mut records: Vec<Value> = Vec::new();
        let mut places: Vec<Place> = Vec::new();
        if let Some((_, head)) = iter.next() {
            let mut keys = Vec::new();
            for h in &head {
                let h = h.trim();
                let key = sheet
                    .columns
                    .iter()
                    .find(|(zh, k)| *zh == h || *k == h)
                    .map(|(_, k)| *k)
                    .ok_or_else(|| {
                        file_error(
                            path,
                            format!(
                                "工作表 {} 的列 {h:?} 未知 / sheet {}: unknown column {h:?}",
                                sheet.name, sheet.name
                            ),
                        )
                    })?;
                keys.push(key);
            }
            for (r, cells) in iter {
                let row = r as usize + 1;
                let mut rec = Map::new();
                let mut sub = Map::new();
                for (k, v) in keys.iter().zip(cells) {
                    let v = v.trim().to_string();
                    if v.is_empty() {
                        continue;
                    }
                    let value = if k.ends_with("first_secretary") {
                        json!(matches!(
                            v.as_str(),
                            "是" | "yes" | "true" | "1" | "Y" | "y"
                        ))
                    } else {
                        json!(v)
                    };
                    match k.split_once('.') {
                        Some((_, field)) => {
                            sub.insert(field.to_string(), value);
                        }
                        None => {
                            rec.insert(k.to_string(), value);
                        }
                    }
                }
                if rec.is_empty() && sub.is_empty() {
                    continue;
                }
                let sublist = match sheet.list {
                    "teams" => Some("members"),
                    "visits" => Some("issues"),
                    _ => None,
                };
                match sublist {
                    None => {
                        records.push(Value::Object(rec));
                        places.push((row, Vec::new()));
                    }
                    Some(list) => {
                        let id = rec.get("id").cloned();
                        let at = records
                            .iter()
                            .position(|x| id.is_some() && x.get("id") == id.as_ref());
                        let i = match at {
                            Some(i) => i,
                            None => {
                                rec.insert(list.to_string(), json!([]));
                                records.push(Value::Object(rec));
                                places.push((row, Vec::new()));
                                records.len() - 1
                            }
                        };
                        if !sub.is_empty() {
                            records[i][list]
                                .as_array_mut()
                                .expect("a list")
                                .push(Value::Object(sub));
                            places[i].1.push(row);
                        }
                    }
                }
            }
        }
        doc.insert(sheet.list.to_string(), Value::Array(records));
        out.rows.push((sheet.list, places));
    }
    out.doc = Value::Object(doc);
    Ok(out)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        other => other.to_string(),
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::File(format!("XLSX: {e}"))
}

/// Writes a document in the JSON of `fupin responsibility check` (units and cadres with their
/// `area`, cadres with their `account`; visits with their `id`) as the workbook; with an empty
/// document, the template: the headers, and the code lists on a sheet 代码.
pub fn write_workbook(path: &Path, doc: &Value) -> Result<(), SheetError> {
    workbook(doc)?.save(path).map_err(xlsx_err)
}

/// The workbook of [`write_workbook`] in memory (the web's download).
pub fn workbook_bytes(doc: &Value) -> Result<Vec<u8>, SheetError> {
    workbook(doc)?.save_to_buffer().map_err(xlsx_err)
}

fn workbook(doc: &Value) -> Result<rust_xlsxwriter::Workbook, SheetError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let empty = Vec::new();
    for sheet in SHEETS {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).map_err(xlsx_err)?;
        for (c, (h, _)) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xlsx_err)?;
            ws.set_column_width(c as u16, 14).map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        let mut row = 1u32;
        for rec in doc[sheet.list].as_array().unwrap_or(&empty) {
            let subs: Vec<&Value> = match sheet.list {
                "teams" => rec["members"].as_array().unwrap_or(&empty).iter().collect(),
                "visits" => rec["issues"].as_array().unwrap_or(&empty).iter().collect(),
                _ => Vec::new(),
            };
            let lines = subs.len().max(1);
            for k in 0..lines {
                for (c, (_, key)) in sheet.columns.iter().enumerate() {
                    let v = match key.split_once('.') {
                        Some((_, f)) => subs.get(k).map_or(Value::Null, |s| s[f].clone()),
                        None => rec[*key].clone(),
                    };
                    // Written as text, never a formula (rust_xlsxwriter's `write_string`).
                    let t = text(&v);
                    if !t.is_empty() {
                        ws.write_string(row, c as u16, t).map_err(xlsx_err)?;
                    }
                }
                row += 1;
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("代码").map_err(xlsx_err)?;
    let mut row = 0u32;
    let mut list = |name: &str,
                    codes: Vec<(&str, &str, &str)>,
                    ws: &mut rust_xlsxwriter::Worksheet|
     -> Result<(), SheetError> {
        for (code, zh, en) in codes {
            ws.write_string(row, 0, name).map_err(xlsx_err)?;
            ws.write_string(row, 1, code).map_err(xlsx_err)?;
            ws.write_string(row, 2, zh).map_err(xlsx_err)?;
            ws.write_string(row, 3, en).map_err(xlsx_err)?;
            row += 1;
        }
        Ok(())
    };
    fn all<C: CodeList>() -> Vec<(&'static str, &'static str, &'static str)> {
        C::all()
            .iter()
            .map(|c| (c.code(), c.zh(), c.en()))
            .collect()
    }
    list("类别 kind", all::<UnitKind>(), ws)?;
    list("职级 rank", all::<Rank>(), ws)?;
    list("职务 role", all::<TeamRole>(), ws)?;
    Ok(wb)
}
