//! Whole-registry runs: `fupin assess --all` (the exit check and monitoring of every household,
//! counted by status and category for each area level) and `fupin simulate` (how many households
//! change outcome under a proposed policy). Households stream from the store's scan
//! ([`fupin_store::scan::households`]) in constant memory; fupin-core's [`tally`] judges and
//! counts them per village and sums the villages into every area level; this module prints.

use crate::error::{CliError, Result};
use crate::options::{load_policy, parse_date, runtime, write_out, Format, Global};
use crate::table::render;
use chrono::NaiveDate;
use clap::Args;
use fupin_core::area::AreaLevel;
use fupin_core::codes::CodeList;
use fupin_core::money::fmt2;
use fupin_core::tally::{self, Changes, Count, Judge, Tally, MONITORED, STATUSES};
use fupin_core::PolicySet;
use fupin_store::directory::Area;
use fupin_store::SqlStore;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn level_len(level: &str) -> std::result::Result<usize, String> {
    AreaLevel::ALL
        .into_iter()
        .find(|l| l.code() == level)
        .map(AreaLevel::prefix_len)
        .ok_or_else(|| {
            format!("未知区划级别 / unknown level {level:?} (province, city, county, township, village)")
        })
}

fn count_json(c: &Count) -> Value {
    json!({"households": c.households, "people": c.people})
}

/// How many threads scan the registry (one connection each, county by county).
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Streams every household of `area` through `visit` on [`workers`] threads, each with its own
/// state from `init`; returns the states and the number of households.
fn scan<S: Send>(
    store: &SqlStore,
    area: &str,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &fupin_core::model::Household) -> std::result::Result<(), String> + Sync,
) -> std::result::Result<(Vec<S>, u64), String> {
    fupin_store::scan::households(store, area, workers(), init, visit).map_err(|e| e.to_string())
}

/// The rural population of every prefix (sum over its villages) and the names of areas.
struct AreaInfo {
    names: HashMap<String, String>,
    rural: HashMap<String, i64>,
}

fn area_info(areas: Vec<Area>, depth: usize) -> AreaInfo {
    let rural = tally::rural_by_prefix(
        areas
            .iter()
            .filter(|a| a.level == AreaLevel::Village)
            .filter_map(|a| Some((a.code.as_str(), a.rural_population?))),
        depth,
    );
    let names = areas.into_iter().map(|a| (a.code, a.name)).collect();
    AreaInfo { names, rural }
}

impl AreaInfo {
    /// The name and level of an area prefix ("" is the whole registry).
    fn name(&self, prefix: &str) -> (String, String) {
        if prefix.is_empty() {
            return ("全部 all".into(), "all".into());
        }
        let level = AreaLevel::from_prefix_len(prefix.len()).map_or("", AreaLevel::code);
        let name = self
            .names
            .get(&fupin_core::area::full_code(prefix))
            .cloned()
            .unwrap_or_default();
        (name, level.to_string())
    }
}

/// Opens the store; the assessment date defaults to the latest event in it (else today).
async fn open(
    url: &str,
    as_of: Option<NaiveDate>,
) -> std::result::Result<(SqlStore, NaiveDate, Vec<Area>), String> {
    let (_, dir) = fupin_store::directory::open_both(url)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let store = SqlStore::open(url)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let as_of = match as_of {
        Some(d) => d,
        None => dir
            .last_event_date("")
            .await
            .map_err(|e| e.to_string())?
            .and_then(|d| NaiveDate::parse_from_str(&d[..10.min(d.len())], "%Y-%m-%d").ok())
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    let areas = fupin_store::scan::all_areas(&store)
        .await
        .map_err(|e| e.to_string())?;
    Ok((store, as_of, areas))
}

/// The name of the policy in force: the file's, or `built-in` (national and the region files).
fn policy_label(file: Option<&Path>, policies: &PolicySet) -> String {
    match file {
        Some(_) => policies.name().to_string(),
        None => "built-in".to_string(),
    }
}

/// `fupin assess --all`: every error is exit status 1 (as documented in docs/demo.md).
pub fn assess_all(
    g: &Global,
    as_of: Option<NaiveDate>,
    level: &str,
    read_only: bool,
    out: Option<&Path>,
    format: Format,
) -> Result {
    let result = if read_only {
        read_all(g)
    } else {
        assess_all_in(g, as_of, level, out, format)
    };
    result.map_err(CliError::Failed)
}

/// Reads every household and counts them and their members (the plain read time of the store).
fn read_all(g: &Global) -> std::result::Result<(), String> {
    let url = g.db_url();
    let rt = runtime().map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    // Opening creates and migrates an empty database (the benchmark's PostgreSQL copy needs it).
    let store = rt
        .block_on(SqlStore::open(&url))
        .map_err(|e| format!("{url}: {e}"))?;
    let (counts, n) = scan(
        &store,
        "",
        || 0u64,
        |people, core| {
            *people += core.members.len() as u64;
            Ok(())
        },
    )?;
    let people: u64 = counts.iter().sum();
    outln!(
        "读取 / read {n} 户 households, {people} 人 people in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn assess_all_in(
    g: &Global,
    as_of: Option<NaiveDate>,
    level: &str,
    out: Option<&Path>,
    format: Format,
) -> std::result::Result<(), String> {
    let depth = level_len(level)?;
    let policies = g.policies().map_err(|e| e.to_string())?;
    let policy_name = policy_label(g.policy.as_deref(), &policies);
    let url = g.db_url();
    let rt = runtime().map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let (store, as_of, areas) = rt.block_on(open(&url, as_of))?;
    let (states, n) = scan(
        &store,
        "",
        || {
            (
                Judge::new(&policies, as_of),
                HashMap::<String, Tally>::new(),
            )
        },
        |(judge, villages), h| {
            let o = judge.outcome(h).map_err(|e| e.to_string())?;
            tally::village(villages, h.area.as_str()).add(h, o);
            Ok(())
        },
    )?;
    let by_area = tally::roll_up(states.into_iter().map(|(_, v)| v), depth, Tally::merge);
    let info = area_info(areas, depth);
    let elapsed = started.elapsed();
    let mut rows = Vec::new();
    for (prefix, t) in by_area {
        let (name, lvl) = info.name(&prefix);
        let poor_people = t.poor_people();
        let rural = info.rural.get(&prefix).copied().filter(|n| *n > 0);
        let incidence = rural.and_then(|r| {
            fupin_core::rules::incidence_pct(poor_people, r as u64)
                .ok()
                .map(fmt2)
        });
        let status: serde_json::Map<String, Value> = STATUSES
            .iter()
            .zip(&t.status)
            .map(|(s, c)| (s.code().to_string(), count_json(c)))
            .collect();
        let monitoring: serde_json::Map<String, Value> = MONITORED
            .iter()
            .zip(&t.monitoring)
            .map(|(m, c)| (m.code().to_string(), count_json(c)))
            .collect();
        rows.push(json!({
            "area": prefix,
            "name": name,
            "level": lvl,
            "status": status,
            "exit_meets_standard": count_json(&t.exit_meets),
            "monitoring": monitoring,
            "poor_people": poor_people,
            "rural_population": rural,
            "incidence_pct": incidence,
        }));
    }
    eprintln!(
        "评估 / assessed {n} 户 households as of {as_of} under policy {policy_name} in {:.2}s",
        elapsed.as_secs_f64()
    );
    let text = match format {
        Format::Json => {
            let doc = json!({"as_of": as_of.to_string(), "policy": policy_name, "households": n, "areas": rows});
            serde_json::to_string_pretty(&doc).expect("json") + "\n"
        }
        Format::Table => assess_table(&rows, as_of),
    };
    write_out(out, &text)
}

fn cell(v: &Value, path: &[&str]) -> String {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn pair(v: &Value, path: &[&str]) -> String {
    let mut p = path.to_vec();
    p.push("households");
    let h = cell(v, &p);
    p.pop();
    p.push("people");
    format!("{h}/{}", cell(v, &p))
}

fn arrow(v: &Value) -> String {
    format!(
        "{} → {}",
        v[0].as_str().unwrap_or("-"),
        v[1].as_str().unwrap_or("-")
    )
}

fn assess_table(rows: &[Value], as_of: NaiveDate) -> String {
    let mut t = vec![vec![
        "区划 area".to_string(),
        "名称 name".into(),
        "未脱贫 poor".into(),
        "已脱贫 exited".into(),
        "返贫 returned".into(),
        "清退 removed".into(),
        "可脱贫 meets exit".into(),
        "不稳定 unstable".into(),
        "边缘 marginal".into(),
        "突发 sudden".into(),
        "发生率% incidence".into(),
    ]];
    for r in rows {
        t.push(vec![
            cell(r, &["area"]),
            cell(r, &["name"]),
            pair(r, &["status", "poor"]),
            pair(r, &["status", "exited"]),
            pair(r, &["status", "returned"]),
            pair(r, &["status", "removed"]),
            pair(r, &["exit_meets_standard"]),
            pair(r, &["monitoring", "unstable"]),
            pair(r, &["monitoring", "marginal"]),
            pair(r, &["monitoring", "sudden_hardship"]),
            cell(r, &["incidence_pct"]),
        ]);
    }
    format!(
        "全库评估 whole-registry assessment, 截至 as of {as_of} (户/人 households/people)\n\n{}",
        render(&t)
    )
}

#[derive(Args)]
pub struct SimulateArgs {
    /// 当前政策(默认内置)/ the current policy file (default: built-in)
    #[arg(long)]
    current: Option<PathBuf>,
    /// 区划代码前缀 / area-code prefix (default: all)
    #[arg(long, default_value = "")]
    area: String,
    /// 列出结果变化的户 / list the households whose outcome changes
    #[arg(long)]
    list: bool,
    /// 评估日期(默认:库中最后事件日期)/ assessment date (default: the latest event in the registry)
    #[arg(long, value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// 统计到的区划级别 / deepest area level counted: province, city, county, township, village
    #[arg(long, default_value = "county")]
    level: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// 输出文件 / output file (default: standard output)
    #[arg(long)]
    out: Option<PathBuf>,
}

fn exit_code(e: Option<bool>) -> &'static str {
    match e {
        Some(true) => "meets",
        Some(false) => "fails",
        None => "-",
    }
}

/// `fupin simulate --policy NEW.toml`: a policy error is exit status 2, any other 1.
pub fn simulate(args: SimulateArgs, g: &Global) -> Result {
    let depth = level_len(&args.level).map_err(CliError::Failed)?;
    let Some(proposed) = g.policy.as_deref() else {
        return Err(CliError::Usage(
            "error: the following required arguments were not provided:\n  --policy <POLICY>\n\n拟议政策 / the proposed policy file: fupin simulate --policy NEW.toml".into(),
        ));
    };
    let current = load_policy(args.current.as_deref())?;
    let proposed = load_policy(Some(proposed))?;
    simulate_in(&args, g, depth, &current, &proposed)
}

fn simulate_in(
    args: &SimulateArgs,
    g: &Global,
    depth: usize,
    current: &PolicySet,
    proposed: &PolicySet,
) -> Result {
    let failed = |e: String| CliError::Failed(e);
    let current_name = policy_label(args.current.as_deref(), current);
    let url = g.db_url();
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let (store, as_of, areas) = rt.block_on(open(&url, args.as_of)).map_err(failed)?;
    let (states, n) = fupin_store::scan::households(
        &store,
        &args.area,
        workers(),
        || {
            (
                Judge::new(current, as_of),
                Judge::new(proposed, as_of),
                HashMap::<String, Changes>::new(),
                Vec::<Value>::new(),
            )
        },
        |(cur, new, villages, listed), h| {
            let a = cur.outcome(h).map_err(|e| e.to_string())?;
            let b = new.outcome(h).map_err(|e| e.to_string())?;
            if a == b {
                return Ok(());
            }
            let people = h.members.len() as u64;
            tally::village(villages, h.area.as_str()).add(a, b, people);
            if args.list {
                listed.push(json!({
                    "household": h.id,
                    "area": h.area.as_str(),
                    "status": h.status.code(),
                    "people": people,
                    "exit": [exit_code(a.exit), exit_code(b.exit)],
                    "monitoring": [a.monitoring.code(), b.monitoring.code()],
                }));
            }
            Ok(())
        },
    )
    .map_err(|e| {
        // A rule without its policy value is the policy's fault (status 2); the rest the store's.
        let e = e.to_string();
        if e.contains("policy") {
            CliError::Usage(e)
        } else {
            CliError::Failed(e)
        }
    })?;
    let mut listed: Vec<Value> = Vec::new();
    let mut villages = Vec::new();
    for (_, _, v, l) in states {
        villages.push(v);
        listed.extend(l);
    }
    listed.sort_by(|a, b| a["household"].as_str().cmp(&b["household"].as_str()));
    let by_area = tally::roll_up(villages, depth, Changes::merge);
    let info = area_info(areas, depth);
    eprintln!(
        "模拟 / simulated {n} 户 households as of {as_of}: {current_name} → {} in {:.2}s",
        proposed.name(),
        started.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for (prefix, c) in by_area {
        let (name, lvl) = info.name(&prefix);
        rows.push(json!({
            "area": prefix,
            "name": name,
            "level": lvl,
            "changed": count_json(&c.changed),
            "exit": {"newly_meets": count_json(&c.exit_gained), "no_longer_meets": count_json(&c.exit_lost)},
            "monitoring": {
                "entered": count_json(&c.monitoring_entered),
                "left": count_json(&c.monitoring_left),
                "changed_category": count_json(&c.monitoring_changed),
            },
        }));
    }
    let text = match args.format {
        Format::Json => {
            let mut doc = json!({
                "as_of": as_of.to_string(),
                "current": current_name,
                "proposed": proposed.name(),
                "households": n,
                "areas": rows,
            });
            if args.list {
                doc["households_changed"] = Value::Array(listed);
            }
            serde_json::to_string_pretty(&doc).expect("json") + "\n"
        }
        Format::Table => {
            let mut t = vec![vec![
                "区划 area".to_string(),
                "名称 name".into(),
                "变化 changed".into(),
                "新达脱贫标准 newly meets exit".into(),
                "不再达标 no longer meets".into(),
                "新纳入监测 enter monitoring".into(),
                "退出监测 leave monitoring".into(),
                "类别变化 category changed".into(),
            ]];
            for r in &rows {
                t.push(vec![
                    cell(r, &["area"]),
                    cell(r, &["name"]),
                    pair(r, &["changed"]),
                    pair(r, &["exit", "newly_meets"]),
                    pair(r, &["exit", "no_longer_meets"]),
                    pair(r, &["monitoring", "entered"]),
                    pair(r, &["monitoring", "left"]),
                    pair(r, &["monitoring", "changed_category"]),
                ]);
            }
            let mut s = format!(
                "政策模拟 policy simulation {current_name} → {}, 截至 as of {as_of} (户/人 households/people)\n\n{}",
                proposed.name(),
                render(&t)
            );
            if args.list {
                let mut l = vec![vec![
                    "户编号 household".to_string(),
                    "区划 area".into(),
                    "状态 status".into(),
                    "人 people".into(),
                    "脱贫标准 exit".into(),
                    "监测 monitoring".into(),
                ]];
                for h in &listed {
                    l.push(vec![
                        cell(h, &["household"]),
                        cell(h, &["area"]),
                        cell(h, &["status"]),
                        cell(h, &["people"]),
                        arrow(&h["exit"]),
                        arrow(&h["monitoring"]),
                    ]);
                }
                s.push('\n');
                s.push_str(&render(&l));
            }
            s
        }
    };
    write_out(args.out.as_deref(), &text).map_err(CliError::Failed)
}
