//! `fupin report villages`: the poor villages (贫困村) of an area and their exits in a period. A
//! village counts as poor while its incidence (people of poor and returned households ÷ its rural
//! population) is not below the policy's village exit threshold; it exits in the period when it was
//! poor the day before `--from` and, at `--to`, its incidence is below the threshold and every
//! village indicator of the policy holds (DOMAIN.md §6): the decision is fupin-core's
//! [`VillageExit`]; this command reads the figures through the store and prints.

use crate::error::{CliError, Result};
use crate::options::{parse_date, Format, Global};
use crate::table::render;
use chrono::NaiveDate;
use clap::Args;
use fupin_core::assess::VillageExit;
use fupin_core::rules::incidence_pct;
use fupin_store::StoreError;
use serde_json::json;

/// The arguments of the reports of a period (`report changes`, `report villages`).
#[derive(Args)]
pub struct PeriodArgs {
    #[arg(long, value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    pub to: NaiveDate,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    pub area: String,
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// The people of poor and returned households of a village on a date: from the roll-ups on 31
/// December (a year's end stock), else from the events.
async fn poor_on(
    repo: &dyn fupin_store::Repository,
    date: NaiveDate,
    village: &str,
) -> std::result::Result<u64, StoreError> {
    use chrono::Datelike;
    let r = if (date.month(), date.day()) == (12, 31) {
        repo.year_report(date.year(), village).await?
    } else {
        repo.change_report(date, date, village).await?
    };
    Ok(r.end.poor.people + r.end.returned.people)
}

/// `fupin report villages` (with `--policy`, under that policy; else the built-in one).
pub async fn villages(a: PeriodArgs, g: &Global) -> Result {
    let policies = g.policies()?;
    let url = g.db_url();
    let (repo, dir) = fupin_store::directory::open_both(&url).await?;
    let store = fupin_store::SqlStore::open(&url).await?;
    let before = a.from.pred_opt().unwrap_or(a.from);
    let mut rows = Vec::new();
    let (mut poor_at_start, mut exited, mut poor_at_end) = (0u64, 0u64, 0u64);
    for v in fupin_store::scan::all_areas(&store).await? {
        if v.level != fupin_core::AreaLevel::Village || !v.code.starts_with(&a.area) {
            continue;
        }
        let Some(rural) = v.rural_population.filter(|n| *n > 0).map(|n| n as u64) else {
            continue;
        };
        let start = poor_on(repo.as_ref(), before, &v.code).await?;
        let end = poor_on(repo.as_ref(), a.to, &v.code).await?;
        let region = v.region;
        let recorded = dir.indicators(&v.code).await?;
        let rule = VillageExit::under(&policies.for_area(&v.code), region, &recorded)
            .map_err(|e| CliError::store(StoreError::File(e.to_string())))?;
        let was_poor = rule.is_poor(start, rural);
        let failed = rule.failed(end, rural);
        let is_poor = rule.is_poor(end, rural);
        let exits = was_poor && failed.is_empty();
        poor_at_start += u64::from(was_poor);
        poor_at_end += u64::from(is_poor);
        exited += u64::from(exits);
        if was_poor || is_poor {
            let pct = |n: u64| incidence_pct(n, rural).map(fupin_core::money::fmt2).ok();
            rows.push(json!({
                "village": v.code,
                "name": v.name,
                "rural_population": rural,
                "poor_people_start": start,
                "incidence_pct_start": pct(start),
                "poor_people_end": end,
                "incidence_pct_end": pct(end),
                "exited": exits,
                "failed": failed.iter().map(|c| c.code()).collect::<Vec<_>>(),
            }));
        }
    }
    let doc = json!({
        "from": a.from.to_string(),
        "to": a.to.to_string(),
        "area": a.area,
        "poor_villages_at_start": poor_at_start,
        "exited": exited,
        "poor_villages_at_end": poor_at_end,
        "villages": rows,
    });
    match a.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&doc).expect("json")),
        Format::Table => {
            let mut t = vec![vec![
                "村 village".to_string(),
                "名称 name".into(),
                "农村人口 rural".into(),
                "期初贫困人口 poor (start)".into(),
                "期初发生率% (start)".into(),
                "期末贫困人口 poor (end)".into(),
                "期末发生率% (end)".into(),
                "退出 exited".into(),
                "未达标 failed".into(),
            ]];
            let cell = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "-".into(),
                other => other.to_string(),
            };
            for r in &rows {
                t.push(vec![
                    cell(&r["village"]),
                    cell(&r["name"]),
                    cell(&r["rural_population"]),
                    cell(&r["poor_people_start"]),
                    cell(&r["incidence_pct_start"]),
                    cell(&r["poor_people_end"]),
                    cell(&r["incidence_pct_end"]),
                    if r["exited"] == true {
                        "是 yes"
                    } else {
                        "否 no"
                    }
                    .into(),
                    r["failed"]
                        .as_array()
                        .map(|f| f.iter().map(cell).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                ]);
            }
            out!(
                "贫困村退出 poor villages {} — {}  区划 area {}\n期初贫困村 poor at start {poor_at_start}, 退出 exited {exited}, 期末贫困村 poor at end {poor_at_end}\n\n{}",
                a.from,
                a.to,
                if a.area.is_empty() { "全部 all" } else { &a.area },
                render(&t)
            );
        }
    }
    Ok(())
}
