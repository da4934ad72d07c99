//! Reading the member sheet (CSV UTF-8 or GB18030, XLSX) and the JSON of `fupin assess`. Every
//! household goes through fupin-core's validator; its errors are placed by row and by the column
//! as the file's header writes it.

use crate::columns::{column, Format, COLUMNS};
use crate::SheetError;
use chrono::NaiveDate;
use fupin_core::codes::CodeList;
use fupin_core::error::RowError;
use fupin_core::input;
use fupin_core::registry::plan::Incoming;
use fupin_core::registry::{Area, HouseholdRecord};
use fupin_core::validate::{self, Fields, HouseholdError, People, Source, Value};
use std::collections::HashMap;
use std::path::Path;

/// A file read: the households, the errors (households with an error are left out), and the JSON's
/// `as_of` when it has one.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub households: Vec<Incoming>,
    pub errors: Vec<RowError>,
    pub as_of: Option<NaiveDate>,
    /// Rows (CSV/XLSX) or households (JSON) read.
    pub rows: usize,
    /// Areas described by the file (the JSON's `villages` and `counties`).
    pub areas: Vec<Area>,
}

impl ReadOutcome {
    /// Splits the read for an import: the households and areas to import, and the file's errors
    /// to merge into the import's outcome. `partial`: import the valid households even when the
    /// file has errors (otherwise all or nothing).
    pub fn into_import(self, partial: bool) -> (Vec<Incoming>, Vec<Area>, FileErrors) {
        let blocks = !self.errors.is_empty() && !partial;
        let check = FileErrors {
            errors: self.errors,
            blocks,
        };
        (self.households, self.areas, check)
    }
}

/// The errors of a file being imported, to merge into what the import found.
#[derive(Debug)]
pub struct FileErrors {
    errors: Vec<RowError>,
    blocks: bool,
}

impl FileErrors {
    /// Whether the import may only be tried (a dry run): the file has errors and the import is
    /// all or nothing.
    pub fn blocks(&self) -> bool {
        self.blocks
    }

    /// Merges into an import's outcome: the file's errors and the import's together in row order;
    /// the households (or rows without one) the file's errors left out counted as skipped; nothing
    /// committed when the file's errors block the import.
    pub fn merge_into(self, errors: &mut Vec<RowError>, skipped: &mut u64, committed: &mut bool) {
        let bad: std::collections::HashSet<(&Option<String>, usize)> = self
            .errors
            .iter()
            .map(|e| (&e.household, if e.household.is_some() { 0 } else { e.row }))
            .collect();
        *skipped += bad.len() as u64;
        let mut all = self.errors;
        all.append(errors);
        all.sort_by_key(|e| e.row);
        *errors = all;
        *committed &= !self.blocks;
    }
}

/// Reads a CSV, XLSX or assess-JSON file. `date` is the default income year's reference.
pub fn read_file(path: &Path, date: NaiveDate) -> Result<ReadOutcome, SheetError> {
    match Format::of(path)? {
        Format::Csv => {
            // Excel in Chinese saves CSV as GB18030 (GBK); anything that is not UTF-8 is read as that.
            let bytes = std::fs::read(path)?;
            let text: std::borrow::Cow<[u8]> = match std::str::from_utf8(&bytes) {
                Ok(_) => std::borrow::Cow::Borrowed(&bytes),
                Err(_) => {
                    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
                    if bad {
                        return Err(SheetError::File(format!(
                            "{}: 文件编码应为 UTF-8 或 GB18030 / the file is neither UTF-8 nor GB18030",
                            path.display()
                        )));
                    }
                    std::borrow::Cow::Owned(text.into_owned().into_bytes())
                }
            };
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&text[..]);
            let rows = rdr.records().map(|r| {
                // A `'` written before a formula character (CSV injection) is taken off again.
                r.map(|r| {
                    r.iter()
                        .map(|c| crate::write::csv_uncell(c).to_string())
                        .collect::<Vec<_>>()
                })
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))
            });
            read_rows(rows, date)
        }
        Format::Xlsx => {
            use calamine::Reader;
            let mut wb = calamine::open_workbook_auto(path)
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| {
                    SheetError::File(format!("{}: 没有工作表 / no worksheet", path.display()))
                })?
                .map_err(|e| SheetError::File(format!("{}: {e}", path.display())))?;
            // Rows are numbered as the spreadsheet shows them, from the sheet's first row.
            let start = range.start().map_or(0, |(r, _)| r as usize);
            let blank = (0..start).map(|_| Ok(Vec::new()));
            let rows = range
                .rows()
                .map(|r| Ok(r.iter().map(cell_text).collect::<Vec<_>>()));
            read_rows(blank.chain(rows), date)
        }
        Format::Json => {
            let text = std::fs::read_to_string(path)?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                SheetError::File(format!(
                    "{}: 第{}行第{}列 line {}, column {}: {e}",
                    path.display(),
                    e.line(),
                    e.column(),
                    e.line(),
                    e.column()
                ))
            })?;
            Ok(read_json(&v, date))
        }
    }
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        other => other.to_string(),
    }
}

/// One row of the member sheet, as fields for the validator.
struct RowFields<'a> {
    cells: &'a [String],
    index: &'a [Option<usize>],
    headers: &'a [String],
}

impl RowFields<'_> {
    /// The trimmed cell of a column ("" when the column is absent).
    fn raw(&self, key: &str) -> &str {
        self.index[column(key)]
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.trim())
    }

    /// The column as the header writes it (the key when the file has no such column).
    fn header(&self, key: &str) -> String {
        self.index[column(key)].map_or(key.to_string(), |c| self.headers[c].clone())
    }

    /// An error at `row` of the column `key`.
    fn error(&self, row: usize, key: &str, code: &str, zh: &str, en: &str) -> RowError {
        RowError::new(row, &self.header(key), self.raw(key), code, zh, en)
    }

    /// An error of the validator, placed at `row`.
    fn placed(&self, row: usize, e: &HouseholdError) -> RowError {
        self.error(row, &e.field, e.code, &e.zh, &e.en)
    }
}

impl Fields for RowFields<'_> {
    fn source(&self) -> Source {
        Source::Sheet
    }

    fn get(&self, key: &'static str) -> Option<Value<'_>> {
        let v = self.raw(key);
        (!v.is_empty()).then_some(Value::Cell(v))
    }
}

struct Group {
    first_row: usize,
    household_cells: Vec<String>,
    record: Option<HouseholdRecord>,
    incoming: Option<Incoming>,
    bad: bool,
}

/// Reads the member sheet: a header row, then one row per member.
pub fn read_rows<I>(rows: I, date: NaiveDate) -> Result<ReadOutcome, SheetError>
where
    I: Iterator<Item = Result<Vec<String>, SheetError>>,
{
    let mut out = ReadOutcome::default();
    let mut rows = rows.enumerate().map(|(i, r)| r.map(|r| (i + 1, r)));
    // The header is the first non-empty row.
    let (header_row, headers) = loop {
        match rows.next() {
            None => return Err(SheetError::File("文件为空 / the file is empty".into())),
            Some(r) => {
                let (n, cells) = r?;
                if cells.iter().any(|c| !c.trim().is_empty()) {
                    break (n, cells);
                }
            }
        }
    };
    let headers: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let norm = |s: &str| {
        s.trim()
            .trim_matches('*')
            .replace([' ', '(', ')', '(', ')'], "")
            .to_lowercase()
    };
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| norm(h) == norm(c.zh) || norm(h) == norm(c.key))
        })
        .collect();
    for key in [
        "household_number",
        "area_code",
        "status",
        "id_number",
        "name",
        "relation",
    ] {
        if index[column(key)].is_none() {
            let c = COLUMNS[column(key)];
            out.errors.push(RowError::new(
                header_row,
                c.zh,
                "",
                "missing_column",
                &format!("缺少列“{}”", c.zh),
                &format!("the column {} ({}) is missing", c.key, c.zh),
            ));
        }
    }
    if !out.errors.is_empty() {
        return Ok(out);
    }
    let hh_cols: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, c)| c.household)
        .map(|(i, _)| i)
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    let mut people = People::default();
    for r in rows {
        let (row, cells) = r?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let f = RowFields {
            cells: &cells,
            index: &index,
            headers: &headers,
        };
        let number = f.raw("household_number").to_string();
        if number.is_empty() {
            out.errors.push(f.error(
                row,
                "household_number",
                "member_without_household",
                "成员行没有户编号",
                "a member row without a household number",
            ));
            continue;
        }
        let mut errors = Vec::new();
        let gi = match by_number.get(&number) {
            Some(&gi) => {
                let g = &groups[gi];
                for (k, &ci) in hh_cols.iter().enumerate() {
                    let key = COLUMNS[ci].key;
                    let mine = f.raw(key);
                    if key != "household_number" && !mine.is_empty() && mine != g.household_cells[k]
                    {
                        let first = g.first_row;
                        errors.push(f.error(
                            row,
                            key,
                            "household_mismatch",
                            &format!("同一户的户信息与第{first}行不一致"),
                            &format!(
                                "a household field differs from row {first} of the same household"
                            ),
                        ));
                    }
                }
                gi
            }
            None => {
                let record = match validate::household(&f, date) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.extend(e.iter().map(|e| f.placed(row, e)));
                        None
                    }
                };
                groups.push(Group {
                    first_row: row,
                    household_cells: hh_cols
                        .iter()
                        .map(|&i| f.raw(COLUMNS[i].key).to_string())
                        .collect(),
                    record,
                    incoming: None,
                    bad: false,
                });
                by_number.insert(number.clone(), groups.len() - 1);
                groups.len() - 1
            }
        };
        let has_member = !f.raw("id_number").is_empty() || !f.raw("name").is_empty();
        let member = if has_member {
            match validate::member(&f, None) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.extend(e.iter().map(|e| f.placed(row, e)));
                    None
                }
            }
        } else {
            None
        };
        if let Some(m) = &member {
            if let Err(e) = people.place(&m.member.id_number, &number, row) {
                errors.push(f.error(row, "id_number", e.code, &e.zh, &e.en));
            }
        }
        let g = &mut groups[gi];
        if !errors.is_empty() {
            g.bad = true;
            out.errors
                .extend(errors.into_iter().map(|e| e.in_household(&number)));
            continue;
        }
        if g.bad {
            continue;
        }
        let Some(record) = &g.record else { continue };
        let inc = g.incoming.get_or_insert_with(|| {
            let mut i = Incoming::new(record.clone());
            i.row = g.first_row;
            i.status_column = f.header("status");
            i.status_reason = Some(f.raw("status_reason").to_string()).filter(|s| !s.is_empty());
            i
        });
        if let Some(m) = member {
            let id = m.member.id_number.clone();
            inc.member_rows.insert(id.clone(), row);
            match m.leave {
                Some(l) => inc.leaves.push((id, l)),
                None => {
                    if let Some(j) = m.join {
                        inc.joins.insert(id, j);
                    }
                    inc.record.members.push(m.member);
                }
            }
        }
    }
    for g in groups {
        if !g.bad {
            if let Some(i) = g.incoming {
                out.households.push(i);
            }
        }
    }
    out.errors.sort_by_key(|e| e.row);
    Ok(out)
}

/// Reads the JSON of `fupin assess`: `{"as_of": ..., "households": [...]}`. The row of an error is the
/// household's 1-based position; the column names the field (`members[2].id_number`).
pub fn read_json(v: &serde_json::Value, date: NaiveDate) -> ReadOutcome {
    let mut out = ReadOutcome {
        as_of: v
            .get("as_of")
            .and_then(|d| d.as_str())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        ..Default::default()
    };
    let as_of = out.as_of.unwrap_or(date);
    for key in ["counties", "villages"] {
        let list = v
            .get(key)
            .and_then(|h| h.as_array())
            .cloned()
            .unwrap_or_default();
        for (i, a) in list.iter().enumerate() {
            let code = a.get("area_code").and_then(|c| c.as_str()).unwrap_or("");
            let region = a.get("region").and_then(|r| r.as_str());
            match (
                fupin_core::AreaCode::parse(code),
                region.map(|r| (r, fupin_core::codes::Region::parse(r))),
            ) {
                (Err(e), _) => out.errors.push(RowError::new(
                    i + 1,
                    &format!("{key}[{}].area_code", i + 1),
                    code,
                    "area_code",
                    e.reason_zh,
                    e.reason,
                )),
                (_, Some((r, None))) => out.errors.push(RowError::new(
                    i + 1,
                    &format!("{key}[{}].region", i + 1),
                    r,
                    "unknown_code",
                    "地区应为 东部、中部、西部",
                    "region: east, central, west",
                )),
                (Ok(c), region) => out.areas.push(Area {
                    code: c.as_str().to_string(),
                    name: a
                        .get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or("")
                        .to_string(),
                    level: c.level(),
                    parent: c.parent().map(|p| p.as_str().to_string()),
                    region: region.and_then(|(_, r)| r),
                    rural_population: a.get("rural_population").and_then(|n| n.as_i64()),
                }),
            }
        }
    }
    let list = v
        .get("households")
        .and_then(|h| h.as_array())
        .cloned()
        .unwrap_or_default();
    for (i, h) in list.iter().enumerate() {
        out.rows += 1;
        let row = i + 1;
        match input::household_record(h, as_of) {
            Err(errors) => {
                let label = input::household_label(h, i);
                out.errors.extend(errors.into_iter().map(|e| {
                    let column = match e.member {
                        Some(m) => format!("members[{m}].{}", e.field),
                        None => e.field.clone(),
                    };
                    let value = json_value(h, e.member, &e.field);
                    RowError::new(row, &column, &value, e.code, &e.zh, &e.en).in_household(&label)
                }));
            }
            Ok(record) => {
                let mut inc = Incoming::new(record);
                inc.row = row;
                inc.status_reason = h
                    .get("status_reason")
                    .and_then(|x| x.as_str())
                    .filter(|x| !x.is_empty())
                    .map(str::to_string);
                out.households.push(inc);
            }
        }
    }
    out
}

fn json_value(h: &serde_json::Value, member: Option<usize>, field: &str) -> String {
    let base = match member {
        Some(m) => &h["members"][m - 1],
        None => h,
    };
    let mut v = base;
    for part in field.split('.') {
        v = &v[part];
    }
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
