//! `fupin assess`: the exit check, monitoring and 低保 of every household in a file, and the exit
//! check of its villages and counties.

use crate::error::{CliError, Result};
use crate::options::{parse_date, Format, Global};
use crate::table;
use clap::Args;
use fupin_core::assess::{self, category_label, check_label, Report};
use std::io::Read;
use std::path::PathBuf;

#[derive(Args)]
pub struct AssessArgs {
    /// 输入文件(JSON;`-` 为标准输入)/ input file (JSON; `-` for standard input)
    #[arg(long, required_unless_present = "all")]
    input: Option<PathBuf>,
    /// 评估数据库中的全部户 / assess every household of the registry (with --db)
    #[arg(long, conflicts_with = "input")]
    all: bool,
    /// 输出文件(--all)/ output file (--all; default: standard output)
    #[arg(long, requires = "all")]
    out: Option<PathBuf>,
    /// 统计到的区划级别(--all)/ deepest area level counted (--all): province, city, county, township, village
    #[arg(long, requires = "all", default_value = "county")]
    level: String,
    /// 只读取各户、不评估(基准对照)/ only read every household, assess nothing (benchmark baseline)
    #[arg(long, requires = "all")]
    read_only: bool,
    /// 评估日期,覆盖文件中的 as_of / assessment date, overriding the file's as_of
    #[arg(long, value_parser = parse_date)]
    as_of: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

pub fn run(args: AssessArgs, g: &Global) -> Result {
    let Some(input) = args.input.clone().filter(|_| !args.all) else {
        return crate::cmd::whole::assess_all(
            g,
            args.as_of,
            &args.level,
            args.read_only,
            args.out.as_deref(),
            args.format,
        );
    };
    let policies = g.policies()?;
    let value = read_input(&input)?;
    let report = assess::assess(&value, &policies, args.as_of)
        .map_err(|e| CliError::Usage(format!("{}: {e}", input.display())))?;
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report).expect("json")),
        Format::Table => out!("{}", render(&report)),
    }
    if report.errors.is_empty() {
        return Ok(());
    }
    let n = report.errors.len();
    Err(CliError::Rejected(if args.format == Format::Json {
        format!("{n} 处错误,见 errors / {n} errors, see `errors`")
    } else {
        String::new()
    }))
}

/// Reads a JSON input file (`-`: standard input) within the bound of
/// `fupin_core::input::limits`; an unreadable file or bad JSON is a usage error naming line and column.
pub fn read_input(input: &std::path::Path) -> Result<serde_json::Value> {
    // Read within the bound of a JSON input file (fupin_core::input::limits).
    let max = fupin_core::input::limits::MAX_JSON_BYTES;
    let text = if input.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(max + 1)
            .read_to_string(&mut s)
            .map(|_| s)
    } else {
        std::fs::File::open(input).and_then(|f| {
            let mut s = String::new();
            f.take(max + 1).read_to_string(&mut s).map(|_| s)
        })
    };
    if text.as_ref().is_ok_and(|t| t.len() as u64 > max) {
        return Err(CliError::Usage(format!(
            "输入文件过大,上限 {max} 字节 / {} is too large: the limit is {max} bytes",
            input.display()
        )));
    }
    let text = text.map_err(|e| {
        CliError::Usage(format!(
            "无法读取输入 / cannot read input {}: {e}",
            input.display()
        ))
    })?;
    let value: serde_json::Value = fupin_core::input::parse_json(&text).map_err(|e| {
        CliError::Usage(format!(
            "输入不是有效的 JSON / {} is not valid JSON: line {} column {}: {e}",
            input.display(),
            e.line(),
            e.column()
        ))
    })?;
    Ok(value)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是 yes"
    } else {
        "否 no"
    }
}

/// The failed codes joined for a table cell; each code is explained once under the table.
fn checks(codes: &[&'static str], legend: &mut Vec<&'static str>) -> String {
    for c in codes {
        if !legend.contains(c) {
            legend.push(c);
        }
    }
    codes.join(", ")
}

fn render_legend(out: &mut String, legend: &[&str]) {
    if legend.is_empty() {
        return;
    }
    out.push_str(
        "说明 Legend
",
    );
    for c in legend {
        if let Some((zh, en)) = check_label(c) {
            out.push_str(&format!("  {c}: {zh} / {en}\n"));
        }
    }
    out.push('\n');
}

/// The terminal summary: a table of households, then villages, counties, errors and totals.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "评估日期 As of: {}   政策 Policy: {}\n\n",
        r.as_of, r.policy
    );
    let mut legend = Vec::new();
    if !r.households.is_empty() {
        out.push_str("户 Households\n");
        let mut rows = vec![[
            "户 ID",
            "人数 N",
            "人均纯收入 Income/person",
            "贫困线 Line",
            "达到脱贫标准 Exit",
            "未通过 Failed",
            "监测线 M.line",
            "监测 Monitoring",
            "低保月补差 Dibao/month",
        ]
        .map(String::from)
        .to_vec()];
        for h in &r.households {
            let (monitoring, line) = match &h.monitoring {
                None => ("—".to_string(), "—".to_string()),
                Some(m) => {
                    let (zh, _) = category_label(m.category).unwrap_or(("", ""));
                    let why = if m.reasons.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", checks(&m.reasons, &mut legend))
                    };
                    (format!("{zh}{why}"), m.monitoring_line.clone())
                }
            };
            let dibao = match &h.dibao {
                None => "—".to_string(),
                Some(d) if d.eligible => d.monthly_top_up.clone(),
                Some(_) => "不符合 not eligible".to_string(),
            };
            rows.push(vec![
                h.id.clone(),
                h.members.to_string(),
                h.per_capita_income.clone(),
                h.poverty_line.clone(),
                yes_no(h.exit.meets_standard).to_string(),
                checks(&h.exit.failed, &mut legend),
                line,
                monitoring,
                dibao,
            ]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    if !r.villages.is_empty() {
        out.push_str("村 Villages\n");
        let mut rows = vec![[
            "村 Village",
            "贫困人口 Poor",
            "农村人口 Rural",
            "发生率% Incidence",
            "标准% Max",
            "可退出 Exit",
            "未通过 Failed",
        ]
        .map(String::from)
        .to_vec()];
        for v in &r.villages {
            rows.push(vec![
                v.area_code.clone(),
                v.poor_population.to_string(),
                v.rural_population.to_string(),
                v.incidence_pct.clone(),
                v.max_incidence_pct.clone(),
                yes_no(v.exit.meets_standard).to_string(),
                checks(&v.exit.failed, &mut legend),
            ]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    if !r.counties.is_empty() {
        out.push_str("县 Counties\n");
        let mut rows = vec![[
            "县 County",
            "贫困人口 Poor",
            "农村人口 Rural",
            "发生率% Incidence",
            "可摘帽 Exit",
            "未通过 Failed",
        ]
        .map(String::from)
        .to_vec()];
        for c in &r.counties {
            rows.push(vec![
                c.area_code.clone(),
                c.poor_population.to_string(),
                c.rural_population.to_string(),
                c.incidence_pct.clone(),
                yes_no(c.exit.meets_standard).to_string(),
                checks(&c.exit.failed, &mut legend),
            ]);
        }
        out.push_str(&table::render(&rows));
        out.push('\n');
    }
    render_legend(&mut out, &legend);
    if !r.errors.is_empty() {
        out.push_str("错误 Errors (未评估 not assessed)\n");
        for e in &r.errors {
            let mut place = Vec::new();
            if let Some(h) = &e.household {
                place.push(format!("户 {h}"));
            }
            if let Some(m) = e.member {
                place.push(format!("成员 member {m}"));
            }
            if let Some(v) = &e.village {
                place.push(format!("村 {v}"));
            }
            if let Some(c) = &e.county {
                place.push(format!("县 {c}"));
            }
            out.push_str(&format!(
                "  {} {} [{}]: {}\n",
                place.join(" "),
                e.field,
                e.code,
                e.message
            ));
        }
        out.push('\n');
    }
    let meets = r
        .households
        .iter()
        .filter(|h| h.exit.meets_standard)
        .count();
    let monitored = r
        .households
        .iter()
        .filter(|h| {
            h.monitoring
                .as_ref()
                .is_some_and(|m| !matches!(m.category, "none" | "not_applicable"))
        })
        .count();
    out.push_str(&format!(
        "合计 Total: {} 户已评估 assessed, {} 户达到脱贫标准 meet the exit standard, {} 户为监测对象 to monitor, {} 处错误 errors\n",
        r.households.len(),
        meets,
        monitored,
        r.errors.len()
    ));
    out
}
