//! Interface text in Chinese (default) and English. Code lists carry their own labels (fupin-core).

/// (key, zh, en)
const TEXT: &[(&str, &str, &str)] = &[
    ("app", "扶贫信息系统", "fupin poverty-alleviation system"),
    ("dashboard", "数据看板", "Dashboard"),
    ("households", "贫困户", "Households"),
    ("applications", "识别申请", "Identification"),
    ("users", "用户管理", "Users"),
    ("password", "修改密码", "Password"),
    ("logout", "退出登录", "Log out"),
    ("login", "登录", "Log in"),
    ("username", "用户名", "User name"),
    ("pw", "密码", "Password"),
    (
        "bad_login",
        "用户名或密码错误",
        "Wrong user name or password",
    ),
    (
        "throttled",
        "登录失败次数过多,请稍后再试",
        "Too many failed logins; try again later",
    ),
    ("area", "区划", "Area"),
    ("status", "状态", "Status"),
    ("cause", "致贫原因", "Cause"),
    ("attribute", "贫困户属性", "Attribute"),
    ("monitoring", "监测类别", "Monitoring"),
    ("search", "搜索", "Search"),
    (
        "search_hint",
        "姓名、身份证号或户编号",
        "Name, ID number or household number",
    ),
    ("all", "全部", "All"),
    ("number", "户编号", "Household"),
    ("head", "户主", "Head"),
    ("people", "人数", "People"),
    ("filter", "筛选", "Filter"),
    ("export_xlsx", "导出 Excel", "Export to Excel"),
    ("register_sheet", "贫困户名册", "Households"),
    ("register_file", "贫困户名册", "households"),
    ("area_code", "区划代码", "Area code"),
    ("monitoring_reason", "监测原因", "Monitoring reason"),
    ("income_year", "收入年度", "Income year"),
    ("net_income", "家庭纯收入(元)", "Net income (yuan)"),
    (
        "per_capita_yuan",
        "人均纯收入(元)",
        "Per-capita net income (yuan)",
    ),
    ("prev", "上一页", "Previous"),
    ("next", "下一页", "Next"),
    ("total", "共", "Total"),
    ("members", "家庭成员", "Members"),
    ("name", "姓名", "Name"),
    ("id_number", "身份证号", "ID number"),
    ("relation", "与户主关系", "Relation"),
    ("school_status", "在校生状况", "School"),
    ("medical_insured", "基本医疗保险", "Medical insurance"),
    ("labor", "劳动技能", "Labour"),
    ("health", "健康状况", "Health"),
    ("income", "收入(元/年)", "Income (yuan/year)"),
    ("wage", "工资性收入", "Wages"),
    ("business", "生产经营性收入", "Business"),
    ("property", "财产性收入", "Property"),
    ("transfer", "转移性收入", "Transfers"),
    ("business_cost", "生产经营性支出", "Business cost"),
    (
        "rigid_expense",
        "刚性支出(元/年)",
        "Rigid expenses (yuan/year)",
    ),
    ("medical", "医疗自付", "Medical"),
    ("education", "教育", "Education"),
    ("disaster", "灾害损失", "Disaster"),
    ("other", "其他", "Other"),
    ("per_capita", "人均纯收入", "Per-capita net income"),
    ("poverty_line", "贫困线", "Poverty line"),
    ("monitoring_line", "监测线", "Monitoring line"),
    ("exit_check", "脱贫标准核验", "Exit check"),
    ("meets", "达到脱贫标准", "Meets the exit standard"),
    (
        "not_meets",
        "未达到脱贫标准",
        "Does not meet the exit standard",
    ),
    ("why_not", "未通过的项目", "Failed checks"),
    ("member_change", "成员变动", "Member change"),
    ("new_household", "新增贫困户", "New household"),
    ("register_household", "建档立卡", "Register the household"),
    ("number_auto", "留空则自动编号", "blank: the next free number"),
    ("import_sheet", "导入成员表", "Import a member sheet"),
    (
        "import_hint",
        "与 fupin import 相同的 CSV 或 XLSX 文件;有任何错误则整个文件不导入",
        "The same CSV or XLSX file as fupin import; with any error nothing is imported",
    ),
    ("import", "导入", "Import"),
    ("imported", "已导入", "Imported"),
    ("not_imported", "未导入", "Not imported"),
    ("rows", "行", "rows"),
    ("updated", "更新", "updated"),
    ("unchanged", "未变", "unchanged"),
    ("errors_n", "个错误", "errors"),
    ("row", "行", "Row"),
    ("column", "列", "Column"),
    ("value", "值", "Value"),
    ("code", "代码", "Code"),
    ("message", "说明", "Message"),
    ("join_reason", "增加原因", "Reason for joining"),
    ("leave_reason", "减少原因", "Reason for leaving"),
    ("stays", "(不变)", "(stays)"),
    ("member_date", "成员变动日期", "Date of the member change"),
    ("joined", "增加", "joined"),
    ("left", "减少", "left"),
    ("income_years", "历年收入(元)", "Income by year (yuan)"),
    ("group_income", "一收入", "Income"),
    ("group_two", "两不愁", "Two assurances"),
    ("group_three", "三保障", "Three guarantees"),
    ("group_water", "饮水安全", "Drinking water"),
    (
        "check_income_below_line",
        "人均纯收入超过贫困线",
        "Per-capita net income above the poverty line",
    ),
    ("check_food", "不愁吃", "Enough to eat"),
    ("check_clothing", "不愁穿", "Enough to wear"),
    (
        "check_compulsory_education",
        "义务教育有保障",
        "Compulsory education assured",
    ),
    ("check_basic_medical", "基本医疗有保障", "Basic medical care assured"),
    ("check_housing_safety", "住房安全有保障", "Safe housing assured"),
    ("check_drinking_water", "饮水安全有保障", "Safe drinking water assured"),
    ("check_passed", "通过", "passed"),
    ("check_failed", "未通过", "failed"),
    (
        "monitoring_check",
        "防返贫监测核验",
        "Return-to-poverty monitoring check",
    ),
    (
        "monitoring_basis",
        "{year} 年人均纯收入 {income} 元，监测线 {line} 元",
        "{year} per-capita net income {income} yuan, monitoring line {line} yuan",
    ),
    (
        "no_monitoring_line",
        "{year} 年无监测线，不作监测判定",
        "No monitoring line in {year}: not judged",
    ),
    ("no_income", "收入未录入，不作监测判定", "Income not entered: not judged"),
    (
        "income_missing",
        "{year} 年收入未录入（{year} 年监测线 {line} 元），监测类别仍按 {income_year} 年收入判定",
        "{year} income not entered (the {year} monitoring line is {line} yuan); the category is judged on the {income_year} income",
    ),
    ("food", "不愁吃", "Food secure"),
    ("clothing", "不愁穿", "Clothing secure"),
    ("water", "饮水安全", "Safe drinking water"),
    ("housing_grade", "住房安全等级", "Housing grade"),
    ("phone", "联系电话", "Phone"),
    ("bank_account", "银行账号", "Bank account"),
    ("edit", "编辑", "Edit"),
    ("save", "保存", "Save"),
    ("saved", "已保存", "Saved"),
    ("monitoring_code_format", "监测码格式不对：应为户编号加一位校验码", "Not a monitoring code: a household number and one check character"),
    ("monitoring_code_check", "监测码校验不通过：请核对后重新输入", "The monitoring code's check character does not match: check the code"),
    (
        "fix_errors",
        "请更正标出的错误",
        "Please correct the marked errors",
    ),
    ("timeline", "动态记录", "Timeline"),
    ("audit", "操作日志", "Audit trail"),
    ("actions", "状态变更", "Lifecycle"),
    ("do_exit", "标注脱贫", "Mark exited"),
    ("do_return", "标注返贫", "Mark returned"),
    ("do_remove", "清退", "Remove"),
    ("reason", "原因", "Reason"),
    ("date", "日期", "Date"),
    ("confirm", "确认执行此操作?", "Confirm this action?"),
    (
        "override",
        "未达标时须填写原因",
        "A reason is required when the check fails",
    ),
    ("village", "村", "Village"),
    ("incidence", "贫困发生率", "Poverty incidence"),
    ("rural_population", "农村户籍人口", "Rural population"),
    ("poor_population", "贫困人口", "Poor population"),
    ("village_exit", "贫困村退出核验", "Village exit check"),
    ("notice", "公示", "Public notice"),
    ("print", "打印", "Print"),
    ("by_status", "按状态", "By status"),
    ("by_area", "各地贫困发生率", "Incidence by area"),
    ("by_cause", "致贫原因", "Causes"),
    ("by_monitoring", "监测对象", "Monitoring"),
    ("changes", "年动态", "changes"),
    ("identified", "识别", "Identified"),
    ("exited", "脱贫", "Exited"),
    ("returned", "返贫", "Returned"),
    ("removed", "清退", "Removed"),
    ("natural_increase", "自然增加", "Natural increase"),
    ("natural_decrease", "自然减少", "Natural decrease"),
    ("new_application", "新建申请", "New application"),
    ("applicant", "申请人", "Applicant"),
    ("step", "当前步骤", "Step"),
    ("next_step", "下一步", "Next step"),
    ("pass", "通过", "Pass"),
    ("reject", "不通过", "Reject"),
    ("rejected", "未通过", "Rejected"),
    ("note", "备注", "Note"),
    ("actor", "经办人", "By"),
    ("when", "时间", "When"),
    ("exclusions", "部门比对排除项", "Exclusions found"),
    ("proposals", "提议", "Proposals"),
    ("propose", "提议", "Propose"),
    ("proposal_kind", "提议事项", "Proposed action"),
    ("proposer", "提议人", "Proposed by"),
    ("decision", "县级决定", "County decision"),
    ("approve", "批准并执行", "Approve and run"),
    ("reject_proposal", "驳回", "Reject"),
    ("decision_reason", "理由", "Reason"),
    ("household", "户", "Household"),
    (
        "no_proposals",
        "没有待决定的提议",
        "No proposals awaiting a decision",
    ),
    (
        "propose_hint",
        "脱贫、返贫和清退由县级决定;村、乡镇可提议。",
        "Exit, return and removal are the county's decisions; villages and townships propose them.",
    ),
    ("create", "创建", "Create"),
    ("role", "角色", "Role"),
    ("old_password", "原密码", "Current password"),
    ("new_password", "新密码", "New password"),
    ("not_found", "未找到", "Not found"),
    ("households_n", "户", "households"),
    ("people_n", "人", "people"),
    ("lang_switch", "English", "中文"),
    ("api_docs", "接口文档", "API docs"),
    ("none", "无", "none"),
    ("app_short", "扶贫", "fupin"),
    ("all_areas", "全部地区", "All areas"),
    ("sub_areas", "下级地区", "Areas below"),
    ("trend", "历年变化(年末户数、人数)", "Over the years (households and people at year end)"),
    ("trend_chart", "按状态的年末户数", "Households by status at year end"),
    ("year", "年份", "Year"),
    ("empty", "暂无数据", "Nothing to show"),
    ("no_households", "没有符合条件的农户", "No household matches"),
    ("no_monitoring", "暂无监测对象", "No household under monitoring"),
    ("no_events", "暂无动态记录", "No event recorded"),
    ("no_applications", "暂无识别申请", "No application"),
    ("no_rows", "暂无公示对象", "No one to announce"),
    ("breadcrumb", "位置", "Location"),
    ("errors_found", "表单有以下错误,请更正:", "The form has these errors; please correct them:"),
    ("unit_yuan_month", "元/月", "yuan a month"),
    ("dibao", "低保", "Subsistence allowance (dibao)"),
    ("notice_title", "贫困户识别公示", "Public notice of households identified as poor"),
    (
        "notice_body",
        "根据扶贫对象识别程序,经农户申请、入户调查、民主评议和村委会、驻村工作队核实,现将下列拟识别对象予以公示,公示期不少于5天。如有异议,请向村委会或乡镇反映。",
        "Following the identification procedure (application, household survey, village deliberation, and verification by the village committee and the resident work team), the households below are announced as proposed for identification, for at least 5 days. Objections go to the village committee or the township.",
    ),
    ("seq", "序号", "No."),
    ("head_name", "户主姓名", "Head of household"),
    ("household_size", "家庭人口", "Household size"),
    ("application_reason", "申请原因", "Reason given"),
    ("notice_step", "公示阶段", "Stage"),
    ("id", "编号", "No."),
    ("village_meets", "达到贫困村退出标准", "Meets the village exit standard"),
    // Household assistance (issue 12): plans, measures, gaps, the household card.
    ("as_title", "帮扶", "Assistance"),
    ("as_plan", "帮扶计划(一户一策)", "Plan (one household, one plan)"),
    ("as_paths", "帮扶路径", "Paths"),
    ("as_target", "目标", "Target"),
    ("as_measures", "帮扶措施", "Measures"),
    ("as_kind", "措施类型", "Kind"),
    ("as_person", "对象", "Member"),
    ("as_household_wide", "全户", "Whole household"),
    ("as_amount", "金额(元)", "Amount (yuan)"),
    ("as_provider", "实施单位", "Provider"),
    ("as_fund", "资金或项目", "Fund or project"),
    ("as_total", "合计", "Total"),
    ("as_entitled", "应享政策", "Entitled to"),
    ("as_received", "本年已享(元)", "Received in the year (yuan)"),
    ("as_yearly", "每年应享(元)", "Yearly (yuan)"),
    ("as_basis", "计算依据", "Basis"),
    ("as_gaps", "帮扶缺口", "Gaps"),
    ("as_no_gaps", "无缺口", "No gaps"),
    ("as_nothing_yet", "尚无计划和措施", "No plan or measure yet"),
    ("as_save_plan", "保存计划", "Save plan"),
    ("as_add_measure", "记录措施", "Record measure"),
    ("as_remove", "删除", "Remove"),
    ("as_card", "明白卡", "Household card"),
    ("as_cards", "全村明白卡", "Cards of the village"),
    ("as_print", "打印", "Print"),
    ("as_in_scope", "帮扶对象户", "Households in scope"),
    ("as_with_gaps", "有缺口的户", "Households with gaps"),
    ("as_gap", "缺口", "Gap"),
    ("as_count", "数量", "Count"),
    ("as_people", "人数", "People"),
    ("as_times", "次数", "Times"),
    ("as_dashboard", "帮扶措施与缺口", "Assistance measures and gaps"),
    ("as_monitoring_code", "监测码", "Monitoring code"),
    ("as_cadre", "帮扶责任人", "Paired cadre"),
    ("as_income_line", "人均纯收入 / 贫困线", "Income per person / poverty line"),
    ("as_scan", "扫码查看(需登录)", "Scan to open (sign-in needed)"),
    ("as_all_gaps", "全部缺口", "All gaps"),
    ("as_no_cadre", "未结对", "Not paired"),
    ("as_as_of", "截至", "As of"),
    // The responsibility network (issue 11).
    ("resp_network", "帮扶责任体系", "Responsibility network"),
    ("resp_coverage", "帮扶覆盖缺口", "Coverage gaps"),
    ("resp_units", "帮扶单位", "Units"),
    ("resp_unit", "单位", "Unit"),
    ("resp_cadres", "帮扶干部", "Cadres"),
    ("resp_cadre", "帮扶干部", "Cadre"),
    ("resp_code", "编号", "Code"),
    ("resp_kind", "类别", "Kind"),
    ("resp_rank", "职级", "Rank"),
    ("resp_account", "登录账号", "Account"),
    ("resp_teams", "驻村工作队", "Work teams"),
    ("resp_members", "队员", "Members"),
    ("resp_start", "开始日期", "Start"),
    ("resp_end", "结束日期", "End"),
    ("resp_save", "保存", "Save"),
    ("resp_leader_secretary", "队长兼第一书记", "Leader is also first secretary"),
    ("resp_enterprise", "企业结对帮村", "Enterprise–village pairings"),
    ("resp_policy", "政策", "Policy"),
    ("resp_visits", "走访", "Visits"),
    ("resp_households_visited", "走访户数", "Households visited"),
    ("resp_issues", "问题", "Issues"),
    ("resp_measures", "整改措施", "Measures"),
    ("resp_completion", "整改完成率 %", "Completion %"),
    ("resp_gap", "缺口", "Gap"),
    ("resp_subject", "对象", "Subject"),
    ("resp_no_gaps", "没有缺口。", "No gaps."),
    ("resp_my", "我的帮扶户", "My households"),
    ("resp_no_cadre", "此账号未关联帮扶干部,请联系县级管理员。", "This account is linked to no cadre; ask the county."),
    ("resp_no_households", "暂无结对户。", "No paired households."),
    ("resp_last_visit", "上次走访", "Last visit"),
    ("resp_open_issues", "未整改问题", "Open issues"),
    ("resp_record_visit", "记录走访", "Record a visit"),
    ("resp_findings", "走访情况", "Findings"),
    ("resp_issue", "发现问题", "Issue found"),
    ("resp_measure", "整改措施", "Measure taken"),
    ("resp_closed", "已整改完成", "Measure done (issue closed)"),
    ("resp_pairings", "结对帮扶", "Pairings"),
    ("resp_unpaired", "此户尚无结对帮扶干部。", "No cadre is paired with this household."),
    ("resp_pair", "结对", "Pair"),
    ("resp_end_pairing", "解除结对", "End pairing"),
    ("resp_workbook", "下载工作簿", "Download the workbook"),
    // Bulk pairing and the workbook upload (resp-web).
    ("resp_bulk", "批量结对", "Pair in bulk"),
    ("resp_bulk_hint", "勾选本村(乡镇)尚无结对的贫困户、返贫户和监测户,选择一名干部,一次结对。", "Check the poor, returned and monitored households of the village (or township) that nobody is paired with, choose one cadre, and pair them at once."),
    ("resp_choose_area", "请选择乡镇或村。", "Choose a township or village."),
    ("resp_none_unpaired", "此区域的户都已结对。", "Every household of this area is paired."),
    ("resp_quota", "定额", "Quota"),
    ("resp_current", "现结对户", "Paired now"),
    ("resp_full", "已满额", "at quota"),
    ("resp_pair_checked", "结对所选户", "Pair the checked households"),
    ("resp_paired_n", "已结对户数", "Households paired"),
    ("resp_ended_n", "已解除结对数", "Pairings ended"),
    ("resp_open_pairings", "进行中的结对", "Open pairings"),
    ("resp_end_checked", "解除所选结对", "End the checked pairings"),
    ("resp_end_reason", "解除原因", "Reason"),
    ("resp_not_saved", "未保存,请更正", "Nothing saved; please correct"),
    ("resp_upload", "上传工作簿", "Upload the workbook"),
    ("resp_upload_hint", "单位、干部、结对、工作队、走访五张表,与命令行导入的工作簿相同;有任何错误则全部不导入。", "Five sheets (units, cadres, pairings, work teams, visits), the workbook the command line imports; with any error nothing is imported."),
    ("resp_template", "下载模板", "Download the template"),
    ("resp_imported", "已导入", "Imported"),
    ("resp_sheet", "工作表", "Sheet"),
    ("resp_fix", "批量结对", "pair in bulk"),
];

/// Role names (`fupin_core::access::Role` codes).
const ROLES: &[(&str, &str, &str)] = &[
    ("admin", "系统管理员", "Administrator"),
    ("county", "县级用户", "County office"),
    ("township", "乡镇用户", "Township"),
    ("village", "村级用户", "Village"),
    ("cadre", "帮扶干部", "Paired cadre"),
    ("viewer", "只读用户", "Viewer"),
];

/// Event kinds of a household's timeline (`fupin_core::registry::kind`).
const EVENTS: &[(&str, &str, &str)] = &[
    ("identified", "识别为贫困户", "Identified as poor"),
    ("recorded", "建档登记", "Recorded"),
    ("exited", "脱贫", "Exited poverty"),
    ("returned", "返贫", "Returned to poverty"),
    ("removed", "清退", "Removed"),
    ("entered_monitoring", "纳入监测", "Entered monitoring"),
    ("risk_eliminated", "风险消除", "Risk eliminated"),
    (
        "monitoring_changed",
        "监测类别变更",
        "Monitoring category changed",
    ),
    ("updated", "信息变更", "Facts updated"),
    ("member_joined", "成员增加", "Member joined"),
    ("member_left", "成员减少", "Member left"),
];

/// Reasons a member joined or left (event details).
const MEMBER_REASONS: &[(&str, &str, &str)] = &[
    ("birth", "出生", "birth"),
    ("marriage", "婚姻", "marriage"),
    ("moved", "迁出", "moved away"),
    ("death", "死亡", "death"),
    ("other", "其他", "other"),
];

/// Exclusions found by cross-department comparison (`fupin_core::identification::Exclusion`).
const EXCLUSIONS: &[(&str, &str, &str)] = &[
    (
        "public_payroll",
        "家庭成员有财政供养人员",
        "A member on the public payroll",
    ),
    ("private_car", "有私家车", "A private car"),
    (
        "commercial_housing",
        "购买商品房",
        "Commercial housing bought",
    ),
    ("registered_company", "注册有公司", "A registered company"),
];

/// What an audit entry was about, and what was done.
const AUDIT: &[(&str, &str, &str)] = &[
    ("household", "农户", "household"),
    ("member", "成员", "member"),
    ("area", "区划", "area"),
    ("user", "用户", "account"),
    ("application", "识别申请", "application"),
    ("pairing", "结对帮扶", "pairing"),
    ("create", "新增", "created"),
    ("update", "修改", "changed"),
    ("delete", "删除", "deleted"),
    ("step", "办理步骤", "step recorded"),
    ("password", "修改密码", "password changed"),
    ("exit", "脱贫", "exit"),
    ("return", "返贫", "return"),
    ("remove", "清退", "removal"),
    ("assistance_plan", "帮扶计划", "assistance plan"),
    ("assistance_measure", "帮扶措施", "assistance measure"),
    ("save", "保存", "saved"),
    // The responsibility network (issue 11).
    ("end", "解除", "ended"),
    ("close", "整改完成", "closed"),
    ("unit", "帮扶单位", "unit"),
    ("cadre", "帮扶干部", "cadre"),
    ("team", "驻村工作队", "work team"),
    ("visit", "走访", "visit"),
    ("issue", "问题", "issue"),
];

fn lookup(table: &[(&str, &str, &str)], lang: &str, key: &str) -> Option<String> {
    table
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| if lang == "en" { *en } else { *zh }.to_string())
}

/// A role's name in `lang` (the code when unknown).
pub fn role(lang: &str, code: &str) -> String {
    lookup(ROLES, lang, code).unwrap_or_else(|| code.to_string())
}

/// A timeline entry's kind in `lang` (the code when unknown).
pub fn event(lang: &str, kind: &str) -> String {
    lookup(EVENTS, lang, kind).unwrap_or_else(|| kind.to_string())
}

/// A timeline entry's detail in `lang`: the status or monitoring category it set, the reason a
/// member joined or left, the fields an update changed (comma-separated codes).
pub fn event_detail(lang: &str, kind: &str, detail: &str) -> String {
    let list = match kind {
        "identified" | "recorded" | "exited" | "returned" | "removed" => Some("status"),
        "entered_monitoring" | "risk_eliminated" | "monitoring_changed" => Some("monitoring"),
        _ => None,
    };
    if let Some(list) = list {
        return code_label(lang, list, detail);
    }
    if kind == "member_joined" || kind == "member_left" {
        return lookup(MEMBER_REASONS, lang, detail).unwrap_or_else(|| detail.to_string());
    }
    detail
        .split([',', ' '])
        .filter(|f| !f.is_empty())
        .map(|f| field(lang, f))
        .collect::<Vec<_>>()
        .join(if lang == "en" { ", " } else { "、" })
}

/// A household field's name (as an update's detail names it) in `lang`.
fn field(lang: &str, f: &str) -> String {
    let key = match f {
        "medical_expense" => "medical",
        "education_expense" => "education",
        "disaster_loss" => "disaster",
        "other_expense" => "other",
        "main_cause" => "cause",
        "area_code" => "area",
        "medical_insurance" => "medical_insured",
        other => other,
    };
    if TEXT.iter().any(|(k, _, _)| *k == key) {
        t(lang, key)
    } else {
        f.to_string()
    }
}

/// An audit entry's entity or action in `lang` (the code when unknown).
pub fn audit(lang: &str, code: &str) -> String {
    lookup(AUDIT, lang, code).unwrap_or_else(|| code.to_string())
}

/// One side of a message written `中文 / English` (the whole message when it has no such halves).
pub fn pick(lang: &str, message: &str) -> String {
    match message.split_once(" / ") {
        Some((zh, en)) => if lang == "en" { en } else { zh }.trim().to_string(),
        None => message.to_string(),
    }
}

/// Every English word of the interface text (4 letters or more), for the tests that look for
/// English left in the Chinese pages.
pub fn english_words() -> Vec<String> {
    let mut words: Vec<String> = [TEXT, ROLES, EVENTS, MEMBER_REASONS, AUDIT, EXCLUSIONS]
        .iter()
        .chain([crate::funds::text::TEXT].iter())
        .flat_map(|table| table.iter().map(|(_, _, en)| *en))
        .flat_map(|en| en.split(|c: char| !c.is_ascii_alphabetic()))
        .filter(|w| w.len() >= 4)
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The text of `key` in `lang` (`zh` or `en`); the key itself when unknown.
pub fn t(lang: &str, key: &str) -> String {
    TEXT.iter()
        .chain(crate::funds::text::TEXT)
        .chain(crate::monitoring::TEXT)
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| if lang == "en" { *en } else { *zh })
        .unwrap_or(key)
        .to_string()
}

/// The label of a code of one of fupin-core's lists, in `lang`.
pub fn code_label(lang: &str, list: &str, code: &str) -> String {
    use fupin_core::codes::*;
    fn label<T: CodeList>(lang: &str, code: &str) -> Option<String> {
        T::parse(code).map(|v| if lang == "en" { v.en() } else { v.zh() }.to_string())
    }
    let found = match list {
        "status" => label::<HouseholdStatus>(lang, code),
        "cause" => label::<Cause>(lang, code),
        "attribute" => label::<Attribute>(lang, code),
        "monitoring" => label::<MonitoringCategory>(lang, code),
        "labor" => label::<Labor>(lang, code),
        "health" => label::<Health>(lang, code),
        "school_status" => label::<SchoolStatus>(lang, code),
        "relation" => label::<Relation>(lang, code),
        "housing_grade" => label::<HousingGrade>(lang, code),
        "check" => label::<Check>(lang, code).or_else(|| label::<VillageIndicator>(lang, code)),
        "proposal_kind" => fupin_core::proposal::Kind::parse(code)
            .map(|k| if lang == "en" { k.en() } else { k.zh() }.to_string()),
        "proposal_status" => fupin_core::proposal::Status::parse(code)
            .map(|k| if lang == "en" { k.en() } else { k.zh() }.to_string()),
        "rank" | "team_role" | "unit_kind" => crate::responsibility::label(lang, list, code),
        // Coverage gaps (responsibility) and assistance gaps share the list name; codes differ.
        "gap" => crate::responsibility::label(lang, list, code)
            .or_else(|| label::<fupin_core::assistance::Gap>(lang, code)),
        "role" => Some(role(lang, code)),
        "event" => Some(event(lang, code)),
        "audit" => Some(audit(lang, code)),
        "exclusion" => lookup(EXCLUSIONS, lang, code),
        "join_reason" => fupin_core::registry::JoinReason::parse(code)
            .map(|r| if lang == "en" { r.en() } else { r.zh() }.to_string()),
        "leave_reason" => fupin_core::registry::LeaveReason::parse(code)
            .map(|r| if lang == "en" { r.en() } else { r.zh() }.to_string()),
        "measure_kind" => label::<fupin_core::assistance::MeasureKind>(lang, code),
        "plan_path" => label::<fupin_core::assistance::PlanPath>(lang, code),
        _ => crate::monitoring::label(lang, list, code),
    };
    found.unwrap_or_else(|| code.to_string())
}

/// The (code, label) options of a list, for select boxes.
pub fn options(lang: &str, list: &str) -> Vec<(String, String)> {
    use fupin_core::codes::*;
    fn opts<T: CodeList>(lang: &str) -> Vec<(String, String)> {
        T::all()
            .iter()
            .map(|v| {
                (
                    v.code().to_string(),
                    if lang == "en" { v.en() } else { v.zh() }.to_string(),
                )
            })
            .collect()
    }
    match list {
        "status" => opts::<HouseholdStatus>(lang),
        "cause" => opts::<Cause>(lang),
        "attribute" => opts::<Attribute>(lang),
        "monitoring" => opts::<MonitoringCategory>(lang),
        "labor" => opts::<Labor>(lang),
        "health" => opts::<Health>(lang),
        "school_status" => opts::<SchoolStatus>(lang),
        "relation" => opts::<Relation>(lang),
        "housing_grade" => opts::<HousingGrade>(lang),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_first_english_on_request() {
        assert_eq!(t("zh", "households"), "贫困户");
        assert_eq!(t("en", "households"), "Households");
        assert_eq!(t("zh", "no_such_key"), "no_such_key");
        assert_eq!(code_label("zh", "check", "drinking_water"), "饮水不安全");
        assert_eq!(code_label("en", "status", "exited"), "exited");
        assert_eq!(code_label("zh", "check", "broadband"), "通宽带");
        assert_eq!(options("zh", "housing_grade").len(), 4);
    }

    #[test]
    fn timeline_audit_and_roles_in_both_languages() {
        assert_eq!(event("zh", "member_left"), "成员减少");
        assert_eq!(event("en", "exited"), "Exited poverty");
        assert_eq!(event_detail("en", "exited", "exited"), "exited");
        assert_eq!(event_detail("zh", "identified", "poor"), "未脱贫");
        assert_eq!(event_detail("zh", "member_joined", "birth"), "出生");
        assert_eq!(
            event_detail("en", "updated", "phone,income"),
            "Phone, Income (yuan/year)"
        );
        assert_eq!(role("zh", "cadre"), "帮扶干部");
        assert_eq!(audit("en", "update"), "changed");
        assert_eq!(pick("en", "未找到 / not found"), "not found");
        assert_eq!(pick("zh", "未找到 / not found"), "未找到");
        assert!(english_words().contains(&"Dashboard".to_string()));
    }

    #[test]
    fn every_key_is_unique() {
        let mut keys: Vec<_> = TEXT.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
