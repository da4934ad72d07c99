//! `fupin policy show`: the effective policy values for a region and year, and where each came from.

use crate::error::{CliError, Result};
use crate::options::{Format, Global};
use crate::table;
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// 显示某地某年生效的政策参数及其来源 / show the values in force for an area and year, with their sources
    Show(ShowArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// 区划代码或前缀 / area code or prefix (default: national)
    #[arg(long)]
    region: Option<String>,
    /// 年份 / year (default: this year)
    #[arg(long)]
    year: Option<i32>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(cmd: PolicyCommand, g: &Global) -> Result {
    let PolicyCommand::Show(args) = cmd;
    let set = g.policies()?;
    let region = args.region.unwrap_or_default();
    if !fupin_core::area::is_area_prefix(&region) {
        return Err(CliError::Usage(format!(
            "区划代码应为数字 / --region must be an area code or prefix of digits: {region}"
        )));
    }
    let year = args.year.unwrap_or_else(|| chrono::Local::now().year());
    let Some(date) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return Err(CliError::Usage(format!("年份无效 / not a year: {year}")));
    };
    let policy = set.for_area(&region);
    let values = policy.effective(date);
    match args.format {
        Format::Json => {
            let items: Vec<_> = values
                .iter()
                .map(|(k, v)| match v {
                    Some(s) => serde_json::json!({"key": k, "value": s.value, "file": s.file, "entry": s.entry}),
                    None => serde_json::json!({"key": k, "value": null}),
                })
                .collect();
            let doc = serde_json::json!({"policy": policy.name(), "region": region, "year": year, "values": items});
            outln!("{}", serde_json::to_string_pretty(&doc).expect("json"));
        }
        Format::Table => {
            outln!(
                "政策 Policy: {}   地区 Region: {}   年份 Year: {year}\n",
                policy.name(),
                if region.is_empty() {
                    "全国 national"
                } else {
                    &region
                }
            );
            let mut rows = vec![vec![
                "参数 Key".to_string(),
                "取值 Value".into(),
                "来源 Source".into(),
            ]];
            for (k, v) in values {
                match v {
                    Some(s) => rows.push(vec![
                        k,
                        s.value,
                        match s.entry {
                            Some(e) => format!("{} [{e}]", s.file),
                            None => s.file,
                        },
                    ]),
                    None => rows.push(vec![k, "—".into(), "未设定 not set".into()]),
                }
            }
            out!("{}", table::render(&rows));
        }
    }
    Ok(())
}
