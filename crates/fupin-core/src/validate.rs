//! The one validator of a household and its members, whatever carries them: the JSON of `fupin
//! assess` and of the web forms and API, or a row of the member sheet (CSV, XLSX). A reader hands
//! over its fields by key (the member sheet's English header: `area_code`, `wage`, `id_number`); the
//! validator checks every rule and returns the registry's record, or typed errors (a stable code,
//! the text in Chinese and English, the field's key, the member). Readers place the errors (row,
//! column as written in the header, JSON path) without parsing any text.
//!
//! The JSON and the sheet differ where they always have: the JSON is typed (`true`, numbers, lists),
//! requires `medical_insured` but not `relation`, and names the value in its messages; the sheet
//! holds text (是/否, `1200.50`), tolerates a trailing 级 or a lower-case code, and shows the value
//! in a column of its own. The fields the JSON carries beside the assessment (`monitoring`, `phone`,
//! `work_place`, ...) are read quietly: a bad one is left out rather than refused.

use crate::area::{AreaCode, AreaLevel};
use crate::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, MonitoringCategory,
    Relation, SchoolStatus, WorkPlace,
};
use crate::id::ResidentId;
use crate::model::{Income, RigidExpense};
use crate::money::{check_money, parse_money, Decimal, MoneyError};
use crate::registry::{HouseholdRecord, JoinReason, LeaveReason, MemberRecord};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::str::FromStr;

#[cfg(test)]
mod tests;

/// Where the fields come from; decides the few rules in which the JSON and the sheet differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Json,
    Sheet,
}

/// One value as a reader found it.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Json(&'a serde_json::Value),
    /// A cell's text (trimmed, never empty: an empty cell is absent).
    Cell(&'a str),
}

/// The fields of one household (or one member) by key.
pub trait Fields {
    fn source(&self) -> Source;
    /// The value of a field, `None` when it is absent (or JSON `null`, or an empty cell).
    fn get(&self, key: &'static str) -> Option<Value<'_>>;
    /// The field's name in the JSON's messages (`wage` for `income.wage`); the key by default.
    fn name(&self, key: &'static str) -> &'static str {
        key
    }
    /// Errors of the source's shape in a group of fields (`income`, `rigid_expense`): a JSON group
    /// that is not an object, or has unknown keys. Called before the group's fields are read.
    fn shape(&self, _group: &'static str) -> Vec<HouseholdError> {
        Vec::new()
    }
}

/// What is wrong with one field of a household or member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdError {
    /// The key of the field (`area_code`, `wage`, `id_number`), or for an error of the JSON's shape
    /// its path (`income.wages`).
    pub field: String,
    /// The member, 1-based within the household, when the reader knows it.
    pub member: Option<usize>,
    /// Stable code: `required`, `missing_field`, `invalid_type`, `unknown_code`, `area_code`,
    /// `id_checksum`, `money_negative`, ...
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl HouseholdError {
    pub fn new(
        field: &str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> HouseholdError {
        HouseholdError {
            field: field.to_string(),
            member: None,
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The message of the JSON: Chinese, then English.
    pub fn message(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

/// A member as validated, with why they join or leave (the member sheet's last two columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub member: MemberRecord,
    pub join: Option<JoinReason>,
    pub leave: Option<LeaveReason>,
}

/// The money parts of the income and of the rigid expenses, by key, with their group.
pub const INCOME_KEYS: [&str; 5] = ["wage", "business", "property", "transfer", "business_cost"];
pub const RIGID_KEYS: [&str; 4] = [
    "medical_expense",
    "education_expense",
    "disaster_loss",
    "other_expense",
];

/// Validates the household fields of `f` (not its members). `date` gives the default income year:
/// the year before it.
pub fn household<F: Fields + ?Sized>(
    f: &F,
    date: NaiveDate,
) -> Result<HouseholdRecord, Vec<HouseholdError>> {
    let mut c = Check::new(f);
    let number = c
        .text("household_number", true)
        .and_then(|s| match household_number(&s) {
            Ok(()) => Some(s),
            Err(e) => {
                c.invalid("household_number", e, &s);
                None
            }
        });
    let area = c
        .text("area_code", true)
        .and_then(|s| match village_area(&s) {
            Ok(a) => Some(a),
            Err(e) => {
                c.invalid("area_code", e, &s);
                None
            }
        });
    let status = c.code::<HouseholdStatus>("status", true);
    let attribute = c.code::<Attribute>("attribute", false);
    let main_cause = c.code::<Cause>("main_cause", false);
    let secondary_causes = c.causes("secondary_causes");
    let monitoring = c.quietly(|c| c.code::<MonitoringCategory>("monitoring", false));
    c.shape("income");
    let [wage, business, property, transfer, business_cost] =
        INCOME_KEYS.map(|k| c.money(k, false));
    c.shape("rigid_expense");
    let [medical, education, disaster, other] = RIGID_KEYS.map(|k| c.money(k, false));
    let food = c.boolean("food", true);
    let clothing = c.boolean("clothing", true);
    let water = c.boolean("water", true);
    let housing_grade = c.code::<HousingGrade>("housing_grade", true);
    let village_group = c.quietly(|c| c.text("village_group", false));
    let phone = c.quietly(|c| c.text("phone", false));
    let bank_account = c.quietly(|c| c.text("bank_account", false));
    let income_year = c.integer("income_year", 1949, 2200).map(|y| y as i32);
    let income_year = match f.source() {
        Source::Json => Some(income_year.unwrap_or(date.year() - 1)),
        Source::Sheet => income_year.or_else(|| {
            let any = INCOME_KEYS.iter().any(|k| f.get(k).is_some());
            any.then(|| date.year() - 1)
        }),
    };
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(HouseholdRecord {
        number: number.expect("checked"),
        area_code: area.expect("checked").as_str().to_string(),
        village_group,
        attribute,
        main_cause,
        secondary_causes,
        status: status.expect("checked"),
        monitoring,
        housing_grade: housing_grade.expect("checked"),
        food: food.expect("checked"),
        clothing: clothing.expect("checked"),
        water: water.expect("checked"),
        income_year,
        income: Income {
            wage: wage.unwrap_or_default(),
            business: business.unwrap_or_default(),
            property: property.unwrap_or_default(),
            transfer: transfer.unwrap_or_default(),
            business_cost: business_cost.unwrap_or_default(),
        },
        rigid_expense: RigidExpense {
            medical: medical.unwrap_or_default(),
            education: education.unwrap_or_default(),
            disaster: disaster.unwrap_or_default(),
            other: other.unwrap_or_default(),
        },
        phone,
        bank_account,
        version: 0,
        members: Vec::new(),
    })
}

/// Validates one member. `born_by`, when given, refuses a member born after it (the JSON's
/// assessment date).
pub fn member<F: Fields + ?Sized>(
    f: &F,
    born_by: Option<NaiveDate>,
) -> Result<MemberRow, Vec<HouseholdError>> {
    let mut c = Check::new(f);
    let json = f.source() == Source::Json;
    let id = c
        .text("id_number", true)
        .and_then(|s| match resident_id(&s) {
            Ok(id) if born_by.is_some_and(|d| id.birth_date() > d) => {
                c.err(
                    "id_number",
                    "id_birth_date",
                    format!(
                        "出生日期 {} 晚于评估日期 {}",
                        id.birth_date(),
                        born_by.expect("checked")
                    ),
                    "born after the assessment date",
                );
                None
            }
            Ok(id) => Some(id),
            Err(e) => {
                c.invalid("id_number", e, &s);
                None
            }
        });
    let name = c.text("name", true).and_then(|s| match person_name(&s) {
        Ok(()) => Some(s),
        Err(e) => {
            c.invalid("name", e, &s);
            None
        }
    });
    let relation = c.code::<Relation>("relation", !json);
    let school_status = c.code::<SchoolStatus>("school_status", false);
    let medical_insurance = c.boolean("medical_insurance", json);
    let labor = c.code::<Labor>("labor", false);
    let health = c.code::<Health>("health", false);
    let disability_grade = c.integer("disability_grade", 1, 4);
    let pension_insurance = c.quietly(|c| c.boolean("pension_insurance", false));
    let work_place = c.quietly(|c| c.code::<WorkPlace>("work_place", false));
    let work_months = c.integer("work_months", 0, 12);
    let join = c.text("join_reason", false).and_then(|s| {
        let j = JoinReason::parse(&s);
        if j.is_none() {
            c.err(
                "join_reason",
                "unknown_code",
                "增加原因应为:出生、婚入、其他",
                "join reason: birth, marriage, other",
            );
        }
        j
    });
    let leave = c.text("leave_reason", false).and_then(|s| {
        let l = LeaveReason::parse(&s);
        if l.is_none() {
            c.err(
                "leave_reason",
                "unknown_code",
                "减少原因应为:死亡、婚出、迁出、其他",
                "leave reason: death, marriage, moved, other",
            );
        }
        l
    });
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    Ok(MemberRow {
        member: MemberRecord {
            id_number: id.expect("checked").as_str().to_string(),
            name: name.expect("checked"),
            relation: relation.unwrap_or(Relation::Other),
            labor,
            health,
            disability_grade,
            school_status: school_status.unwrap_or(SchoolStatus::NotInSchool),
            medical_insurance: medical_insurance.unwrap_or(false),
            pension_insurance: pension_insurance.unwrap_or(false),
            work_place,
            work_months,
        },
        join,
        leave,
    })
}

/// The rule's verdict on one value: a code and the text in Chinese and English, without the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

/// A household's area: a valid 12-digit village code.
pub fn village_area(s: &str) -> Result<AreaCode, Invalid> {
    match AreaCode::parse(s) {
        Ok(a) if a.level() == AreaLevel::Village => Ok(a),
        Ok(_) => Err(Invalid {
            code: "area_code",
            zh: "户的区划代码应到村级(12位)".into(),
            en: "a household's area code must be a village (12 digits)".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

impl From<crate::area::AreaError> for Invalid {
    fn from(e: crate::area::AreaError) -> Invalid {
        Invalid {
            code: crate::area::AreaError::CODE,
            zh: e.reason_zh.into(),
            en: e.reason.into(),
        }
    }
}

/// The longest household number: [`household_number`].
pub const MAX_HOUSEHOLD_NUMBER: usize = 32;
/// The longest name of a person, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// The most members one household may have. The largest rural households have about 15 people; a
/// household of more is a mistake or a crafted file, refused before any member is checked.
pub const MAX_MEMBERS: usize = 50;
/// The longest text of any other field (village group, phone, bank account, a code), in characters.
pub const MAX_TEXT_CHARS: usize = 100;

/// A household number: 1 to 32 ASCII letters, digits, `-` or `_`, starting with a letter or digit
/// (`140525100201001`: the village code and a sequence; `H00001`). No path characters (`../`), no
/// full-width digits, no spaces: it names files, URLs and audit entries.
pub fn household_number(s: &str) -> Result<(), Invalid> {
    let ok = !s.is_empty()
        && s.len() <= MAX_HOUSEHOLD_NUMBER
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        return Ok(());
    }
    Err(Invalid {
        code: "household_number",
        zh: format!("户编号应为1到{MAX_HOUSEHOLD_NUMBER}位半角字母、数字、-或_"),
        en: format!(
            "a household number is 1 to {MAX_HOUSEHOLD_NUMBER} ASCII letters, digits, - or _"
        ),
    })
}

/// A household with more than [`MAX_MEMBERS`] members (`count` of them).
pub fn too_many_members(count: usize) -> HouseholdError {
    HouseholdError::new(
        "members",
        "too_many_members",
        format!("一户最多{MAX_MEMBERS}名成员,此户有{count}名"),
        format!("a household has at most {MAX_MEMBERS} members; this one has {count}"),
    )
}

/// A person's name: at most [`MAX_NAME_CHARS`] characters (control characters are refused for
/// every text field by the reader of the field).
pub fn person_name(s: &str) -> Result<(), Invalid> {
    if s.chars().count() <= MAX_NAME_CHARS {
        return Ok(());
    }
    Err(Invalid {
        code: "name_too_long",
        zh: format!("姓名超过{MAX_NAME_CHARS}个字"),
        en: format!("a name has at most {MAX_NAME_CHARS} characters"),
    })
}

/// Any text field: no control characters (NUL, line breaks, tabs, escape) and at most `max`
/// characters.
pub fn plain_text(s: &str, max: usize) -> Result<(), Invalid> {
    if s.chars().any(char::is_control) {
        return Err(Invalid {
            code: "control_character",
            zh: "含有控制字符(如换行、制表符或 NUL)".into(),
            en: "contains a control character (a line break, tab or NUL)".into(),
        });
    }
    if s.chars().count() > max {
        return Err(Invalid {
            code: "text_too_long",
            zh: format!("超过{max}个字"),
            en: format!("longer than {max} characters"),
        });
    }
    Ok(())
}

/// Why a member joins, where members are added one at a time (web form, API): required, the code
/// or the Chinese label of [`JoinReason`].
pub fn join_reason(s: &str) -> Result<JoinReason, Invalid> {
    let known = "出生、婚入、其他 / birth, marriage, other";
    reason(
        s,
        JoinReason::parse,
        "增加成员须填写原因",
        "a member who joins needs a reason",
        known,
    )
}

/// Why a member leaves, where members are removed one at a time (web form, API): required, the
/// code or the Chinese label of [`LeaveReason`].
pub fn leave_reason(s: &str) -> Result<LeaveReason, Invalid> {
    let known = "死亡、婚出、迁出、其他 / death, marriage, moved, other";
    reason(
        s,
        LeaveReason::parse,
        "减少成员须填写原因",
        "a member who leaves needs a reason",
        known,
    )
}

fn reason<T>(
    s: &str,
    parse: fn(&str) -> Option<T>,
    zh: &str,
    en: &str,
    known: &str,
) -> Result<T, Invalid> {
    if s.trim().is_empty() {
        return Err(Invalid {
            code: "required",
            zh: zh.into(),
            en: en.into(),
        });
    }
    parse(s).ok_or_else(|| Invalid {
        code: "unknown_code",
        zh: format!("原因应为 {known}"),
        en: format!("the reason must be one of {known}"),
    })
}

/// The date of a member change, YYYY-MM-DD: required, not after `today`.
pub fn change_date(s: &str, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, Invalid> {
    if s.trim().is_empty() {
        return Err(Invalid {
            code: "required",
            zh: "成员变动须填写日期".into(),
            en: "a member change needs a date".into(),
        });
    }
    match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) if d <= today => Ok(d),
        Ok(_) => Err(Invalid {
            code: "date_in_future",
            zh: "变动日期不能晚于今天".into(),
            en: "the date of the change cannot be after today".into(),
        }),
        Err(_) => Err(Invalid {
            code: "date",
            zh: "日期应为 YYYY-MM-DD".into(),
            en: "the date must be YYYY-MM-DD".into(),
        }),
    }
}

/// A member's ID number.
pub fn resident_id(s: &str) -> Result<ResidentId, Invalid> {
    ResidentId::parse(s).map_err(|e| Invalid {
        code: e.code(),
        zh: e.zh().into(),
        en: e.en().into(),
    })
}

/// Yes or no as the sheet writes it: 是/否, yes/no, y/n, true/false, 1/0, 有/无.
pub fn yes_no(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "有" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "无" => Some(false),
        _ => None,
    }
}

/// A code of a list as the sheet writes it: the code or its Chinese label, tolerating a trailing
/// 级 and a lower-case code.
pub fn sheet_code<T: CodeList>(s: &str) -> Option<T> {
    T::parse(s).or_else(|| {
        T::parse(s.trim_end_matches('级')).or_else(|| T::parse(&s.to_ascii_uppercase()))
    })
}

/// An amount as the JSON gives it: a number, or a decimal string (commas and exponents allowed).
pub(crate) fn json_money(v: &serde_json::Value) -> Result<Decimal, MoneyError> {
    if let serde_json::Value::Number(n) = v {
        // A number beyond the range of a decimal (1e30) is still a number: too large, not a format.
        if n.as_f64().is_some_and(|f| f > 1e8) {
            return Err(MoneyError::TooLarge);
        }
    }
    let text = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.trim().replace(',', ""),
        _ => String::new(),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| crate::money::not_a_decimal(&text))
        .and_then(check_money)
}

/// The errors of a JSON group's shape (`income`, `indicators`): not an object, or keys not in
/// `known` (a typo in a money part would otherwise count as 0). Fields are `group.key`.
pub fn json_group_shape(
    value: Option<&serde_json::Value>,
    group: &str,
    known: &[&str],
) -> Vec<HouseholdError> {
    match value {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Object(obj)) => obj
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| {
                HouseholdError::new(
                    &format!("{group}.{k}"),
                    "unknown_field",
                    format!("未知字段 {k}"),
                    format!("unknown field {k}; known: {}", known.join(", ")),
                )
            })
            .collect(),
        Some(_) => vec![not_an_object(group)],
    }
}

/// A JSON value that should be an object.
pub fn not_an_object(what: &str) -> HouseholdError {
    HouseholdError::new(
        what,
        "invalid_type",
        format!("{what} 应为对象"),
        format!("{what} must be an object"),
    )
}

/// Reads the fields of one record, collecting errors (also the villages and counties of the JSON).
pub(crate) struct Check<'a, F: Fields + ?Sized> {
    f: &'a F,
    json: bool,
    pub(crate) errors: Vec<HouseholdError>,
}

impl<'a, F: Fields + ?Sized> Check<'a, F> {
    pub(crate) fn new(f: &'a F) -> Self {
        Check {
            f,
            json: f.source() == Source::Json,
            errors: Vec::new(),
        }
    }

    pub(crate) fn err(
        &mut self,
        key: &str,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.errors.push(HouseholdError::new(key, code, zh, en));
    }

    /// A rule's verdict on `value`: the JSON names the value in its message; the sheet shows it in
    /// a column of its own.
    pub(crate) fn invalid(&mut self, key: &str, e: Invalid, value: &str) {
        let en = if self.json {
            format!("{}: {value}", e.en)
        } else {
            e.en
        };
        self.err(key, e.code, e.zh, en);
    }

    /// Runs `read`; from the JSON, a field read this way is left out rather than refused.
    fn quietly<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let before = self.errors.len();
        let v = read(self);
        if self.json && self.errors.len() > before {
            self.errors.truncate(before);
            return None;
        }
        v
    }

    fn shape(&mut self, group: &'static str) {
        let mut e = self.f.shape(group);
        self.errors.append(&mut e);
    }

    fn missing(&mut self, key: &'static str) {
        if self.json {
            let n = self.f.name(key);
            self.err(
                key,
                "missing_field",
                format!("缺少必填字段 {n}"),
                format!("required field {n} is missing"),
            );
        } else {
            self.err(key, "required", "必填项为空", "a required value is empty");
        }
    }

    fn wrong_type(&mut self, key: &'static str, zh: &str, en: &str) {
        let n = self.f.name(key);
        self.err(
            key,
            "invalid_type",
            format!("{n} {zh}"),
            format!("{n} {en}"),
        );
    }

    fn get(&mut self, key: &'static str, required: bool) -> Option<Value<'a>> {
        let v = self.f.get(key);
        if v.is_none() && required {
            self.missing(key);
        }
        v
    }

    pub(crate) fn text(&mut self, key: &'static str, required: bool) -> Option<String> {
        let s = self.raw_text(key, required)?;
        // Names and household numbers have rules of their own length; every text is checked for
        // control characters.
        let max = match key {
            "name" | "household_number" => usize::MAX,
            _ => MAX_TEXT_CHARS,
        };
        match plain_text(&s, max) {
            Ok(()) => Some(s),
            Err(e) => {
                let shown: String = s.escape_debug().take(60).collect();
                self.invalid(key, e, &shown);
                None
            }
        }
    }

    fn raw_text(&mut self, key: &'static str, required: bool) -> Option<String> {
        match self.get(key, required)? {
            Value::Cell(s) => Some(s.trim().to_string()),
            Value::Json(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                Some(s.trim().to_string())
            }
            Value::Json(serde_json::Value::String(_)) if !required => None,
            Value::Json(serde_json::Value::Number(n)) => Some(n.to_string()),
            Value::Json(_) => {
                self.wrong_type(key, "应为文字", "must be a non-empty string");
                None
            }
        }
    }

    pub(crate) fn code<T: CodeList>(&mut self, key: &'static str, required: bool) -> Option<T> {
        let s = self.text(key, required)?;
        if self.json {
            let v = T::parse(&s);
            if v.is_none() {
                let known: Vec<_> = T::all().iter().map(|c| c.code()).collect();
                self.err(
                    key,
                    "unknown_code",
                    format!("未知代码 {s:?}"),
                    format!(
                        "unknown {} code {s:?}; known: {}",
                        T::LIST,
                        known.join(", ")
                    ),
                );
            }
            return v;
        }
        let v = sheet_code::<T>(&s);
        if v.is_none() {
            let allowed: Vec<String> = T::all()
                .iter()
                .map(|c| format!("{}({})", c.zh(), c.code()))
                .collect();
            let codes: Vec<&str> = T::all().iter().map(|c| c.code()).collect();
            self.err(
                key,
                "unknown_code",
                format!("未知代码,可选:{}", allowed.join("、")),
                format!("unknown {} code; one of: {}", T::LIST, codes.join(", ")),
            );
        }
        v
    }

    /// Causes: a JSON list, or a cell listing them separated by `;`, `、` or `,`.
    fn causes(&mut self, key: &'static str) -> Vec<Cause> {
        let mut out = Vec::new();
        match self.get(key, false) {
            None => {}
            Some(Value::Cell(s)) => {
                for part in s.split([';', ';', '、', ',', ',']).map(str::trim) {
                    if part.is_empty() {
                        continue;
                    }
                    match Cause::parse(part) {
                        Some(c) => out.push(c),
                        None => self.err(
                            key,
                            "unknown_code",
                            format!("未知致贫原因:{part}"),
                            format!("unknown cause: {part}"),
                        ),
                    }
                }
            }
            Some(Value::Json(serde_json::Value::Array(list))) => {
                for x in list {
                    match x.as_str().and_then(Cause::parse) {
                        Some(c) => out.push(c),
                        None => self.err(
                            key,
                            "unknown_code",
                            format!("未知代码 {x}"),
                            format!("unknown {} code {x}", Cause::LIST),
                        ),
                    }
                }
            }
            Some(Value::Json(_)) => self.wrong_type(key, "应为列表", "must be a list"),
        }
        out
    }

    pub(crate) fn boolean(&mut self, key: &'static str, required: bool) -> Option<bool> {
        match self.get(key, required)? {
            Value::Cell(s) => {
                let b = yes_no(s);
                if b.is_none() {
                    self.err(
                        key,
                        "invalid_bool",
                        "应填“是”或“否”",
                        "must be yes (是) or no (否)",
                    );
                }
                b
            }
            Value::Json(serde_json::Value::Bool(b)) => Some(*b),
            Value::Json(_) => {
                self.wrong_type(key, "应为 true 或 false", "must be true or false");
                None
            }
        }
    }

    /// A non-negative amount; absent is `None` (zero when not required).
    pub(crate) fn money(&mut self, key: &'static str, required: bool) -> Option<Decimal> {
        let (parsed, shown) = match self.get(key, required)? {
            Value::Cell(s) => (parse_money(s), None),
            Value::Json(v) => (json_money(v), Some(v.to_string())),
        };
        match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                let en = match shown {
                    Some(shown) => format!("{} ({shown})", e.en()),
                    None => e.en().to_string(),
                };
                self.err(key, e.code(), e.zh(), en);
                None
            }
        }
    }

    /// A required count (a whole number ≥ 0).
    pub(crate) fn count(&mut self, key: &'static str) -> Option<u64> {
        let n = match self.get(key, true)? {
            Value::Json(v) => v.as_u64(),
            Value::Cell(s) => s.parse().ok(),
        };
        if n.is_none() {
            self.wrong_type(key, "应为非负整数", "must be a whole number ≥ 0");
        }
        n
    }

    /// A whole number from `lo` to `hi`; the JSON's whole numbers are taken as they are.
    fn integer(&mut self, key: &'static str, lo: i64, hi: i64) -> Option<i64> {
        match self.get(key, false)? {
            Value::Json(v) => v.as_i64(),
            Value::Cell(s) => match s.parse::<i64>() {
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
            },
        }
    }
}

/// The people of a file, by ID number: the same person twice, in one household or in two, is
/// refused where they appear again.
#[derive(Debug, Default)]
pub struct People {
    /// ID number → (row, household) where first seen.
    seen: HashMap<String, (usize, String)>,
}

impl People {
    /// Records that `id` stands at `row` in `household`; an error when seen before.
    pub fn place(&mut self, id: &str, household: &str, row: usize) -> Result<(), Invalid> {
        let Some((first, other)) = self.seen.get(id) else {
            self.seen
                .insert(id.to_string(), (row, household.to_string()));
            return Ok(());
        };
        let (zh, en) = if other == household {
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
        Err(Invalid {
            code: "duplicate_person",
            zh,
            en,
        })
    }
}
