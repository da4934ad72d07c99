//! Writing a profile: through the [`Repository`] (and the [`Directory`] for areas and village
//! indicators), or as import CSV files, one per effective date. Counties are generated and written
//! one after another, so memory holds one county at a time.

use crate::gen::{self, Batch, CountyData};
use crate::profile::Profile;
use chrono::NaiveDate;
use fupin_core::area::full_code;
use fupin_core::AreaLevel;
use fupin_core::PolicySet;
use fupin_sheet::{household_rows, COLUMNS};
use fupin_store::directory::{Area, Directory};
use fupin_store::{ImportOptions, Repository};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a write did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub counties: u64,
    pub households: u64,
    pub people: u64,
    /// Household writes (one per household and date).
    pub writes: u64,
    pub events: u64,
    pub generate: Duration,
    pub write: Duration,
}

/// Progress after each county: (counties done, of, summary so far).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64, &Summary);

/// The areas above the counties (provinces and cities).
pub fn upper_areas(profile: &Profile) -> Vec<Area> {
    profile
        .upper
        .iter()
        .map(|(code, name)| Area {
            code: full_code(code),
            name: name.clone(),
            level: if code.len() == 2 {
                AreaLevel::Province
            } else {
                AreaLevel::City
            },
            parent: (code.len() == 4).then(|| full_code(&code[..2])),
            region: None,
            rural_population: None,
        })
        .collect()
}

/// Generates every county of the profile in turn and hands it to `f`.
pub fn each_county(
    profile: &Profile,
    seed: u64,
    mut f: impl FnMut(CountyData) -> Result<(), String>,
) -> Result<(), String> {
    let policy = PolicySet::builtin();
    for spec in &profile.counties {
        f(gen::county(profile, spec, seed, &policy))?;
    }
    Ok(())
}

/// Generates the whole profile and counts it, writing nothing: the generator's own throughput and
/// memory, at any size (`fupin demo --dry-run`).
pub fn count_only(profile: &Profile, seed: u64, progress: Progress<'_>) -> Result<Summary, String> {
    let mut sum = Summary::default();
    let total = profile.counties.len() as u64;
    let mut t = Instant::now();
    each_county(profile, seed, |county| {
        sum.generate += t.elapsed();
        sum.counties += 1;
        sum.households += county.households;
        sum.people += county.people;
        for b in &county.batches {
            sum.writes += b.changes.len() as u64;
        }
        progress(sum.counties, total, &sum);
        t = Instant::now();
        Ok(())
    })?;
    Ok(sum)
}

/// Writes the profile into a registry.
pub async fn to_repository(
    profile: &Profile,
    seed: u64,
    repo: &dyn Repository,
    dir: &dyn Directory,
    progress: Progress<'_>,
) -> Result<Summary, String> {
    to_repository_resuming(profile, seed, repo, dir, false, progress).await
}

/// Like [`to_repository`]; with `resume`, a county whose households are all in the registry already
/// (an interrupted run's) is skipped, and one with only some of them is refused by name (its writes
/// cannot be repeated: delete it, or start afresh).
pub async fn to_repository_resuming(
    profile: &Profile,
    seed: u64,
    repo: &dyn Repository,
    dir: &dyn Directory,
    resume: bool,
    progress: Progress<'_>,
) -> Result<Summary, String> {
    let err = |e: fupin_store::StoreError| e.to_string();
    for a in upper_areas(profile) {
        dir.upsert_area(&a).await.map_err(err)?;
    }
    let policy = std::sync::Arc::new(PolicySet::builtin());
    let mut sum = Summary::default();
    let total = profile.counties.len() as u64;
    for spec in &profile.counties {
        if resume {
            let want: u64 = spec.cohorts.iter().map(|c| c.households).sum();
            let have: i64 = dir
                .figures_scan(&spec.code)
                .await
                .map_err(err)?
                .status
                .iter()
                .map(|(_, c)| c.households)
                .sum();
            if have as u64 == want {
                sum.counties += 1;
                sum.households += want;
                sum.people += spec.cohorts.iter().map(|c| c.people).sum::<u64>();
                progress(sum.counties, total, &sum);
                continue;
            }
            if have != 0 {
                return Err(format!(
                    "县 {} 只写入了 {have} / {want} 户,无法续写 / county {} has {have} of its {want} households: it cannot be resumed (delete it, or start afresh)",
                    spec.code, spec.code
                ));
            }
        }
        let t = Instant::now();
        let county = gen::county(profile, spec, seed, &policy);
        sum.generate += t.elapsed();
        let t = Instant::now();
        for a in &county.areas {
            dir.upsert_area(a).await.map_err(err)?;
        }
        for (code, values) in &county.indicators {
            dir.set_indicators(code, values).await.map_err(err)?;
        }
        crate::funds::zezhou_2017(profile, &county, dir)
            .await
            .map_err(err)?;
        for batch in county.batches {
            let Batch { date, changes } = batch;
            sum.writes += changes.len() as u64;
            let mut opts = ImportOptions::new(date, "demo", policy.clone());
            // One roll-up refresh per county, after its whole history.
            opts.defer_rollups = true;
            let out = repo
                .import(changes.into_iter().map(|c| c.incoming).collect(), &opts)
                .await
                .map_err(err)?;
            if let Some(e) = out.errors.first() {
                return Err(format!(
                    "生成的数据被拒绝 / generated data refused ({} {date}): {} {} {}",
                    county.code,
                    e.household.clone().unwrap_or_default(),
                    e.code,
                    e.en
                ));
            }
            sum.events += out.events;
        }
        repo.refresh_rollups().await.map_err(err)?;
        sum.write += t.elapsed();
        sum.counties += 1;
        sum.households += county.households;
        sum.people += county.people;
        progress(sum.counties, total, &sum);
    }
    crate::assistance::after_profile(profile, repo, dir)
        .await
        .map_err(err)?;
    crate::responsibility::profile_network(profile, dir)
        .await
        .map_err(err)?;
    if profile.name == "city" {
        crate::monitoring::city_cases(dir, "").await?;
    }
    Ok(sum)
}

/// Writes the profile as import CSV files in `dir`: `YYYY-MM-DD.csv` for each effective date (import
/// them in name order with `fupin import FILE --date YYYY-MM-DD`), plus `areas.csv` and
/// `indicators.csv`.
pub fn to_csv(
    profile: &Profile,
    seed: u64,
    dir: &Path,
    progress: Progress<'_>,
) -> Result<Summary, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let open = |p: PathBuf| -> Result<csv::Writer<std::io::BufWriter<std::fs::File>>, String> {
        let f = std::fs::File::create(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(csv::Writer::from_writer(std::io::BufWriter::with_capacity(
            1 << 16,
            f,
        )))
    };
    let csv_err = |e: csv::Error| e.to_string();
    let mut areas = open(dir.join("areas.csv"))?;
    areas
        .write_record(["code", "name", "level", "parent", "rural_population"])
        .map_err(csv_err)?;
    let area_row = |a: &Area| {
        vec![
            a.code.clone(),
            a.name.clone(),
            a.level.code().to_string(),
            a.parent.clone().unwrap_or_default(),
            a.rural_population.map_or(String::new(), |n| n.to_string()),
        ]
    };
    for a in upper_areas(profile) {
        areas.write_record(area_row(&a)).map_err(csv_err)?;
    }
    let mut indicators = open(dir.join("indicators.csv"))?;
    indicators
        .write_record(["area_code", "indicator", "ok"])
        .map_err(csv_err)?;
    let mut files: BTreeMap<NaiveDate, csv::Writer<std::io::BufWriter<std::fs::File>>> =
        BTreeMap::new();
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.zh).collect();
    let col = |key: &str| COLUMNS.iter().position(|c| c.key == key).expect("column");
    let (reason_col, join_col, leave_col) = (
        col("status_reason"),
        col("join_reason"),
        col("leave_reason"),
    );
    let mut sum = Summary::default();
    let total = profile.counties.len() as u64;
    let t0 = Instant::now();
    each_county(profile, seed, |county| {
        for a in &county.areas {
            areas.write_record(area_row(a)).map_err(csv_err)?;
        }
        for (code, values) in &county.indicators {
            for (k, ok) in values {
                indicators
                    .write_record([code.as_str(), k.as_str(), if *ok { "是" } else { "否" }])
                    .map_err(csv_err)?;
            }
        }
        for batch in &county.batches {
            let w = match files.entry(batch.date) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let mut w = open(dir.join(format!("{}.csv", batch.date)))?;
                    w.write_record(&header).map_err(csv_err)?;
                    e.insert(w)
                }
            };
            for c in &batch.changes {
                let inc = &c.incoming;
                let mut rows = household_rows(&inc.record);
                for row in &mut rows {
                    row[reason_col] = inc.status_reason.clone().unwrap_or_default();
                    if inc.joins.contains_key(&row[col("id_number")]) {
                        row[join_col] = "出生".into();
                    }
                }
                if !c.left.is_empty() {
                    let mut gone = inc.record.clone();
                    gone.members = c.left.clone();
                    for mut row in household_rows(&gone) {
                        row[reason_col] = inc.status_reason.clone().unwrap_or_default();
                        row[leave_col] = "死亡".into();
                        rows.push(row);
                    }
                }
                for row in rows {
                    w.write_record(&row).map_err(csv_err)?;
                }
            }
            sum.writes += batch.changes.len() as u64;
        }
        sum.counties += 1;
        sum.households += county.households;
        sum.people += county.people;
        progress(sum.counties, total, &sum);
        Ok(())
    })?;
    for (_, mut w) in files {
        w.flush().map_err(|e| e.to_string())?;
    }
    areas.flush().map_err(|e| e.to_string())?;
    indicators.flush().map_err(|e| e.to_string())?;
    sum.write = t0.elapsed();
    Ok(sum)
}
