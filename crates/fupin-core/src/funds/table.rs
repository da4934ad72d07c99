//! The funds' tables as sheets (issue 14): their names, columns (Chinese header, English key) and
//! what each column holds. fupin-sheet reads and writes the files, fupin-store checks the rows and
//! writes them; both take the layout from here.

/// What a column holds: how a sheet writes it (numbers as numbers) and how a row is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Yuan with at most two decimal places.
    Money,
    /// A whole number.
    Int,
    /// A date: `YYYY-MM-DD` or an Excel date.
    Date,
}

/// A table of the funds that travels as a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Projects,
    Loans,
    Sources,
    Years,
    Allocations,
    Disbursements,
    Repayments,
    Subsidies,
    Assets,
    AssetIncome,
    Cooperatives,
}

/// Every table, in the order a county fills them (references point backwards).
pub const TABLES: &[Table] = &[
    Table::Sources,
    Table::Years,
    Table::Projects,
    Table::Allocations,
    Table::Disbursements,
    Table::Loans,
    Table::Repayments,
    Table::Subsidies,
    Table::Assets,
    Table::AssetIncome,
    Table::Cooperatives,
];

type Columns = &'static [(&'static str, &'static str)];

const PROJECTS: Columns = &[
    ("项目编号", "id"),
    ("年度", "year"),
    ("项目名称", "name"),
    ("项目类别", "kind"),
    ("村区划代码", "village"),
    ("预算(元)", "budget"),
    ("开工日期", "start"),
    ("完工日期", "end"),
    ("进度(%)", "progress_pct"),
    ("状态", "status"),
    ("受益户数", "households"),
    ("受益人数", "people"),
    ("带贫机制", "benefit"),
];
const LOANS: Columns = &[
    ("贷款编号", "id"),
    ("户编号", "household"),
    ("村区划代码", "village"),
    ("金额(元)", "amount"),
    ("期限(月)", "term_months"),
    ("担保", "guarantee"),
    ("抵押", "collateral"),
    ("发放日期", "start"),
    ("放贷银行", "bank"),
];
const SOURCES: Columns = &[
    ("来源编号", "id"),
    ("县区划代码", "county"),
    ("年度", "year"),
    ("级别", "level"),
    ("来源名称", "name"),
    ("金额(元)", "amount"),
    ("到位日期", "received_on"),
    ("备注", "note"),
];
const YEARS: Columns = &[
    ("县区划代码", "county"),
    ("年度", "year"),
    ("地方一般公共预算收入(元)", "local_revenue"),
    ("小额信贷任务(元)", "loan_task"),
];
const ALLOCATIONS: Columns = &[
    ("分配编号", "id"),
    ("县区划代码", "county"),
    ("年度", "year"),
    ("项目编号", "project"),
    ("资金类别", "category"),
    ("金额(元)", "amount"),
    ("分配日期", "date"),
    ("来源编号", "source"),
];
const DISBURSEMENTS: Columns = &[
    ("拨付编号", "id"),
    ("县区划代码", "county"),
    ("项目编号", "project"),
    ("金额(元)", "amount"),
    ("拨付日期", "date"),
];
const REPAYMENTS: Columns = &[
    ("县区划代码", "county"),
    ("贷款编号", "loan"),
    ("到期日", "due"),
    ("应还(元)", "amount"),
    ("已还(元)", "paid"),
    ("还款日期", "paid_on"),
];
const SUBSIDIES: Columns = &[
    ("县区划代码", "county"),
    ("贷款编号", "loan"),
    ("年度", "year"),
    ("贴息(元)", "amount"),
];
const ASSETS: Columns = &[
    ("资产编号", "id"),
    ("资产名称", "name"),
    ("资产类型", "kind"),
    ("村区划代码", "village"),
    ("装机容量(kW)", "capacity_kw"),
    ("分配方式", "split"),
    ("受益户编号", "household"),
    ("权重", "weight"),
];
const ASSET_INCOME: Columns = &[
    ("县区划代码", "county"),
    ("资产编号", "asset"),
    ("年度", "year"),
    ("收益(元)", "income"),
    ("村集体部分(元)", "collective"),
];
const COOPERATIVES: Columns = &[
    ("合作社编号", "id"),
    ("合作社名称", "name"),
    ("村区划代码", "village"),
    ("成员数", "members"),
    ("贫困户成员数", "poor_members"),
    ("受扶持", "supported"),
];

/// Levels of fund sources.
pub const SOURCE_LEVELS: &[(&str, &str, &str)] = &[
    ("central", "中央", "central"),
    ("province", "省级", "province"),
    ("city", "市级", "city"),
    ("county", "县级", "county"),
    ("helping_unit", "帮扶单位", "helping unit"),
    ("donation", "社会捐赠", "donation"),
];

/// Kinds of income-earning assets (another kind is kept as written).
pub const ASSET_KINDS: &[(&str, &str, &str)] = &[
    ("photovoltaic", "光伏电站", "photovoltaic station"),
    ("asset_income", "资产收益", "asset income"),
    ("shares", "三变入股", "shares"),
];

/// Statuses of a project.
pub const PROJECT_STATUSES: &[(&str, &str, &str)] = &[
    ("planned", "计划", "planned"),
    ("underway", "在建", "underway"),
    ("done", "完工", "done"),
    ("cancelled", "取消", "cancelled"),
];

impl Table {
    /// The name of `--table` and of the web form.
    pub fn code(self) -> &'static str {
        match self {
            Table::Projects => "projects",
            Table::Loans => "loans",
            Table::Sources => "sources",
            Table::Years => "years",
            Table::Allocations => "allocations",
            Table::Disbursements => "disbursements",
            Table::Repayments => "repayments",
            Table::Subsidies => "subsidies",
            Table::Assets => "assets",
            Table::AssetIncome => "asset-income",
            Table::Cooperatives => "cooperatives",
        }
    }

    pub fn parse(s: &str) -> Option<Table> {
        TABLES.iter().copied().find(|t| t.code() == s)
    }

    /// The codes of every table, for messages: `sources|years|...`.
    pub fn codes() -> String {
        TABLES
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join("|")
    }

    pub fn columns(self) -> Columns {
        match self {
            Table::Projects => PROJECTS,
            Table::Loans => LOANS,
            Table::Sources => SOURCES,
            Table::Years => YEARS,
            Table::Allocations => ALLOCATIONS,
            Table::Disbursements => DISBURSEMENTS,
            Table::Repayments => REPAYMENTS,
            Table::Subsidies => SUBSIDIES,
            Table::Assets => ASSETS,
            Table::AssetIncome => ASSET_INCOME,
            Table::Cooperatives => COOPERATIVES,
        }
    }

    /// The sheet's name (at most 31 characters): Chinese, then the code.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Table::Projects => "项目库 projects",
            Table::Loans => "小额信贷 loans",
            Table::Sources => "资金来源 sources",
            Table::Years => "收入和任务 years",
            Table::Allocations => "资金分配 allocations",
            Table::Disbursements => "资金拨付 disbursements",
            Table::Repayments => "还款计划 repayments",
            Table::Subsidies => "贴息 subsidies",
            Table::Assets => "收益资产 assets",
            Table::AssetIncome => "资产收益 asset-income",
            Table::Cooperatives => "合作社 cooperatives",
        }
    }

    /// The header of a column as the template writes it (`项目编号 id`); the key when unknown.
    pub fn header(self, key: &str) -> String {
        self.columns()
            .iter()
            .find(|(_, en)| *en == key)
            .map(|(zh, en)| format!("{zh} {en}"))
            .unwrap_or_else(|| key.to_string())
    }
}

/// A row of a funds sheet: its number as the spreadsheet shows it (the header is row 1) and its
/// cells by English key, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub row: usize,
    pub cells: std::collections::HashMap<&'static str, String>,
}

/// What a column holds, by its key (the same key means the same kind in every table).
pub fn kind(key: &str) -> Kind {
    match key {
        "budget" | "amount" | "paid" | "income" | "collective" | "local_revenue" | "loan_task" => {
            Kind::Money
        }
        "year" | "progress_pct" | "households" | "people" | "term_months" | "members"
        | "poor_members" => Kind::Int,
        "start" | "end" | "date" | "due" | "paid_on" | "received_on" => Kind::Date,
        _ => Kind::Text,
    }
}

/// A date cell: `YYYY-MM-DD`, or an Excel date serial (a whole number of days in the 1900 date
/// system, as a cell formatted as a number shows a date) from 1900-03-01 on. `None` otherwise.
pub fn date_of(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return (s.len() == 10).then_some(d);
    }
    // Excel's day 61 is 1900-03-01 (its day 60 is the 29 February 1900 that never was).
    let n: i64 = s.parse().ok()?;
    if !(61..=2_958_465).contains(&n) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_code_that_parses_back_and_a_short_sheet_name() {
        for t in TABLES {
            assert_eq!(Table::parse(t.code()), Some(*t));
            assert!(t.sheet_name().chars().count() <= 31, "{}", t.sheet_name());
        }
        assert_eq!(Table::parse("asset-income"), Some(Table::AssetIncome));
        assert_eq!(Table::parse("dividends"), None);
        assert_eq!(Table::Sources.header("amount"), "金额(元) amount");
    }

    #[test]
    fn dates_are_iso_or_excel_serials() {
        let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(date_of("2020-03-01"), d(2020, 3, 1));
        assert_eq!(date_of("43891"), d(2020, 3, 1));
        assert_eq!(date_of("61"), d(1900, 3, 1));
        assert_eq!(date_of("60"), None);
        assert_eq!(date_of("2020-3-1"), None);
        assert_eq!(date_of("2020-13-01"), None);
        assert_eq!(date_of("43891.5"), None);
    }
}
