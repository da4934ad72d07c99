//! The registry's files: the member sheet of the national system as CSV or XLSX (one row per member,
//! household fields repeated on each row), the JSON of `fupin assess`, the template, the export and
//! the error report. Reading validates every row and returns the households with the errors found.

use crate::error::{RowError, StoreError};
use crate::model::{HouseholdRecord, JoinReason, LeaveReason, MemberRecord};
use crate::plan::Incoming;
use crate::repo::{ExportFilter, Repository};
use chrono::{Datelike, NaiveDate};
use fupin_core::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, MonitoringCategory,
    Relation, SchoolStatus, WorkPlace,
};
use fupin_core::model::{Income, RigidExpense};
use fupin_core::money::{fmt2, parse_money, Decimal};
use std::collections::HashMap;
use std::path::Path;

/// One column of the member sheet: its key (English header) and Chinese header.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    /// A household field (repeated on each member row) rather than a member field.
    pub household: bool,
}

macro_rules! columns {
    ($($key:literal, $zh:literal, $hh:literal;)+) => { &[$(Column { key: $key, zh: $zh, household: $hh }),+] };
}

/// The columns, in the order export and the template write them.
pub const COLUMNS: &[Column] = columns! {
    "household_number", "户编号", true;
    "area_code", "行政区划代码", true;
    "village_group", "村民小组", true;
    "status", "户状态", true;
    "status_reason", "状态变动原因", true;
    "attribute", "贫困户属性", true;
    "main_cause", "主要致贫原因", true;
    "secondary_causes", "其他致贫原因", true;
    "monitoring", "监测对象类别", true;
    "housing_grade", "住房安全等级", true;
    "food", "不愁吃", true;
    "clothing", "不愁穿", true;
    "water", "饮水安全", true;
    "income_year", "收入年度", true;
    "wage", "工资性收入", true;
    "business", "生产经营性收入", true;
    "property", "财产性收入", true;
    "transfer", "转移性收入", true;
    "business_cost", "生产经营性支出", true;
    "medical_expense", "医疗自付支出", true;
    "education_expense", "教育支出", true;
    "disaster_loss", "灾害损失", true;
    "other_expense", "其他刚性支出", true;
    "phone", "联系电话", true;
    "bank_account", "银行账号", true;
    "id_number", "证件号码", false;
    "name", "姓名", false;
    "relation", "与户主关系", false;
    "labor", "劳动技能", false;
    "health", "健康状况", false;
    "disability_grade", "残疾等级", false;
    "school_status", "在校生状况", false;
    "medical_insurance", "参加城乡居民基本医疗保险", false;
    "pension_insurance", "参加城乡居民基本养老保险", false;
    "work_place", "务工状况", false;
    "work_months", "务工时间(月)", false;
    "join_reason", "增加原因", false;
    "leave_reason", "减少原因", false;
};

fn column(key: &str) -> usize {
    static INDEX: std::sync::LazyLock<HashMap<&'static str, usize>> =
        std::sync::LazyLock::new(|| {
            COLUMNS
                .iter()
                .enumerate()
                .map(|(i, c)| (c.key, i))
                .collect()
        });
    INDEX[key]
}

/// Which file format a path is, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format, StoreError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") | Some("xlsm") | Some("xls") => Ok(Format::Xlsx),
            Some("json") => Ok(Format::Json),
            _ => Err(StoreError::File(format!(
                "不支持的文件类型 / unsupported file type: {} (.csv, .xlsx or .json)",
                path.display()
            ))),
        }
    }
}

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
    pub areas: Vec<crate::model::Area>,
}

/// Reads a CSV, XLSX or assess-JSON file. `date` is the default income year's reference.
pub fn read_file(path: &Path, date: NaiveDate) -> Result<ReadOutcome, StoreError> {
    match Format::of(path)? {
        Format::Csv => {
            // Excel in Chinese saves CSV as GB18030 (GBK); anything that is not UTF-8 is read as that.
            let bytes = std::fs::read(path)?;
            let text: std::borrow::Cow<[u8]> = match std::str::from_utf8(&bytes) {
                Ok(_) => std::borrow::Cow::Borrowed(&bytes),
                Err(_) => {
                    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
                    if bad {
                        return Err(StoreError::File(format!(
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
                r.map(|r| r.iter().map(str::to_string).collect::<Vec<_>>())
                    .map_err(|e| StoreError::File(format!("{}: {e}", path.display())))
            });
            read_rows(rows, date)
        }
        Format::Xlsx => {
            use calamine::Reader;
            let mut wb = calamine::open_workbook_auto(path)
                .map_err(|e| StoreError::File(format!("{}: {e}", path.display())))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| {
                    StoreError::File(format!("{}: 没有工作表 / no worksheet", path.display()))
                })?
                .map_err(|e| StoreError::File(format!("{}: {e}", path.display())))?;
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
                StoreError::File(format!(
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

fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "有" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "无" => Some(false),
        _ => None,
    }
}

/// Reads the cells of one row, collecting errors.
struct RowReader<'a> {
    row: usize,
    cells: &'a [String],
    index: &'a [Option<usize>],
    headers: &'a [String],
    errors: Vec<RowError>,
}

impl RowReader<'_> {
    fn raw(&self, key: &str) -> &str {
        let i = column(key);
        self.index[i]
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.trim())
    }

    fn header(&self, key: &str) -> String {
        let i = column(key);
        self.index[i].map_or(key.to_string(), |c| self.headers[c].clone())
    }

    fn err(&mut self, key: &str, code: &str, zh: String, en: String) {
        let value = self.raw(key).to_string();
        let e = RowError::new(self.row, &self.header(key), &value, code, &zh, &en);
        self.errors.push(e);
    }

    fn text(&mut self, key: &str, required: bool) -> Option<String> {
        let v = self.raw(key).to_string();
        if v.is_empty() {
            if required {
                self.err(
                    key,
                    "required",
                    "必填项为空".into(),
                    "a required value is empty".into(),
                );
            }
            None
        } else {
            Some(v)
        }
    }

    fn code<T: CodeList>(&mut self, key: &str, required: bool) -> Option<T> {
        let v = self.text(key, required)?;
        let found = T::parse(&v).or_else(|| {
            // Tolerate a trailing 级 or a lower-case code.
            T::parse(v.trim_end_matches('级')).or_else(|| T::parse(&v.to_ascii_uppercase()))
        });
        if found.is_none() {
            let allowed: Vec<String> = T::all()
                .iter()
                .map(|c| format!("{}({})", c.zh(), c.code()))
                .collect();
            self.err(
                key,
                "unknown_code",
                format!("未知代码,可选:{}", allowed.join("、")),
                format!(
                    "unknown {} code; one of: {}",
                    T::LIST,
                    T::all()
                        .iter()
                        .map(|c| c.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        found
    }

    fn boolean(&mut self, key: &str, required: bool) -> Option<bool> {
        let v = self.text(key, required)?;
        let b = yes_no(&v);
        if b.is_none() {
            self.err(
                key,
                "invalid_bool",
                "应填“是”或“否”".into(),
                "must be yes (是) or no (否)".into(),
            );
        }
        b
    }

    fn money(&mut self, key: &str) -> Decimal {
        let Some(v) = self.text(key, false) else {
            return Decimal::ZERO;
        };
        match parse_money(&v) {
            Ok(d) => d,
            Err(e) => {
                let (zh, en) = e
                    .message()
                    .split_once(" / ")
                    .unwrap_or((e.message(), e.message()));
                self.err(key, e.code(), zh.to_string(), en.to_string());
                Decimal::ZERO
            }
        }
    }

    fn integer(&mut self, key: &str, lo: i64, hi: i64) -> Option<i64> {
        let v = self.text(key, false)?;
        match v.parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                self.err(
                    key,
                    "invalid_number",
                    format!("应为 {lo} 到 {hi} 的整数"),
                    format!("must be a whole number from {lo} to {hi}"),
                );
                None
            }
        }
    }
}

/// The household part of a row, parsed.
fn read_household(r: &mut RowReader, number: &str, date: NaiveDate) -> Option<HouseholdRecord> {
    let area = r
        .text("area_code", true)
        .and_then(|s| match fupin_core::AreaCode::parse(&s) {
            Ok(a) if a.level() == fupin_core::AreaLevel::Village => Some(a.as_str().to_string()),
            Ok(_) => {
                r.err(
                    "area_code",
                    "area_code",
                    "户的区划代码应到村级(12位)".into(),
                    "a household's area code must be a village (12 digits)".into(),
                );
                None
            }
            Err(e) => {
                r.err(
                    "area_code",
                    "area_code",
                    e.reason_zh.into(),
                    e.reason.into(),
                );
                None
            }
        });
    let status = r.code::<HouseholdStatus>("status", true);
    let attribute = r.code::<Attribute>("attribute", false);
    let main_cause = r.code::<Cause>("main_cause", false);
    let mut secondary_causes = Vec::new();
    let causes = r.raw("secondary_causes").to_string();
    for part in causes
        .split([';', ';', '、', ',', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match Cause::parse(part) {
            Some(c) => secondary_causes.push(c),
            None => r.err(
                "secondary_causes",
                "unknown_code",
                format!("未知致贫原因:{part}"),
                format!("unknown cause: {part}"),
            ),
        }
    }
    let monitoring = r.code::<MonitoringCategory>("monitoring", false);
    let housing_grade = r.code::<HousingGrade>("housing_grade", true);
    let food = r.boolean("food", true);
    let clothing = r.boolean("clothing", true);
    let water = r.boolean("water", true);
    let income = Income {
        wage: r.money("wage"),
        business: r.money("business"),
        property: r.money("property"),
        transfer: r.money("transfer"),
        business_cost: r.money("business_cost"),
    };
    let rigid_expense = RigidExpense {
        medical: r.money("medical_expense"),
        education: r.money("education_expense"),
        disaster: r.money("disaster_loss"),
        other: r.money("other_expense"),
    };
    let income_year = r
        .integer("income_year", 1949, 2200)
        .map(|y| y as i32)
        .or_else(|| {
            let any = ["wage", "business", "property", "transfer", "business_cost"]
                .iter()
                .any(|k| !r.raw(k).is_empty());
            any.then(|| date.year() - 1)
        });
    Some(HouseholdRecord {
        number: number.to_string(),
        area_code: area?,
        village_group: r.text("village_group", false),
        attribute,
        main_cause,
        secondary_causes,
        status: status?,
        monitoring,
        housing_grade: housing_grade?,
        food: food?,
        clothing: clothing?,
        water: water?,
        income_year,
        income,
        rigid_expense,
        phone: r.text("phone", false),
        bank_account: r.text("bank_account", false),
        version: 0,
        members: Vec::new(),
    })
}

/// A member row, parsed: the member, and why they join or leave.
type MemberRow = (MemberRecord, Option<JoinReason>, Option<LeaveReason>);

fn read_member(r: &mut RowReader) -> Option<MemberRow> {
    let id = r
        .text("id_number", true)
        .and_then(|s| match fupin_core::ResidentId::parse(&s) {
            Ok(id) => Some(id.as_str().to_string()),
            Err(e) => {
                r.err("id_number", e.code(), e.zh().into(), e.en().into());
                None
            }
        });
    let name = r.text("name", true);
    let relation = r.code::<Relation>("relation", true);
    let labor = r.code::<Labor>("labor", false);
    let health = r.code::<Health>("health", false);
    let disability_grade = r.integer("disability_grade", 1, 4);
    let school_status = r
        .code::<SchoolStatus>("school_status", false)
        .unwrap_or(SchoolStatus::NotInSchool);
    let medical_insurance = r.boolean("medical_insurance", false).unwrap_or(false);
    let pension_insurance = r.boolean("pension_insurance", false).unwrap_or(false);
    let work_place = r.code::<WorkPlace>("work_place", false);
    let work_months = r.integer("work_months", 0, 12);
    let join = r.text("join_reason", false).and_then(|s| {
        let j = JoinReason::parse(&s);
        if j.is_none() {
            r.err(
                "join_reason",
                "unknown_code",
                "增加原因应为:出生、婚入、其他".into(),
                "join reason: birth, marriage, other".into(),
            );
        }
        j
    });
    let leave = r.text("leave_reason", false).and_then(|s| {
        let l = LeaveReason::parse(&s);
        if l.is_none() {
            r.err(
                "leave_reason",
                "unknown_code",
                "减少原因应为:死亡、婚出、迁出、其他".into(),
                "leave reason: death, marriage, moved, other".into(),
            );
        }
        l
    });
    Some((
        MemberRecord {
            id_number: id?,
            name: name?,
            relation: relation?,
            labor,
            health,
            disability_grade,
            school_status,
            medical_insurance,
            pension_insurance,
            work_place,
            work_months,
        },
        join,
        leave,
    ))
}

struct Group {
    first_row: usize,
    household_cells: Vec<String>,
    record: Option<HouseholdRecord>,
    incoming: Option<Incoming>,
    bad: bool,
}

/// Reads the member sheet: a header row, then one row per member.
pub fn read_rows<I>(rows: I, date: NaiveDate) -> Result<ReadOutcome, StoreError>
where
    I: Iterator<Item = Result<Vec<String>, StoreError>>,
{
    let mut out = ReadOutcome::default();
    let mut rows = rows.enumerate().map(|(i, r)| r.map(|r| (i + 1, r)));
    // The header is the first non-empty row.
    let (header_row, headers) = loop {
        match rows.next() {
            None => return Err(StoreError::File("文件为空 / the file is empty".into())),
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
    let mut seen_people: HashMap<String, (usize, String)> = HashMap::new();
    for r in rows {
        let (row, cells) = r?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let mut rr = RowReader {
            row,
            cells: &cells,
            index: &index,
            headers: &headers,
            errors: Vec::new(),
        };
        let number = rr.raw("household_number").to_string();
        if number.is_empty() {
            rr.err(
                "household_number",
                "member_without_household",
                "成员行没有户编号".into(),
                "a member row without a household number".into(),
            );
            out.errors.append(&mut rr.errors);
            continue;
        }
        let cells_of = |rr: &RowReader| -> Vec<String> {
            hh_cols
                .iter()
                .map(|&i| {
                    index[i]
                        .and_then(|c| rr.cells.get(c))
                        .map_or(String::new(), |s| s.trim().to_string())
                })
                .collect()
        };
        let gi = match by_number.get(&number) {
            Some(&gi) => {
                let g = &groups[gi];
                for (k, &ci) in hh_cols.iter().enumerate() {
                    let key = COLUMNS[ci].key;
                    let mine = rr.raw(key);
                    if key != "household_number" && !mine.is_empty() && mine != g.household_cells[k]
                    {
                        let first = g.first_row;
                        rr.err(
                            key,
                            "household_mismatch",
                            format!("同一户的户信息与第{first}行不一致"),
                            format!(
                                "a household field differs from row {first} of the same household"
                            ),
                        );
                    }
                }
                gi
            }
            None => {
                let record = read_household(&mut rr, &number, date);
                groups.push(Group {
                    first_row: row,
                    household_cells: cells_of(&rr),
                    record,
                    incoming: None,
                    bad: false,
                });
                by_number.insert(number.clone(), groups.len() - 1);
                groups.len() - 1
            }
        };
        let has_member = !rr.raw("id_number").is_empty() || !rr.raw("name").is_empty();
        let member = if has_member {
            read_member(&mut rr)
        } else {
            None
        };
        if let Some((m, _, _)) = &member {
            if let Some((first, other)) = seen_people.get(&m.id_number) {
                let (zh, en) = if *other == number {
                    (
                        format!("同一人在本户重复(第{first}行)"),
                        format!("the same person repeats in this household (row {first})"),
                    )
                } else {
                    (
                        format!("同一人已在户 {other} 中(第{first}行)"),
                        format!("the same person is already in household {other} (row {first})"),
                    )
                };
                rr.err("id_number", "duplicate_person", zh, en);
            } else {
                seen_people.insert(m.id_number.clone(), (row, number.clone()));
            }
        }
        let g = &mut groups[gi];
        if !rr.errors.is_empty() {
            g.bad = true;
            out.errors
                .extend(rr.errors.into_iter().map(|e| e.in_household(&number)));
            continue;
        }
        if g.bad {
            continue;
        }
        let Some(record) = &g.record else { continue };
        let inc = g.incoming.get_or_insert_with(|| {
            let mut i = Incoming::new(record.clone());
            i.row = g.first_row;
            i.status_column = headers[index[column("status")].expect("checked")].clone();
            i.status_reason = cells
                .get(index[column("status_reason")].unwrap_or(usize::MAX))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            i
        });
        if let Some((m, join, leave)) = member {
            inc.member_rows.insert(m.id_number.clone(), row);
            match leave {
                Some(l) => inc.leaves.push((m.id_number.clone(), l)),
                None => {
                    if let Some(j) = join {
                        inc.joins.insert(m.id_number.clone(), j);
                    }
                    inc.record.members.push(m);
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
                (Ok(c), region) => out.areas.push(crate::model::Area {
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
        match fupin_core::input::parse_household(h, i, as_of) {
            Err(errors) => {
                for e in errors {
                    let column = match e.member {
                        Some(m) => format!("members[{m}].{}", e.field),
                        None => e.field.clone(),
                    };
                    let value = json_value(h, e.member, &e.field);
                    let (zh, en) = e
                        .message
                        .split_once(" / ")
                        .unwrap_or((&e.message, &e.message));
                    out.errors.push(
                        RowError::new(row, &column, &value, &e.code, zh, en)
                            .in_household(e.household.as_deref().unwrap_or("")),
                    );
                }
            }
            Ok(core) => {
                let s = |k: &str| {
                    h.get(k)
                        .and_then(|x| x.as_str())
                        .map(str::to_string)
                        .filter(|x| !x.is_empty())
                };
                let members: Vec<MemberRecord> = core
                    .members
                    .iter()
                    .enumerate()
                    .map(|(mi, m)| {
                        let raw = &h["members"][mi];
                        let int = |k: &str| raw.get(k).and_then(|x| x.as_i64());
                        MemberRecord {
                            id_number: m.id_number.as_str().to_string(),
                            name: m.name.clone(),
                            relation: m.relation,
                            labor: m.labor,
                            health: m.health,
                            disability_grade: int("disability_grade"),
                            school_status: m.school_status,
                            medical_insurance: m.medical_insured,
                            pension_insurance: raw
                                .get("pension_insured")
                                .and_then(|x| x.as_bool())
                                .unwrap_or(false),
                            work_place: raw
                                .get("work_place")
                                .and_then(|x| x.as_str())
                                .and_then(WorkPlace::parse),
                            work_months: int("work_months"),
                        }
                    })
                    .collect();
                let secondary_causes = h
                    .get("secondary_causes")
                    .and_then(|x| x.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().and_then(Cause::parse))
                            .collect()
                    })
                    .unwrap_or_default();
                let record = HouseholdRecord {
                    number: core.id.clone(),
                    area_code: core.area.as_str().to_string(),
                    village_group: s("village_group"),
                    attribute: core.attribute,
                    main_cause: core.main_cause,
                    secondary_causes,
                    status: core.status,
                    monitoring: s("monitoring").and_then(|m| MonitoringCategory::parse(&m)),
                    housing_grade: core.housing_grade,
                    food: core.food,
                    clothing: core.clothing,
                    water: core.water,
                    income_year: Some(
                        h.get("income_year")
                            .and_then(|y| y.as_i64())
                            .map_or(as_of.year() - 1, |y| y as i32),
                    ),
                    income: core.income.clone(),
                    rigid_expense: core.rigid_expense.clone(),
                    phone: s("phone"),
                    bank_account: s("bank_account"),
                    version: 0,
                    members,
                };
                let mut inc = Incoming::new(record);
                inc.row = row;
                inc.status_reason = s("status_reason");
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

/// The cells of a household's rows, one per member (one row with empty member cells when it has none).
pub fn household_rows(h: &HouseholdRecord) -> Vec<Vec<String>> {
    let b = |v: bool| if v { "是" } else { "否" }.to_string();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let code = |zh: Option<&'static str>| zh.unwrap_or("").to_string();
    let has_income = h.income_year.is_some();
    let money = |d: Decimal| if has_income { fmt2(d) } else { String::new() };
    let hh: Vec<String> = vec![
        h.number.clone(),
        h.area_code.clone(),
        o(&h.village_group),
        h.status.zh().to_string(),
        String::new(),
        code(h.attribute.map(|a| a.zh())),
        code(h.main_cause.map(|c| c.zh())),
        h.secondary_causes
            .iter()
            .map(|c| c.zh())
            .collect::<Vec<_>>()
            .join("、"),
        code(h.monitoring.map(|m| m.zh())),
        h.housing_grade.code().to_string(),
        b(h.food),
        b(h.clothing),
        b(h.water),
        h.income_year.map_or(String::new(), |y| y.to_string()),
        money(h.income.wage),
        money(h.income.business),
        money(h.income.property),
        money(h.income.transfer),
        money(h.income.business_cost),
        money(h.rigid_expense.medical),
        money(h.rigid_expense.education),
        money(h.rigid_expense.disaster),
        money(h.rigid_expense.other),
        o(&h.phone),
        o(&h.bank_account),
    ];
    let member_cells = |m: &MemberRecord| -> Vec<String> {
        vec![
            m.id_number.clone(),
            m.name.clone(),
            m.relation.zh().to_string(),
            code(m.labor.map(|l| l.zh())),
            code(m.health.map(|x| x.zh())),
            m.disability_grade.map_or(String::new(), |g| g.to_string()),
            m.school_status.zh().to_string(),
            b(m.medical_insurance),
            b(m.pension_insurance),
            code(m.work_place.map(|w| w.zh())),
            m.work_months.map_or(String::new(), |g| g.to_string()),
            String::new(),
            String::new(),
        ]
    };
    if h.members.is_empty() {
        let mut row = hh;
        row.resize(COLUMNS.len(), String::new());
        return vec![row];
    }
    h.members
        .iter()
        .map(|m| {
            let mut row = hh.clone();
            row.extend(member_cells(m));
            row
        })
        .collect()
}

/// A sheet being written, CSV or XLSX (constant memory).
pub enum SheetWriter {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Xlsx {
        workbook: Box<rust_xlsxwriter::Workbook>,
        path: std::path::PathBuf,
        row: u32,
    },
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> StoreError {
    StoreError::File(format!("XLSX: {e}"))
}

impl SheetWriter {
    /// Creates a CSV or XLSX file by extension, with a first sheet named `sheet`.
    pub fn create(path: &Path, sheet: &str) -> Result<SheetWriter, StoreError> {
        match Format::of(path)? {
            Format::Csv => {
                let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
                // A byte-order mark, so that Excel opens the UTF-8 file with its Chinese intact.
                std::io::Write::write_all(&mut f, "\u{feff}".as_bytes())?;
                let w = csv::Writer::from_writer(f);
                Ok(SheetWriter::Csv(Box::new(w)))
            }
            Format::Xlsx => {
                let mut workbook = Box::new(rust_xlsxwriter::Workbook::new());
                let fixed =
                    rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 1).map_err(xlsx_err)?;
                workbook.set_properties(
                    &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed),
                );
                let ws = workbook.add_worksheet_with_constant_memory();
                ws.set_name(sheet).map_err(xlsx_err)?;
                Ok(SheetWriter::Xlsx {
                    workbook,
                    path: path.to_path_buf(),
                    row: 0,
                })
            }
            Format::Json => Err(StoreError::File(
                "应为 .csv 或 .xlsx / expected .csv or .xlsx".into(),
            )),
        }
    }

    pub fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), StoreError> {
        match self {
            SheetWriter::Csv(w) => w
                .write_record(cells.iter().map(|c| c.as_ref()))
                .map_err(|e| StoreError::File(e.to_string())),
            SheetWriter::Xlsx { workbook, row, .. } => {
                let ws = workbook.worksheet_from_index(0).map_err(xlsx_err)?;
                for (c, v) in cells.iter().enumerate() {
                    if !v.as_ref().is_empty() {
                        ws.write_string(*row, c as u16, v.as_ref())
                            .map_err(xlsx_err)?;
                    }
                }
                *row += 1;
                Ok(())
            }
        }
    }

    /// Adds a second sheet (XLSX only) with the given rows.
    pub fn add_sheet(&mut self, name: &str, rows: &[Vec<String>]) -> Result<(), StoreError> {
        if let SheetWriter::Xlsx { workbook, .. } = self {
            let ws = workbook.add_worksheet();
            ws.set_name(name).map_err(xlsx_err)?;
            for (r, cells) in rows.iter().enumerate() {
                for (c, v) in cells.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, v).map_err(xlsx_err)?;
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), StoreError> {
        match self {
            SheetWriter::Csv(mut w) => w.flush().map_err(StoreError::from),
            SheetWriter::Xlsx {
                mut workbook, path, ..
            } => workbook.save(&path).map_err(xlsx_err),
        }
    }
}

/// The header row: Chinese headers, as the national system writes them.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.zh).collect()
}

/// Exports the households matching `filter` to a CSV or XLSX file, streaming; returns how many.
pub async fn export(
    repo: &dyn Repository,
    filter: &ExportFilter,
    path: &Path,
) -> Result<u64, StoreError> {
    let mut w = SheetWriter::create(path, "成员 members")?;
    w.write_row(&header())?;
    let mut sink = |h: &HouseholdRecord| -> Result<(), StoreError> {
        for row in household_rows(h) {
            w.write_row(&row)?;
        }
        Ok(())
    };
    let n = repo.export(filter, &mut sink).await?;
    w.finish()?;
    Ok(n)
}

/// The code lists, as rows: list, code, Chinese, English.
pub fn code_list_rows() -> Vec<Vec<String>> {
    fn list<T: CodeList>(column: &str, rows: &mut Vec<Vec<String>>) {
        for v in T::all() {
            rows.push(vec![
                column.to_string(),
                v.code().to_string(),
                v.zh().to_string(),
                v.en().to_string(),
            ]);
        }
    }
    let mut rows = vec![vec![
        "列 column".to_string(),
        "代码 code".into(),
        "中文".into(),
        "English".into(),
    ]];
    list::<HouseholdStatus>("户状态 status", &mut rows);
    list::<Attribute>("贫困户属性 attribute", &mut rows);
    list::<Cause>("致贫原因 cause", &mut rows);
    list::<MonitoringCategory>("监测对象类别 monitoring", &mut rows);
    list::<HousingGrade>("住房安全等级 housing_grade", &mut rows);
    list::<Relation>("与户主关系 relation", &mut rows);
    list::<Labor>("劳动技能 labor", &mut rows);
    list::<Health>("健康状况 health", &mut rows);
    list::<SchoolStatus>("在校生状况 school_status", &mut rows);
    list::<WorkPlace>("务工状况 work_place", &mut rows);
    for j in JoinReason::ALL {
        rows.push(vec![
            "增加原因 join_reason".into(),
            j.code().into(),
            j.zh().into(),
            j.code().into(),
        ]);
    }
    for l in LeaveReason::ALL {
        rows.push(vec![
            "减少原因 leave_reason".into(),
            l.code().into(),
            l.zh().into(),
            l.code().into(),
        ]);
    }
    for (v, zh) in [("yes", "是"), ("no", "否")] {
        rows.push(vec!["是/否 yes/no".into(), v.into(), zh.into(), v.into()]);
    }
    rows
}

/// Writes the empty template: the header row, and a second sheet with the code lists.
pub fn write_template(path: &Path) -> Result<(), StoreError> {
    let mut w = SheetWriter::create(path, "成员 members")?;
    w.write_row(&header())?;
    w.add_sheet("代码表 codes", &code_list_rows())?;
    w.finish()
}

/// Writes the error report (row, column, value, code, message in Chinese and English).
pub fn write_error_report(path: &Path, errors: &[RowError]) -> Result<(), StoreError> {
    let mut w = SheetWriter::create(path, "错误 errors")?;
    w.write_row(&[
        "行 row",
        "列 column",
        "值 value",
        "代码 code",
        "说明",
        "message",
        "户编号 household",
    ])?;
    for e in errors {
        w.write_row(&[
            e.row.to_string(),
            e.column.clone(),
            e.value.clone(),
            e.code.clone(),
            e.zh.clone(),
            e.en.clone(),
            e.household.clone().unwrap_or_default(),
        ])?;
    }
    w.finish()
}

/// Imports what [`read_file`] read: the file's errors and the database's together. All or nothing
/// unless `opts.partial`: with any error and no `partial`, nothing is written.
pub async fn import_read(
    repo: &dyn Repository,
    read: ReadOutcome,
    opts: &crate::repo::ImportOptions,
) -> Result<crate::repo::ImportOutcome, StoreError> {
    let mut run = opts.clone();
    let file_errors = !read.errors.is_empty();
    if file_errors && !opts.partial {
        run.dry_run = true;
    }
    let mut out = repo
        .import_with_areas(read.households, read.areas, &run)
        .await?;
    let bad: std::collections::HashSet<(&Option<String>, usize)> = read
        .errors
        .iter()
        .map(|e| (&e.household, if e.household.is_some() { 0 } else { e.row }))
        .collect();
    out.skipped += bad.len() as u64;
    let mut errors = read.errors.clone();
    errors.append(&mut out.errors);
    errors.sort_by_key(|e| e.row);
    out.errors = errors;
    if file_errors && !opts.partial {
        out.committed = false;
    }
    Ok(out)
}
