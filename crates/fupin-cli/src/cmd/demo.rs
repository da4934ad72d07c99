//! `fupin demo`: writes a deterministic synthetic registry (crate `fupin-demo`) into a database or
//! as import CSV files (docs/demo.md).

use crate::error::{CliError, Result};
use crate::options::Global;
use clap::Args;
use fupin_demo::write::{self, Summary};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct DemoArgs {
    /// 规模 / profile: county (泽州县 2017), city (晋城市 2020), province (~1000万人), nation (~9000万人)
    #[arg(long, default_value = "county", conflicts_with = "people")]
    profile: String,
    /// 按人数生成(代替 --profile)/ about this many people instead of a profile
    #[arg(long)]
    people: Option<u64>,
    /// 随机种子(相同种子,相同数据)/ seed: the same seed gives the same data
    #[arg(long, default_value_t = 2014)]
    seed: u64,
    /// 写成导入用 CSV 文件(每个生效日期一个)/ write import CSV files (one per effective date) into DIR
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
    /// 只生成并计数,不写入 / generate and count only, write nothing (the generator's throughput)
    #[arg(long, conflicts_with = "csv")]
    dry_run: bool,
    /// 另写一份部门比对数据(各类预警均有)/ also write a department file giving alerts of every code (with the database)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["csv", "dry_run"])]
    department_file: Option<PathBuf>,
    /// 续写中断的生成:已写完的县跳过 / resume an interrupted run: counties already written are skipped
    #[arg(long, conflicts_with_all = ["csv", "dry_run"])]
    resume: bool,
}

pub fn run(args: DemoArgs, g: &Global) -> Result {
    // `--db` is a global option: its conflicts are checked here, as clap checks the others.
    if g.db.is_some() && (args.csv.is_some() || args.dry_run) {
        let other = if args.dry_run {
            "--dry-run"
        } else {
            "--csv <DIR>"
        };
        return Err(CliError::Usage(format!(
            "error: the argument '--db <DB>' cannot be used with '{other}'"
        )));
    }
    let profile = match args.people {
        Some(n) => fupin_demo::scaled(&format!("people-{n}"), n),
        None => fupin_demo::by_name(&args.profile).ok_or_else(|| {
            CliError::Usage(format!(
                "未知规模 / unknown profile {:?} (county, city, province, nation)",
                args.profile
            ))
        })?,
    };
    eprintln!(
        "生成 / generating profile {}: {} 县 counties, {} 户 households, {} 人 people, seed {}",
        profile.name,
        profile.counties.len(),
        profile.households(),
        profile.people(),
        args.seed
    );
    let started = Instant::now();
    let mut progress = |done: u64, total: u64, s: &Summary| {
        if total <= 20 || done % 10 == 0 || done == total {
            eprintln!(
                "  {done}/{total} 县 counties, {} 户 households, {:.1}s",
                s.households,
                started.elapsed().as_secs_f64()
            );
        }
    };
    let result = if args.dry_run {
        write::count_only(&profile, args.seed, &mut progress)
    } else if let Some(dir) = &args.csv {
        write::to_csv(&profile, args.seed, dir, &mut progress)
    } else {
        let url = g.db_url();
        crate::options::runtime()?.block_on(async {
            let (repo, dir) = fupin_store::directory::open_both(&url)
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            let s = write::to_repository_resuming(
                &profile,
                args.seed,
                repo.as_ref(),
                dir.as_ref(),
                args.resume,
                &mut progress,
            )
            .await?;
            crate::cmd::monitoring::demo_department_file(&args.department_file, &repo, &dir)
                .await?;
            Ok(s)
        })
    };
    let s = result.map_err(CliError::Failed)?;
    let secs = started.elapsed().as_secs_f64();
    outln!(
        "完成 / done: {} 县 counties, {} 户 households, {} 人 people, {} 次写入 household writes, {} 事件 events in {:.1}s (生成 generation {:.1}s, 写入 writing {:.1}s; {:.0} 户/秒 households/s)",
        s.counties,
        s.households,
        s.people,
        s.writes,
        s.events,
        secs,
        s.generate.as_secs_f64(),
        s.write.as_secs_f64(),
        s.households as f64 / secs.max(1e-9)
    );
    Ok(())
}
