//! Whole-registry runs: `fupin assess --db URL --all` (the exit check and monitoring of every
//! household, counted by status and category for each area level) and `fupin simulate` (how many
//! households change outcome under a proposed policy). Households stream from the store
//! ([`fupin_store::scan::households`]) in constant memory; only the per-area counts are kept.

use crate::table::render;
use crate::{load_policy, parse_date, Format};
use chrono::NaiveDate;
use clap::Args;
use fupin_core::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use fupin_core::money::fmt2;
use fupin_core::{Decimal, PolicySet};
use fupin_store::directory::Area;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The area levels by prefix length.
const LEVELS: &[(usize, &str)] = &[
    (2, "province"),
    (4, "city"),
    (6, "county"),
    (9, "township"),
    (12, "village"),
];

fn level_len(level: &str) -> Result<usize, String> {
    LEVELS
        .iter()
        .find(|(_, l)| *l == level)
        .map(|(n, _)| *n)
        .ok_or_else(|| {
            format!("未知区划级别 / unknown level {level:?} (province, city, county, township, village)")
        })
}

/// The policy values one household is judged with.
#[derive(Clone, Copy)]
struct Params {
    line: Decimal,
    ages: (u32, u32),
    monitoring_line: Option<Decimal>,
}

/// Policy values by village code (a region may be any prefix).
struct ParamCache<'a> {
    policies: &'a PolicySet,
    as_of: NaiveDate,
    cache: HashMap<String, Params>,
}

impl ParamCache<'_> {
    fn get(&mut self, area: &str) -> Result<Params, String> {
        if let Some(p) = self.cache.get(area) {
            return Ok(*p);
        }
        let pol = self.policies.for_area(area);
        let p = Params {
            line: pol
                .poverty_line(self.as_of)
                .map_err(|e| e.to_string())?
                .value,
            ages: pol
                .compulsory_school_age()
                .map_err(|e| e.to_string())?
                .value,
            monitoring_line: pol.monitoring_line(self.as_of).map(|m| m.value),
        };
        self.cache.insert(area.to_string(), p);
        Ok(p)
    }
}

/// The outcome of one household under one policy.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Outcome {
    /// Meets the exit standard (poor and returned households only).
    exit: Option<bool>,
    monitoring: MonitoringCategory,
}

fn outcome(h: &fupin_core::model::Household, p: Params, as_of: NaiveDate) -> Outcome {
    use fupin_core::rules;
    let exit = matches!(h.status, HouseholdStatus::Poor | HouseholdStatus::Returned)
        .then(|| rules::household_exit(h, p.line, p.ages, as_of).meets_standard());
    let monitoring = match p.monitoring_line {
        Some(line) => rules::monitoring(h, line, p.ages, as_of).category,
        None => MonitoringCategory::NotApplicable,
    };
    Outcome { exit, monitoring }
}

#[derive(Default, Clone, Copy)]
struct Count {
    households: u64,
    people: u64,
}

impl Count {
    fn merge(&mut self, o: &Count) {
        self.households += o.households;
        self.people += o.people;
    }
    fn add(&mut self, people: u64) {
        self.households += 1;
        self.people += people;
    }
    fn json(&self) -> Value {
        json!({"households": self.households, "people": self.people})
    }
}

const STATUSES: &[HouseholdStatus] = &[
    HouseholdStatus::Poor,
    HouseholdStatus::Exited,
    HouseholdStatus::Returned,
    HouseholdStatus::Removed,
    HouseholdStatus::NonPoor,
];
const MONITORED: &[MonitoringCategory] = &[
    MonitoringCategory::Unstable,
    MonitoringCategory::Marginal,
    MonitoringCategory::SuddenHardship,
];

#[derive(Default, Clone)]
struct Tally {
    status: [Count; 5],
    exit_meets: Count,
    monitoring: [Count; 3],
}

/// Counts by area prefix (and "" for the whole registry), down to a level.
struct ByArea<T> {
    depth: usize,
    map: HashMap<String, T>,
}

impl<T: Default> ByArea<T> {
    fn new(depth: usize) -> Self {
        ByArea {
            depth,
            map: HashMap::new(),
        }
    }
    fn each(&mut self, area: &str, mut f: impl FnMut(&mut T)) {
        f(self.map.entry(String::new()).or_default());
        for (n, _) in LEVELS
            .iter()
            .filter(|(n, _)| *n <= self.depth && *n <= area.len())
        {
            let key = &area[..*n];
            match self.map.get_mut(key) {
                Some(t) => f(t),
                None => f(self.map.entry(key.to_string()).or_default()),
            }
        }
    }
    fn sorted(self) -> BTreeMap<String, T> {
        self.map.into_iter().collect()
    }
}

/// How many threads scan the registry (one connection each, county by county).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Streams every household of `area`, as the rules see it, through `visit` on [`workers`] threads,
/// each with its own state from `init`; returns the states and the number of households.
fn scan<S: Send>(
    url: &str,
    area: &str,
    init: impl Fn() -> S + Sync,
    visit: impl Fn(&mut S, &fupin_core::model::Household) -> Result<(), String> + Sync,
) -> Result<(Vec<S>, u64), String> {
    fupin_store::scan::households(url, area, workers(), init, visit).map_err(|e| e.to_string())
}

impl Tally {
    fn merge(&mut self, o: &Tally) {
        for (a, b) in self.status.iter_mut().zip(&o.status) {
            a.merge(b);
        }
        self.exit_meets.merge(&o.exit_meets);
        for (a, b) in self.monitoring.iter_mut().zip(&o.monitoring) {
            a.merge(b);
        }
    }
}

impl Changes {
    fn merge(&mut self, o: &Changes) {
        self.exit_gained.merge(&o.exit_gained);
        self.exit_lost.merge(&o.exit_lost);
        self.monitoring_entered.merge(&o.monitoring_entered);
        self.monitoring_left.merge(&o.monitoring_left);
        self.monitoring_changed.merge(&o.monitoring_changed);
        self.changed.merge(&o.changed);
    }
}

/// Per-village figures of the scan's workers, summed into every area level down to `depth`.
fn by_area<T: Default>(
    states: impl IntoIterator<Item = HashMap<String, T>>,
    depth: usize,
    merge: impl Fn(&mut T, &T),
) -> ByArea<T> {
    let mut out: ByArea<T> = ByArea::new(depth);
    for villages in states {
        for (village, t) in villages {
            out.each(&village, |x| merge(x, &t));
        }
    }
    out
}

/// The rural population of every prefix (sum over its villages) and the names of areas.
struct AreaInfo {
    names: HashMap<String, (String, String)>,
    rural: HashMap<String, i64>,
}

fn area_info(areas: Vec<Area>, depth: usize) -> AreaInfo {
    let mut names = HashMap::new();
    let mut rural: HashMap<String, i64> = HashMap::new();
    for a in areas {
        if a.level == fupin_core::AreaLevel::Village {
            if let Some(n) = a.rural_population {
                *rural.entry(String::new()).or_default() += n;
                for (len, _) in LEVELS.iter().filter(|(len, _)| *len <= depth) {
                    *rural.entry(a.code[..*len].to_string()).or_default() += n;
                }
            }
        }
        names.insert(a.code.clone(), (a.name, a.level.code().to_string()));
    }
    AreaInfo { names, rural }
}

impl AreaInfo {
    fn name(&self, prefix: &str) -> (String, String) {
        if prefix.is_empty() {
            return ("全部 all".into(), "all".into());
        }
        let level = LEVELS
            .iter()
            .find(|(n, _)| *n == prefix.len())
            .map_or("", |(_, l)| l);
        self.names
            .get(&format!("{prefix:0<12}"))
            .map_or((String::new(), level.to_string()), |(n, _)| {
                (n.clone(), level.to_string())
            })
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// Opens the registry; the assessment date defaults to the latest event in it (else today).
async fn open(url: &str, as_of: Option<NaiveDate>) -> Result<(NaiveDate, Vec<Area>), String> {
    let (_, dir) = fupin_store::directory::open_both(url)
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
    let areas = fupin_store::scan::all_areas(url)
        .await
        .map_err(|e| e.to_string())?;
    Ok((as_of, areas))
}

fn write_out(out: Option<&Path>, text: &str) -> Result<(), String> {
    match out {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// The name of the policy in force: the file's, or `built-in` (national and the region files).
fn policy_label(file: Option<&Path>, policies: &PolicySet) -> String {
    match file {
        Some(_) => policies.name().to_string(),
        None => "built-in".to_string(),
    }
}

/// `fupin assess --db URL --all`: returns the exit status.
pub fn assess_all(
    db: Option<&str>,
    policy: Option<&Path>,
    as_of: Option<NaiveDate>,
    level: &str,
    read_only: bool,
    out: Option<&Path>,
    format: Format,
) -> u8 {
    let result = if read_only {
        read_all(db)
    } else {
        assess_all_in(db, policy, as_of, level, out, format)
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Reads every household and counts them and their members (the plain read time of the store).
fn read_all(db: Option<&str>) -> Result<(), String> {
    let url = fupin_store::db_url(db);
    let rt = runtime()?;
    let started = std::time::Instant::now();
    rt.block_on(async {
        // Opening creates and migrates an empty database (the benchmark's PostgreSQL copy needs it).
        fupin_store::directory::open_both(&url)
            .await
            .map(|_| ())
            .map_err(|e| format!("{url}: {e}"))
    })?;
    let (counts, n) = scan(
        &url,
        "",
        || 0u64,
        |people, core| {
            *people += core.members.len() as u64;
            Ok(())
        },
    )?;
    let people: u64 = counts.iter().sum();
    println!(
        "读取 / read {n} 户 households, {people} 人 people in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn assess_all_in(
    db: Option<&str>,
    policy: Option<&Path>,
    as_of: Option<NaiveDate>,
    level: &str,
    out: Option<&Path>,
    format: Format,
) -> Result<(), String> {
    let depth = level_len(level)?;
    let policies = load_policy(policy)?;
    let policy_name = policy_label(policy, &policies);
    let url = fupin_store::db_url(db);
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let (as_of, areas) = rt.block_on(open(&url, as_of))?;
    let (states, n) = scan(
        &url,
        "",
        || {
            (
                ParamCache {
                    policies: &policies,
                    as_of,
                    cache: HashMap::new(),
                },
                HashMap::<String, Tally>::new(),
            )
        },
        |(cache, villages), core| {
            let area = core.area.as_str();
            let p = cache.get(area)?;
            let o = outcome(core, p, as_of);
            let people = core.members.len() as u64;
            let t = match villages.get_mut(area) {
                Some(t) => t,
                None => villages.entry(area.to_string()).or_default(),
            };
            if let Some(i) = STATUSES.iter().position(|s| *s == core.status) {
                t.status[i].add(people);
            }
            if o.exit == Some(true) {
                t.exit_meets.add(people);
            }
            if let Some(i) = MONITORED.iter().position(|m| *m == o.monitoring) {
                t.monitoring[i].add(people);
            }
            Ok(())
        },
    )?;
    let by_area = by_area(states.into_iter().map(|(_, v)| v), depth, Tally::merge);
    let info = area_info(areas, depth);
    let elapsed = started.elapsed();
    let mut rows = Vec::new();
    for (prefix, t) in by_area.sorted() {
        let (name, lvl) = info.name(&prefix);
        let poor_people = t.status[0].people + t.status[2].people;
        let rural = info.rural.get(&prefix).copied().filter(|n| *n > 0);
        let incidence = rural.and_then(|r| {
            fupin_core::rules::incidence_pct(poor_people, r as u64)
                .ok()
                .map(fmt2)
        });
        let status: serde_json::Map<String, Value> = STATUSES
            .iter()
            .zip(&t.status)
            .map(|(s, c)| (s.code().to_string(), c.json()))
            .collect();
        let monitoring: serde_json::Map<String, Value> = MONITORED
            .iter()
            .zip(&t.monitoring)
            .map(|(m, c)| (m.code().to_string(), c.json()))
            .collect();
        rows.push(json!({
            "area": prefix,
            "name": name,
            "level": lvl,
            "status": status,
            "exit_meets_standard": t.exit_meets.json(),
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
    /// 拟议政策 TOML 文件(替换内置政策)/ the proposed policy file (replaces the built-in policy)
    #[arg(long)]
    policy: PathBuf,
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
    /// 数据库 / database: sqlite:PATH or postgres://... (default: $FUPIN_DB, else sqlite:fupin.db)
    #[arg(long)]
    db: Option<String>,
}

#[derive(Default, Clone)]
struct Changes {
    /// Poor or returned households that would newly meet / no longer meet the exit standard.
    exit_gained: Count,
    exit_lost: Count,
    /// Households entering monitoring, leaving it, or changing category.
    monitoring_entered: Count,
    monitoring_left: Count,
    monitoring_changed: Count,
    /// Any change.
    changed: Count,
}

fn exit_code(e: Option<bool>) -> &'static str {
    match e {
        Some(true) => "meets",
        Some(false) => "fails",
        None => "-",
    }
}

/// `fupin simulate`: returns the exit status.
pub fn simulate(args: SimulateArgs) -> u8 {
    match simulate_in(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            if e.contains("policy") {
                2
            } else {
                1
            }
        }
    }
}

fn simulate_in(args: &SimulateArgs) -> Result<(), String> {
    let depth = level_len(&args.level)?;
    let current = load_policy(args.current.as_deref())?;
    let current_name = policy_label(args.current.as_deref(), &current);
    let proposed = load_policy(Some(&args.policy))?;
    let url = fupin_store::db_url(args.db.as_deref());
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let (as_of, areas) = rt.block_on(open(&url, args.as_of))?;
    let cache = |policies| ParamCache {
        policies,
        as_of,
        cache: HashMap::new(),
    };
    let (states, n) = scan(
        &url,
        &args.area,
        || {
            (
                cache(&current),
                cache(&proposed),
                HashMap::<String, Changes>::new(),
                Vec::<Value>::new(),
            )
        },
        |(cur, new, villages, listed), core| {
            let area = core.area.as_str();
            let a = outcome(core, cur.get(area)?, as_of);
            let b = outcome(core, new.get(area)?, as_of);
            if a == b {
                return Ok(());
            }
            let people = core.members.len() as u64;
            let active = |m: MonitoringCategory| MONITORED.contains(&m);
            let c = villages.entry(area.to_string()).or_default();
            c.changed.add(people);
            match (a.exit, b.exit) {
                (Some(false), Some(true)) => c.exit_gained.add(people),
                (Some(true), Some(false)) => c.exit_lost.add(people),
                _ => {}
            }
            if a.monitoring != b.monitoring {
                match (active(a.monitoring), active(b.monitoring)) {
                    (false, true) => c.monitoring_entered.add(people),
                    (true, false) => c.monitoring_left.add(people),
                    (true, true) => c.monitoring_changed.add(people),
                    (false, false) => {}
                }
            }
            if args.list {
                listed.push(json!({
                    "household": core.id,
                    "area": area,
                    "status": core.status.code(),
                    "people": people,
                    "exit": [exit_code(a.exit), exit_code(b.exit)],
                    "monitoring": [a.monitoring.code(), b.monitoring.code()],
                }));
            }
            Ok(())
        },
    )?;
    let mut listed: Vec<Value> = Vec::new();
    let mut villages = Vec::new();
    for (_, _, v, l) in states {
        villages.push(v);
        listed.extend(l);
    }
    listed.sort_by(|a, b| a["household"].as_str().cmp(&b["household"].as_str()));
    let by_area = by_area(villages, depth, Changes::merge);
    let info = area_info(areas, depth);
    eprintln!(
        "模拟 / simulated {n} 户 households as of {as_of}: {current_name} → {} in {:.2}s",
        proposed.name(),
        started.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for (prefix, c) in by_area.sorted() {
        let (name, lvl) = info.name(&prefix);
        rows.push(json!({
            "area": prefix,
            "name": name,
            "level": lvl,
            "changed": c.changed.json(),
            "exit": {"newly_meets": c.exit_gained.json(), "no_longer_meets": c.exit_lost.json()},
            "monitoring": {
                "entered": c.monitoring_entered.json(),
                "left": c.monitoring_left.json(),
                "changed_category": c.monitoring_changed.json(),
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
    write_out(args.out.as_deref(), &text)
}
