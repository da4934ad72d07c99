//! The columns of the member sheet, and which file format a path is.

use crate::SheetError;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::LazyLock;

/// One column of the member sheet: its key (English header) and Chinese header.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    /// A household field (repeated on each member row) rather than a member field.
    pub household: bool,
}

impl Column {
    const fn household(key: &'static str, zh: &'static str) -> Column {
        Column {
            key,
            zh,
            household: true,
        }
    }

    const fn member(key: &'static str, zh: &'static str) -> Column {
        Column {
            key,
            zh,
            household: false,
        }
    }
}

/// The columns, in the order export and the template write them. The keys are the keys of
/// fupin-core's validator.
pub const COLUMNS: &[Column] = &[
    Column::household("household_number", "户编号"),
    Column::household("area_code", "行政区划代码"),
    Column::household("village_group", "村民小组"),
    Column::household("status", "户状态"),
    Column::household("status_reason", "状态变动原因"),
    Column::household("attribute", "贫困户属性"),
    Column::household("main_cause", "主要致贫原因"),
    Column::household("secondary_causes", "其他致贫原因"),
    Column::household("monitoring", "监测对象类别"),
    Column::household("housing_grade", "住房安全等级"),
    Column::household("food", "不愁吃"),
    Column::household("clothing", "不愁穿"),
    Column::household("water", "饮水安全"),
    Column::household("income_year", "收入年度"),
    Column::household("wage", "工资性收入"),
    Column::household("business", "生产经营性收入"),
    Column::household("property", "财产性收入"),
    Column::household("transfer", "转移性收入"),
    Column::household("business_cost", "生产经营性支出"),
    Column::household("medical_expense", "医疗自付支出"),
    Column::household("education_expense", "教育支出"),
    Column::household("disaster_loss", "灾害损失"),
    Column::household("other_expense", "其他刚性支出"),
    Column::household("phone", "联系电话"),
    Column::household("bank_account", "银行账号"),
    Column::member("id_number", "证件号码"),
    Column::member("name", "姓名"),
    Column::member("relation", "与户主关系"),
    Column::member("labor", "劳动技能"),
    Column::member("health", "健康状况"),
    Column::member("disability_grade", "残疾等级"),
    Column::member("school_status", "在校生状况"),
    Column::member("medical_insurance", "参加城乡居民基本医疗保险"),
    Column::member("pension_insurance", "参加城乡居民基本养老保险"),
    Column::member("work_place", "务工状况"),
    Column::member("work_months", "务工时间(月)"),
    Column::member("join_reason", "增加原因"),
    Column::member("leave_reason", "减少原因"),
];

/// The position of a column in [`COLUMNS`], by key.
pub(crate) fn column(key: &str) -> usize {
    // Asked for every field of every row: a cheap hash of the short keys (FNV-1a), not SipHash.
    static INDEX: LazyLock<HashMap<&'static str, usize, BuildHasherDefault<Fnv>>> =
        LazyLock::new(|| {
            COLUMNS
                .iter()
                .enumerate()
                .map(|(i, c)| (c.key, i))
                .collect()
        });
    INDEX[key]
}

/// FNV-1a: a fast hash for the column keys (no untrusted keys reach it).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The header row: Chinese headers, as the national system writes them.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.zh).collect()
}

/// Which file format a path is, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format, SheetError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") | Some("xlsm") => Ok(Format::Xlsx),
            Some("json") => Ok(Format::Json),
            _ => Err(SheetError::File(format!(
                "不支持的文件类型 / unsupported file type: {} (.csv, .xlsx or .json; save .xls as .xlsx)",
                path.display()
            ))),
        }
    }
}
