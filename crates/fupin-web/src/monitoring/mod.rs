//! Return-to-poverty monitoring on the web (防返贫监测, DOMAIN.md §13, docs/monitoring.md): the
//! monitoring page of an area (signals to verify, cases by step with days open and deadline,
//! overdue first), a case's steps (each level its own: `fupin_core::monitoring::may_record`), the
//! department file upload with its alerts, risk elimination with its checks in words, the
//! household page's section (monitoring code and its QR code), and the public self-report page
//! (农户自主申报: no sign-in, a receipt number only). [`service`] holds the operations; [`api`] and
//! [`pages`] are thin.

pub mod api;
pub mod pages;
pub mod service;

use fupin_core::monitoring::{Alert, CaseTiming};
use fupin_store::monitoring::{Case, Signal};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case with its timing (days open, deadline, overdue) under the policy of its area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseRow {
    pub case: Case,
    pub timing: CaseTiming,
}

/// The monitoring of an area: new signals to verify, and cases (overdue first, then the longest
/// open; decided cases after the open ones).
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub area: String,
    pub signals: Vec<Signal>,
    pub cases: Vec<CaseRow>,
}

/// `?area=` (default: the user's area).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
}

/// A step to record on a case.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewStepBody {
    /// `home_verification`, `village_appraisal`, `public_notice`, `township_review`, `county_decision`.
    pub step: Option<String>,
    /// YYYY-MM-DD (default today).
    pub date: Option<String>,
    pub note: Option<String>,
    /// The names of the documents the step rests on.
    #[serde(default)]
    pub documents: Vec<String>,
    /// The county decision: `enrolled` or `rejected`.
    pub outcome: Option<String>,
    /// An enrolment's category: `unstable`, `marginal` or `sudden_hardship`.
    pub category: Option<String>,
}

/// A case opened by a cadre's visit (or from a signal).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewCaseBody {
    /// The signal's date, YYYY-MM-DD (default today).
    pub date: Option<String>,
    /// What was found.
    pub detail: Option<String>,
}

/// Why a signal is dismissed (required) and when (default today).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DismissBody {
    /// 排除原因(必填)/ why the signal is dismissed (required)
    pub reason: Option<String>,
    /// YYYY-MM-DD (default today).
    pub date: Option<String>,
}

/// A risk elimination's evidence.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EliminationBody {
    pub months_above_line: Option<u32>,
    pub rigid_expense_resolved: Option<bool>,
    /// Lives on social-security measures (default: judged from the attribute 低保/特困).
    pub social_security: Option<bool>,
    /// Record it (default false: only judge).
    #[serde(default)]
    pub record: bool,
    pub case: Option<String>,
    pub note: Option<String>,
    /// YYYY-MM-DD (default today).
    pub date: Option<String>,
}

/// A failed check in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckText {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// A risk elimination judged (and recorded when asked).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EliminationResult {
    pub household: String,
    pub eligible: bool,
    pub failed: Vec<CheckText>,
    pub recorded: bool,
}

/// The outcome of a department file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompareResult {
    pub rows: usize,
    pub alerts: Vec<Alert>,
    /// Bad rows: `row`, `column` (as the file's header writes it), `value`, `code`, `zh`, `en`.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<fupin_store::RowError>,
}

/// A self-report (农户自主申报).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SelfReport {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// The 12-digit village code.
    pub village: Option<String>,
    /// `illness`, `accident`, `disaster`, `job_loss` or `other`.
    pub what: Option<String>,
    /// Yuan (optional).
    pub amount: Option<String>,
    pub note: Option<String>,
}

/// The receipt of a self-report: its number only, never registry data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub receipt: String,
}

/// What happened, as a self-report says it.
pub const WHAT: &[(&str, &str, &str)] = &[
    ("illness", "生病", "illness"),
    ("accident", "意外事故", "accident"),
    ("disaster", "受灾", "disaster"),
    ("job_loss", "失业、务工中断", "job loss"),
    ("other", "其他困难", "other hardship"),
];

/// What a signal of the registry's judgement says happened (never offered to a reporter).
const WHAT_REGISTRY: &[(&str, &str, &str)] = &[(
    fupin_store::monitoring::MONITORING_RISK,
    "登记数据达到监测标准",
    "the record meets the monitoring criteria",
)];

/// The monitoring pages' text (i18n.rs looks here after its own table).
pub const TEXT: &[(&str, &str, &str)] = &[
    ("monitoring", "防返贫监测", "Monitoring"),
    ("signals_to_verify", "待核实的风险信号", "Signals to verify"),
    ("no_signals", "没有待核实的信号", "No signals to verify"),
    ("cases", "监测案件", "Cases"),
    ("no_cases", "没有监测案件", "No cases"),
    ("case", "案件", "Case"),
    ("source", "来源", "Source"),
    ("signal_date", "信号日期", "Signal date"),
    ("current_step", "当前步骤", "Current step"),
    ("days_open", "已办天数", "Days open"),
    ("deadline", "确定期限", "Deadline"),
    ("overdue", "超期", "Overdue"),
    ("decided_late", "逾期确定", "Decided late"),
    ("case_status", "状态", "Status"),
    ("open_case", "立案核实", "Open a case"),
    ("record_step", "记录步骤", "Record the step"),
    ("step", "步骤", "Step"),
    ("note", "说明", "Note"),
    ("documents", "材料名称(每行一个)", "Documents (one per line)"),
    ("outcome", "结果", "Outcome"),
    ("category", "类别", "Category"),
    ("steps", "办理过程", "Steps"),
    ("who", "经办人", "By"),
    ("department_file", "部门数据比对", "Department data"),
    ("department_hint", "上传部门数据(CSV 或 XLSX,表头:证件号码,姓名,事项,金额,日期,部门)", "Upload a department file (CSV or XLSX; header: id_number,name,item,amount,date,department)"),
    ("compare", "比对", "Compare"),
    ("dry_run", "只看预警,不立案", "Alerts only, open no case"),
    ("alerts", "预警", "Alerts"),
    ("no_alerts", "没有预警", "No alerts"),
    ("alert", "预警类型", "Alert"),
    ("item", "事项", "Item"),
    ("amount", "金额(元)", "Amount (yuan)"),
    ("department", "部门", "Department"),
    ("row", "行", "Row"),
    ("risk_elimination", "风险消除", "Risk elimination"),
    ("months_above_line", "收入稳定超过监测线的月数", "Months above the monitoring line"),
    ("rigid_expense_resolved", "刚性支出问题已解决", "Rigid expenses resolved"),
    ("judge", "评估", "Judge"),
    ("judge_and_record", "评估并标注风险消除", "Judge and mark eliminated"),
    ("may_eliminate", "各项条件均满足,可以标注风险消除", "Every condition holds: the risk may be marked eliminated"),
    ("cannot_eliminate", "尚不能标注风险消除:", "The risk cannot be marked eliminated yet:"),
    ("monitoring_code", "监测码", "Monitoring code"),
    ("self_report", "农户自主申报", "Self-report"),
    ("self_report_intro", "家里遇到生病、意外、受灾、失业等困难,可以在这里申报,村里会尽快上门核实。", "If your family meets illness, an accident, a disaster or job loss, report it here; the village will visit soon."),
    ("your_name", "姓名", "Name"),
    ("id_number", "身份证号码", "ID number"),
    ("phone", "联系电话", "Phone"),
    ("village", "所在村", "Village"),
    ("what_happened", "遇到什么困难", "What happened"),
    ("amount_optional", "涉及金额(元,可不填)", "Amount (yuan, optional)"),
    ("details", "情况说明(可不填)", "Details (optional)"),
    ("submit_report", "提交申报", "Submit"),
    ("report_received", "申报已收到", "Report received"),
    ("receipt_number", "回执编号", "Receipt number"),
    ("receipt_hint", "请保存回执编号。村干部会在 15 天内上门核实。", "Keep this number. A village cadre will visit within 15 days."),
    ("report_qr", "申报二维码(张贴于村务公开栏)", "Self-report QR code (for the village notice board)"),
    ("print", "打印", "Print"),
    ("not_registered", "不在库", "not in the registry"),
    ("risk_indication", "风险研判", "Risk indication"),
    ("dismiss_signal", "排除", "Dismiss"),
    ("dismiss_reason", "排除原因", "Reason for dismissing"),
    (
        "risk_indication_hint",
        "类别只能经监测案件确定或风险消除改变",
        "the category changes only through a decided case or a risk elimination",
    ),
];

/// The label of a code of the monitoring workflow's lists, in `lang` (`i18n::code_label` asks here
/// for the lists it does not know).
pub fn label(lang: &str, list: &str, code: &str) -> Option<String> {
    use fupin_core::codes::CodeList;
    use fupin_core::monitoring::{AlertCode, Item, Outcome, Source, Step};
    fn of<T: CodeList>(lang: &str, code: &str) -> Option<String> {
        T::parse(code).map(|v| if lang == "en" { v.en() } else { v.zh() }.to_string())
    }
    let table = |t: &[(&str, &str, &str)]| {
        t.iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, zh, en)| if lang == "en" { *en } else { *zh }.to_string())
    };
    match list {
        "case_step" => of::<Step>(lang, code),
        "signal_source" => of::<Source>(lang, code),
        "department_item" => of::<Item>(lang, code),
        "case_outcome" => of::<Outcome>(lang, code),
        "department_alert" => of::<AlertCode>(lang, code),
        "what" => table(WHAT)
            .or_else(|| table(WHAT_REGISTRY))
            .or_else(|| of::<Item>(lang, code)),
        "case_status" => table(&[
            ("open", "办理中", "open"),
            ("enrolled", "已纳入监测", "enrolled"),
            ("rejected", "不予纳入", "rejected"),
        ]),
        _ => None,
    }
}
