//! Funds, projects, small loans and dividends (DOMAIN.md §14): the money rules of one county and
//! year, checked from plain data.
//!
//! - `industry_relief_share`: allocations to `industry` and `relief` at least
//!   `industry_relief_min_pct` of all allocated poverty funds (Suining);
//! - `special_fund_revenue_share`: the county's own special poverty fund at least
//!   `special_fund_min_revenue_pct` of local general fiscal revenue (Shangzhou);
//! - `special_fund_growth`: that fund grows at least `special_fund_min_growth_pct` on the previous
//!   year, growth = (this − previous) ÷ previous (Shangzhou);
//! - a supported cooperative has poor-household members at least `cooperative_min_poor_pct` of its
//!   members (Suining);
//! - a small loan (扶贫小额信贷) is at most `[small_loan] max_amount` yuan for at most
//!   `max_term_months`, without guarantee or collateral; overdue repayments are listed;
//! - an asset's income is divided in fen among its beneficiary households (equal shares or weights),
//!   the fen left over one each to the households in ascending household-number order.
//!
//! Percentages are exact: compared unrounded (by cross-multiplication, no division), thresholds
//! inclusive, shown rounded half away from zero to two places. A check whose inputs are absent is
//! left out.

use crate::money::{fmt2, Decimal};
use crate::policy::{Policy, PolicyError};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::str::FromStr;

/// The largest amount of any funds field: 1,000,000,000,000.00 yuan (一万亿元), far above any
/// county's revenue or funds (a household's money fields stop at [`crate::money::MAX_MONEY`]).
pub const MAX_FUNDS: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// Allocation categories: where poverty funds go.
pub const CATEGORIES: &[&str] = &[
    "industry",
    "relief",
    "infrastructure",
    "education",
    "health",
    "housing",
    "relocation",
    "employment",
    "admin",
    "other",
];

/// The categories counted by `industry_relief_share`.
pub const INDUSTRY_RELIEF: &[&str] = &["industry", "relief"];

/// The label of an allocation category: (zh, en).
pub fn category_label(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "industry" => ("产业发展", "industry"),
        "relief" => ("以工代赈", "work relief"),
        "infrastructure" => ("基础设施", "infrastructure"),
        "education" => ("教育", "education"),
        "health" => ("健康医疗", "health"),
        "housing" => ("危房改造", "housing"),
        "relocation" => ("易地搬迁", "relocation"),
        "employment" => ("就业培训", "employment"),
        "admin" => ("项目管理费", "administration"),
        "other" => ("其他", "other"),
        _ => return None,
    })
}

/// Check and violation codes with their labels: (zh, en).
pub fn check_label(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "industry_relief_share" => (
            "产业发展和以工代赈资金占比",
            "share of funds to industry and relief",
        ),
        "special_fund_revenue_share" => (
            "县级专项扶贫资金占地方一般公共预算收入比例",
            "county special fund as a share of local revenue",
        ),
        "special_fund_growth" => (
            "县级专项扶贫资金增长率",
            "growth of the county special fund",
        ),
        "cooperative_poor_share" => (
            "合作社贫困户成员占比",
            "share of poor households among cooperative members",
        ),
        "loan_amount" => ("贷款金额超过上限", "loan above the maximum amount"),
        "loan_term" => ("贷款期限超过上限", "loan term above the maximum"),
        "loan_guarantee" => ("贷款要求担保", "loan asks for a guarantee"),
        "loan_collateral" => ("贷款要求抵押", "loan asks for collateral"),
        _ => return None,
    })
}

/// The policy values of the funds rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub industry_relief_min_pct: Decimal,
    pub special_fund_min_revenue_pct: Decimal,
    pub special_fund_min_growth_pct: Decimal,
    pub cooperative_min_poor_pct: Decimal,
    pub loan_max_amount: Decimal,
    pub loan_max_term_months: Decimal,
}

impl Rules {
    /// The rules of a policy (national or a region's).
    pub fn from_policy(p: &Policy<'_>) -> Result<Rules, PolicyError> {
        Ok(Rules {
            industry_relief_min_pct: p.percent("industry_relief_min_pct")?.value,
            special_fund_min_revenue_pct: p.percent("special_fund_min_revenue_pct")?.value,
            special_fund_min_growth_pct: p.percent("special_fund_min_growth_pct")?.value,
            cooperative_min_poor_pct: p.percent("cooperative_min_poor_pct")?.value,
            loan_max_amount: p.small_loan("max_amount")?.value,
            loan_max_term_months: p.small_loan("max_term_months")?.value,
        })
    }
}

/// The checked data of one county and year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub year: i32,
    pub county: String,
    /// The date overdue repayments are counted at (default: the year's last day).
    pub as_of: Option<NaiveDate>,
    pub local_revenue: Option<Decimal>,
    pub special_fund: Option<SpecialFund>,
    pub allocations: Vec<Allocation>,
    pub cooperatives: Vec<Cooperative>,
    pub loan_task: Option<Decimal>,
    /// `None` when the input says nothing about loans.
    pub loans: Option<Vec<Loan>>,
    pub assets: Vec<Asset>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpecialFund {
    pub this_year: Decimal,
    pub previous_year: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub project: String,
    pub category: String,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cooperative {
    pub name: String,
    pub members: u32,
    pub poor_members: u32,
    pub supported: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Loan {
    pub id: String,
    pub household: String,
    pub amount: Decimal,
    pub term_months: u32,
    pub guarantee: bool,
    pub collateral: bool,
    pub start: Option<NaiveDate>,
    pub repayments: Vec<Repayment>,
}

/// One scheduled repayment of a loan: due date, amount due, amount paid.
#[derive(Debug, Clone, PartialEq)]
pub struct Repayment {
    pub due: NaiveDate,
    pub amount: Decimal,
    pub paid: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Equal,
    Weights,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub id: String,
    pub kind: String,
    pub income: Decimal,
    pub split: Split,
    pub beneficiaries: Vec<Beneficiary>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Beneficiary {
    pub household: String,
    pub weight: Decimal,
}

/// The result of the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub year: i32,
    pub county: String,
    pub checks: Vec<CheckResult>,
    pub cooperatives: Vec<CooperativeResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loans: Option<LoanSummary>,
    pub dividends: Vec<Dividend>,
    pub errors: Vec<FundsError>,
}

impl Report {
    /// Whether every check, cooperative and loan keeps the rules.
    pub fn all_ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
            && self.cooperatives.iter().all(|c| c.ok)
            && self.loans.as_ref().is_none_or(|l| l.violations.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub code: String,
    pub ok: bool,
    pub value_pct: String,
    pub threshold_pct: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CooperativeResult {
    pub name: String,
    pub poor_share_pct: String,
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanSummary {
    pub count: u64,
    pub amount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_pct: Option<String>,
    pub violations: Vec<Violation>,
    /// Repayments due before the as-of date and not paid in full, oldest first.
    pub overdue: Vec<Overdue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub loan: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    pub loan: String,
    pub household: String,
    pub due: NaiveDate,
    /// The amount due and not paid.
    pub outstanding: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dividend {
    pub asset: String,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub household: String,
    pub amount: String,
}

/// A bad field of the input: its JSON path (`loans[2].amount`, 0-based), the item's id when it has
/// one, a stable code and a message in Chinese and English. The item is left out of the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundsError {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub code: String,
    pub message: String,
}

/// An input that cannot be checked at all (not an object, no year or county).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Formats an amount of fen as yuan with two places.
pub fn fen_to_yuan(fen: i64) -> String {
    fmt2(Decimal::new(fen, 2))
}

/// An amount in yuan as whole fen (amounts are checked to have at most two places).
pub fn yuan_to_fen(d: Decimal) -> i64 {
    let mut x = d * Decimal::from(100);
    x.rescale(0);
    i64::try_from(x.mantissa()).unwrap_or(i64::MAX)
}

/// `part ÷ whole × 100`, for display only (comparisons use [`at_least`]).
pub fn pct(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    part.checked_mul(Decimal::from(100))
        .and_then(|p| p.checked_div(whole))
        .unwrap_or(Decimal::MAX)
}

/// Whether `part ÷ whole × 100 ≥ threshold`, exactly (whole > 0).
pub fn at_least(part: Decimal, whole: Decimal, threshold: Decimal) -> bool {
    match (
        part.checked_mul(Decimal::from(100)),
        threshold.checked_mul(whole),
    ) {
        (Some(l), Some(r)) => l >= r,
        // Beyond the range of Decimal: fall back to the quotient.
        _ => pct(part, whole) >= threshold,
    }
}

/// Divides `income_fen` among weighted households: each gets the floor of income × weight ÷ the
/// sum of weights, and the fen left over go one each to the households in ascending
/// household-number order. The shares, in ascending household order, add up to the income.
/// Weights are positive with at most 4 decimal places; an empty list gets nothing.
pub fn divide(income_fen: i64, weights: &[(String, Decimal)]) -> Vec<(String, i64)> {
    let mut list: Vec<(String, Decimal)> = weights.to_vec();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    if list.is_empty() || income_fen <= 0 {
        return list.into_iter().map(|(h, _)| (h, 0)).collect();
    }
    // Weights as integers of a common scale, so every step is exact integer arithmetic.
    let scale = list.iter().map(|(_, w)| w.scale()).max().unwrap_or(0);
    let ints: Vec<u128> = list
        .iter()
        .map(|(_, w)| {
            let mut x = *w;
            x.rescale(scale);
            x.mantissa().max(0) as u128
        })
        .collect();
    let total: u128 = ints.iter().sum();
    if total == 0 {
        return list.into_iter().map(|(h, _)| (h, 0)).collect();
    }
    let income = income_fen as u128;
    let mut shares: Vec<u128> = ints.iter().map(|w| income * w / total).collect();
    let mut left = income - shares.iter().sum::<u128>();
    for s in shares.iter_mut() {
        if left == 0 {
            break;
        }
        *s += 1;
        left -= 1;
    }
    list.into_iter()
        .zip(shares)
        .map(|((h, _), s)| (h, s as i64))
        .collect()
}

/// Checks one county and year.
pub fn check(input: &Input, rules: &Rules) -> Report {
    let mut checks = Vec::new();
    let check = |code: &str, part: Decimal, whole: Decimal, threshold: Decimal| CheckResult {
        code: code.to_string(),
        ok: at_least(part, whole, threshold),
        value_pct: fmt2(pct(part, whole)),
        threshold_pct: fmt2(threshold),
    };
    let total: Decimal = input.allocations.iter().map(|a| a.amount).sum();
    if total > Decimal::ZERO {
        let part: Decimal = input
            .allocations
            .iter()
            .filter(|a| INDUSTRY_RELIEF.contains(&a.category.as_str()))
            .map(|a| a.amount)
            .sum();
        checks.push(check(
            "industry_relief_share",
            part,
            total,
            rules.industry_relief_min_pct,
        ));
    }
    if let Some(fund) = &input.special_fund {
        if let Some(revenue) = input.local_revenue.filter(|r| *r > Decimal::ZERO) {
            checks.push(check(
                "special_fund_revenue_share",
                fund.this_year,
                revenue,
                rules.special_fund_min_revenue_pct,
            ));
        }
        if let Some(prev) = fund.previous_year.filter(|p| *p > Decimal::ZERO) {
            checks.push(check(
                "special_fund_growth",
                fund.this_year - prev,
                prev,
                rules.special_fund_min_growth_pct,
            ));
        }
    }
    let cooperatives = input
        .cooperatives
        .iter()
        .filter(|c| c.supported && c.members > 0)
        .map(|c| {
            let (p, m) = (Decimal::from(c.poor_members), Decimal::from(c.members));
            CooperativeResult {
                name: c.name.clone(),
                poor_share_pct: fmt2(pct(p, m)),
                ok: at_least(p, m, rules.cooperative_min_poor_pct),
            }
        })
        .collect();
    let loans = (input.loans.is_some() || input.loan_task.is_some()).then(|| {
        let loans = input.loans.as_deref().unwrap_or_default();
        let as_of = input
            .as_of
            .or_else(|| NaiveDate::from_ymd_opt(input.year, 12, 31))
            .unwrap_or_default();
        summarise_loans(loans, input.loan_task, as_of, rules)
    });
    let dividends = input
        .assets
        .iter()
        .map(|a| Dividend {
            asset: a.id.clone(),
            shares: asset_shares(a)
                .into_iter()
                .map(|(household, fen)| Share {
                    household,
                    amount: fen_to_yuan(fen),
                })
                .collect(),
        })
        .collect();
    Report {
        year: input.year,
        county: input.county.clone(),
        checks,
        cooperatives,
        loans,
        dividends,
        errors: Vec::new(),
    }
}

/// The shares of an asset's income, in fen, in ascending household order.
pub fn asset_shares(a: &Asset) -> Vec<(String, i64)> {
    let weights: Vec<(String, Decimal)> = a
        .beneficiaries
        .iter()
        .map(|b| {
            let w = match a.split {
                Split::Equal => Decimal::ONE,
                Split::Weights => b.weight,
            };
            (b.household.clone(), w)
        })
        .collect();
    divide(yuan_to_fen(a.income), &weights)
}

/// The codes of the small-loan rules a loan breaks, in code order.
pub fn loan_violations(l: &Loan, rules: &Rules) -> Vec<&'static str> {
    let mut v = Vec::new();
    if l.amount > rules.loan_max_amount {
        v.push("loan_amount");
    }
    if l.collateral {
        v.push("loan_collateral");
    }
    if l.guarantee {
        v.push("loan_guarantee");
    }
    if Decimal::from(l.term_months) > rules.loan_max_term_months {
        v.push("loan_term");
    }
    v
}

/// Count, amount, task completion, violations (by loan id, then code) and overdue repayments.
pub fn summarise_loans(
    loans: &[Loan],
    task: Option<Decimal>,
    as_of: NaiveDate,
    rules: &Rules,
) -> LoanSummary {
    let amount: Decimal = loans.iter().map(|l| l.amount).sum();
    let mut violations: Vec<Violation> = loans
        .iter()
        .flat_map(|l| {
            loan_violations(l, rules).into_iter().map(|c| Violation {
                loan: l.id.clone(),
                code: c.to_string(),
            })
        })
        .collect();
    violations.sort_by(|a, b| a.loan.cmp(&b.loan).then(a.code.cmp(&b.code)));
    let mut overdue: Vec<Overdue> = loans
        .iter()
        .flat_map(|l| {
            l.repayments
                .iter()
                .filter(|r| r.due < as_of && r.paid < r.amount)
                .map(|r| Overdue {
                    loan: l.id.clone(),
                    household: l.household.clone(),
                    due: r.due,
                    outstanding: fmt2(r.amount - r.paid),
                })
        })
        .collect();
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.loan.cmp(&b.loan)));
    LoanSummary {
        count: loans.len() as u64,
        amount: fmt2(amount),
        task_pct: task
            .filter(|t| *t > Decimal::ZERO)
            .map(|t| fmt2(pct(amount, t))),
        violations,
        overdue,
    }
}

// ---- reading the JSON input ----

struct Reader {
    errors: Vec<FundsError>,
}

impl Reader {
    fn err(&mut self, field: String, item: Option<&str>, code: &str, zh: &str, en: &str) {
        self.errors.push(FundsError {
            field,
            item: item.map(str::to_string),
            code: code.to_string(),
            message: format!("{zh} / {en}"),
        });
    }

    fn money(&mut self, v: Option<&Value>, field: String, item: Option<&str>) -> Option<Decimal> {
        let v = match v {
            None | Some(Value::Null) => {
                self.err(field, item, "required", "缺少金额", "amount is missing");
                return None;
            }
            Some(v) => v,
        };
        match parse_amount(v) {
            Ok(d) => Some(d),
            Err((code, zh, en)) => {
                self.err(field, item, code, zh, en);
                None
            }
        }
    }

    fn opt_money(&mut self, v: Option<&Value>, field: String) -> Option<Decimal> {
        match v {
            None | Some(Value::Null) => None,
            v => self.money(v, field, None),
        }
    }

    fn text(&mut self, o: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match o.get(key).and_then(Value::as_str).map(str::trim) {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            _ => {
                self.err(
                    format!("{path}.{key}"),
                    None,
                    "required",
                    &format!("缺少 {key}"),
                    &format!("{key} is missing"),
                );
                None
            }
        }
    }

    fn list<'v>(&mut self, root: &'v Map<String, Value>, key: &str) -> Option<&'v Vec<Value>> {
        match root.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a),
            Some(_) => {
                self.err(
                    key.to_string(),
                    None,
                    "not_a_list",
                    "应为列表",
                    "must be a list",
                );
                None
            }
        }
    }
}

/// Parses an amount of yuan: a string or number, non-negative, at most two places, at most
/// [`MAX_FUNDS`]. The error is (code, zh, en).
pub fn parse_amount(v: &Value) -> Result<Decimal, (&'static str, &'static str, &'static str)> {
    let s = match v {
        Value::String(s) => s.trim().replace(',', ""),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err((
                "money_format",
                "金额应为数字",
                "money must be a decimal number",
            ))
        }
    };
    let d = Decimal::from_str(&s).map_err(|_| {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            ("money_too_large", "金额超过上限", "money above the limit")
        } else {
            (
                "money_format",
                "金额应为数字",
                "money must be a decimal number",
            )
        }
    })?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(("money_negative", "金额不能为负", "money cannot be negative"));
    }
    if d.normalize().scale() > 2 {
        return Err((
            "money_precision",
            "金额最多两位小数(分)",
            "money has at most two decimal places (fen)",
        ));
    }
    if d > MAX_FUNDS {
        return Err((
            "money_too_large",
            "金额超过上限 1000000000000.00 元",
            "money above the limit of 1000000000000.00 yuan",
        ));
    }
    Ok(d)
}

fn date(v: Option<&Value>) -> Option<Result<NaiveDate, ()>> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| ()))
        }
        Some(_) => Some(Err(())),
    }
}

fn flag(v: Option<&Value>) -> Option<bool> {
    match v {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Reads the JSON input of `fupin funds check`. Bad items are reported in the errors and left out;
/// only an input without an object, year or county is refused whole.
pub fn parse(v: &Value) -> Result<(Input, Vec<FundsError>), InputError> {
    let root = v.as_object().ok_or_else(|| {
        InputError(
            "文件应为 JSON 对象 {\"year\": ..., \"county\": ...} / the file must be a JSON object {\"year\": ..., \"county\": ...}".into(),
        )
    })?;
    let year = root
        .get("year")
        .and_then(Value::as_i64)
        .filter(|y| (1949..=2200).contains(y))
        .ok_or_else(|| {
            InputError("year 应为年份(如 2020)/ `year` must be a year such as 2020".into())
        })? as i32;
    let county = root
        .get("county")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            InputError(
                "缺少 county(县级区划代码)/ `county` (the county's area code) is missing".into(),
            )
        })?
        .to_string();
    let mut r = Reader { errors: Vec::new() };
    let mut input = Input {
        year,
        county,
        ..Input::default()
    };
    match date(root.get("as_of")) {
        None => {}
        Some(Ok(d)) => input.as_of = Some(d),
        Some(Err(())) => r.err(
            "as_of".into(),
            None,
            "date_format",
            "日期应为 YYYY-MM-DD",
            "date must be YYYY-MM-DD",
        ),
    }
    input.local_revenue = r.opt_money(root.get("local_revenue"), "local_revenue".into());
    match root.get("special_fund") {
        None | Some(Value::Null) => {}
        Some(Value::Object(o)) => {
            let this = r.money(o.get("this_year"), "special_fund.this_year".into(), None);
            let prev = r.opt_money(o.get("previous_year"), "special_fund.previous_year".into());
            if let Some(this_year) = this {
                input.special_fund = Some(SpecialFund {
                    this_year,
                    previous_year: prev,
                });
            }
        }
        Some(_) => r.err(
            "special_fund".into(),
            None,
            "not_an_object",
            "应为 {\"this_year\": ..., \"previous_year\": ...}",
            "must be {\"this_year\": ..., \"previous_year\": ...}",
        ),
    }
    if let Some(list) = r.list(root, "allocations") {
        for (i, a) in list.iter().enumerate() {
            let path = format!("allocations[{i}]");
            let Some(o) = a.as_object() else {
                r.err(path, None, "not_an_object", "应为对象", "must be an object");
                continue;
            };
            let project = o
                .get("project")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let item = (!project.is_empty()).then_some(project.as_str());
            let category = o.get("category").and_then(Value::as_str).unwrap_or("");
            let cat_ok = CATEGORIES.contains(&category);
            if !cat_ok {
                r.err(
                    format!("{path}.category"),
                    item,
                    "unknown_category",
                    &format!("未知类别 {category:?},可选:{}", CATEGORIES.join(", ")),
                    &format!(
                        "unknown category {category:?}; known: {}",
                        CATEGORIES.join(", ")
                    ),
                );
            }
            let amount = r.money(o.get("amount"), format!("{path}.amount"), item);
            if let (true, Some(amount)) = (cat_ok, amount) {
                input.allocations.push(Allocation {
                    project: project.clone(),
                    category: category.to_string(),
                    amount,
                });
            }
        }
    }
    if let Some(list) = r.list(root, "cooperatives") {
        for (i, c) in list.iter().enumerate() {
            let path = format!("cooperatives[{i}]");
            let Some(o) = c.as_object() else {
                r.err(path, None, "not_an_object", "应为对象", "must be an object");
                continue;
            };
            let Some(name) = r.text(o, "name", &path) else {
                continue;
            };
            let count = |k: &str| {
                o.get(k)
                    .and_then(Value::as_u64)
                    .filter(|n| *n <= u32::MAX as u64)
            };
            let (Some(members), Some(poor)) = (count("members"), count("poor_members")) else {
                r.err(
                    format!("{path}.members"),
                    Some(&name),
                    "count_format",
                    "members 和 poor_members 应为非负整数",
                    "members and poor_members must be whole numbers from 0",
                );
                continue;
            };
            if poor > members || members == 0 {
                r.err(
                    format!("{path}.poor_members"),
                    Some(&name),
                    "poor_members_range",
                    "贫困户成员数应在 0 到成员数之间,成员数至少为 1",
                    "poor_members must be from 0 to members, and members at least 1",
                );
                continue;
            }
            let Some(supported) = flag(o.get("supported")) else {
                r.err(
                    format!("{path}.supported"),
                    Some(&name),
                    "bool_format",
                    "应为 true 或 false",
                    "must be true or false",
                );
                continue;
            };
            input.cooperatives.push(Cooperative {
                name,
                members: members as u32,
                poor_members: poor as u32,
                supported,
            });
        }
    }
    input.loan_task = r.opt_money(root.get("loan_task"), "loan_task".into());
    if let Some(list) = r.list(root, "loans") {
        let mut loans = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, l) in list.iter().enumerate() {
            if let Some(loan) = read_loan(&mut r, l, i) {
                if !seen.insert(loan.id.clone()) {
                    r.err(
                        format!("loans[{i}].id"),
                        Some(&loan.id),
                        "duplicate_id",
                        "贷款编号重复",
                        "the loan id appears twice",
                    );
                    continue;
                }
                loans.push(loan);
            }
        }
        input.loans = Some(loans);
    }
    if let Some(list) = r.list(root, "assets") {
        for (i, a) in list.iter().enumerate() {
            if let Some(asset) = read_asset(&mut r, a, i) {
                input.assets.push(asset);
            }
        }
    }
    Ok((input, r.errors))
}

fn read_loan(r: &mut Reader, l: &Value, i: usize) -> Option<Loan> {
    let path = format!("loans[{i}]");
    let Some(o) = l.as_object() else {
        r.err(path, None, "not_an_object", "应为对象", "must be an object");
        return None;
    };
    let id = r.text(o, "id", &path)?;
    let item = Some(id.as_str());
    let household = r.text(o, "household", &path);
    let amount = r.money(o.get("amount"), format!("{path}.amount"), item);
    let term = o
        .get("term_months")
        .and_then(Value::as_u64)
        .filter(|n| (1..=600).contains(n));
    if term.is_none() {
        r.err(
            format!("{path}.term_months"),
            item,
            "term_format",
            "期限应为 1 到 600 之间的月数",
            "term_months must be a number of months from 1 to 600",
        );
    }
    let guarantee = flag(o.get("guarantee"));
    let collateral = flag(o.get("collateral"));
    for (k, b) in [("guarantee", guarantee), ("collateral", collateral)] {
        if b.is_none() {
            r.err(
                format!("{path}.{k}"),
                item,
                "bool_format",
                "应为 true 或 false",
                "must be true or false",
            );
        }
    }
    let start = match date(o.get("start")) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(())) => {
            r.err(
                format!("{path}.start"),
                item,
                "date_format",
                "日期应为 YYYY-MM-DD",
                "date must be YYYY-MM-DD",
            );
            return None;
        }
    };
    let mut repayments = Vec::new();
    let mut bad = false;
    if let Some(Value::Array(list)) = o.get("repayments") {
        for (j, p) in list.iter().enumerate() {
            let rp = format!("{path}.repayments[{j}]");
            let Some(po) = p.as_object() else {
                r.err(rp, item, "not_an_object", "应为对象", "must be an object");
                bad = true;
                continue;
            };
            let due = match date(po.get("due")) {
                Some(Ok(d)) => Some(d),
                _ => {
                    r.err(
                        format!("{rp}.due"),
                        item,
                        "date_format",
                        "到期日应为 YYYY-MM-DD",
                        "due must be YYYY-MM-DD",
                    );
                    None
                }
            };
            let amount = r.money(po.get("amount"), format!("{rp}.amount"), item);
            let paid = match po.get("paid") {
                None | Some(Value::Null) => Some(Decimal::ZERO),
                v => r.money(v, format!("{rp}.paid"), item),
            };
            match (due, amount, paid) {
                (Some(due), Some(amount), Some(paid)) => {
                    repayments.push(Repayment { due, amount, paid })
                }
                _ => bad = true,
            }
        }
    }
    match (household, amount, term, guarantee, collateral, bad) {
        (Some(household), Some(amount), Some(term), Some(guarantee), Some(collateral), false) => {
            Some(Loan {
                id,
                household,
                amount,
                term_months: term as u32,
                guarantee,
                collateral,
                start,
                repayments,
            })
        }
        _ => None,
    }
}

fn read_asset(r: &mut Reader, a: &Value, i: usize) -> Option<Asset> {
    let path = format!("assets[{i}]");
    let Some(o) = a.as_object() else {
        r.err(path, None, "not_an_object", "应为对象", "must be an object");
        return None;
    };
    let id = r.text(o, "id", &path)?;
    let item = Some(id.as_str());
    let kind = o
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("other")
        .to_string();
    let income = r.money(o.get("income"), format!("{path}.income"), item);
    let split = match o.get("split").and_then(Value::as_str).unwrap_or("equal") {
        "equal" => Some(Split::Equal),
        "weights" => Some(Split::Weights),
        other => {
            r.err(
                format!("{path}.split"),
                item,
                "unknown_split",
                &format!("分配方式 {other:?} 应为 equal 或 weights"),
                &format!("split {other:?} must be equal or weights"),
            );
            None
        }
    };
    let mut beneficiaries = Vec::new();
    let mut seen = BTreeSet::new();
    let mut bad = false;
    let list = o.get("beneficiaries").and_then(Value::as_array);
    if list.is_none_or(|l| l.is_empty()) {
        r.err(
            format!("{path}.beneficiaries"),
            item,
            "no_beneficiaries",
            "收益户名单为空",
            "the asset has no beneficiary households",
        );
        return None;
    }
    for (j, b) in list.into_iter().flatten().enumerate() {
        let bp = format!("{path}.beneficiaries[{j}]");
        let household = b
            .get("household")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let Some(household) = household else {
            r.err(
                format!("{bp}.household"),
                item,
                "required",
                "缺少户编号",
                "household is missing",
            );
            bad = true;
            continue;
        };
        if !seen.insert(household.to_string()) {
            r.err(
                format!("{bp}.household"),
                item,
                "duplicate_household",
                &format!("户 {household} 重复"),
                &format!("household {household} appears twice"),
            );
            bad = true;
            continue;
        }
        let weight = match b.get("weight") {
            None | Some(Value::Null) => Some(Decimal::ONE),
            Some(v) => parse_weight(v),
        };
        let Some(weight) = weight else {
            r.err(format!("{bp}.weight"), item, "weight_format", "权重应为大于 0、至多 1000000、最多四位小数的数", "weight must be a number above 0, at most 1000000, with at most four decimal places");
            bad = true;
            continue;
        };
        beneficiaries.push(Beneficiary {
            household: household.to_string(),
            weight,
        });
    }
    match (income, split, bad) {
        (Some(income), Some(split), false) => Some(Asset {
            id,
            kind,
            income,
            split,
            beneficiaries,
        }),
        _ => None,
    }
}

/// A dividend weight: above 0, at most 1,000,000, at most four decimal places.
pub fn parse_weight(v: &Value) -> Option<Decimal> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Decimal::from_str(&s).ok().filter(|w| {
        *w > Decimal::ZERO && *w <= Decimal::from(1_000_000) && w.normalize().scale() <= 4
    })
}

/// Reads and checks a JSON input: the report with the input's errors.
pub fn check_json(v: &Value, rules: &Rules) -> Result<Report, InputError> {
    let (input, errors) = parse(v)?;
    let mut report = check(&input, rules);
    report.errors = errors;
    Ok(report)
}

/// The villages whose assets gave the village collective income in `year` and in no earlier year
/// (a poor village's first collective income), sorted. `assets`: (asset id, village code);
/// `collective`: (asset id, year, the collective's part of its income).
pub fn first_collective_income(
    assets: &[(String, String)],
    collective: &[(String, i32, Decimal)],
    year: i32,
) -> Vec<String> {
    let village_of = |asset: &str| {
        assets
            .iter()
            .find(|(id, _)| id == asset)
            .map(|(_, v)| v.clone())
    };
    let mut this = BTreeSet::new();
    let mut before = BTreeSet::new();
    for (asset, y, amount) in collective {
        if *amount <= Decimal::ZERO {
            continue;
        }
        let Some(v) = village_of(asset) else { continue };
        if *y == year {
            this.insert(v);
        } else if *y < year {
            before.insert(v);
        }
    }
    this.difference(&before).cloned().collect()
}

/// The last day of a year (the default as-of date of overdue repayments).
pub fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()
}

/// Whether a date falls in a year.
pub fn in_year(d: NaiveDate, year: i32) -> bool {
    d.year() == year
}

pub mod table;

#[cfg(test)]
mod tests;
