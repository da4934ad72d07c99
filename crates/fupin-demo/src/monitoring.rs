//! The monitoring workflow of the demo (issue 13, docs/monitoring.md): the city profile's first half
//! of 2020 enrols, through cases each decided within 15 days, 3 households with 6 people as unstable
//! and 1 household with 4 people as marginal (Jincheng, seed 003: "新识别脱贫监测户3户6人,边缘户1户4人");
//! and a department file of a written registry that produces alerts of every code.

use chrono::{Duration, NaiveDate};
use fupin_core::codes::{HouseholdStatus, MonitoringCategory};
use fupin_core::id::check_char;
use fupin_core::monitoring::{Outcome, Source, Step};
use fupin_store::directory::{Directory, HouseholdRow, ListFilter};
use fupin_store::monitoring::{NewCase, NewStep};
use fupin_store::Repository;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

async fn rows(
    dir: &dyn Directory,
    area: &str,
    status: Option<HouseholdStatus>,
    monitoring: Option<MonitoringCategory>,
) -> Result<Vec<HouseholdRow>, String> {
    let f = ListFilter {
        area: area.to_string(),
        status,
        monitoring,
        page: 1,
        per_page: 500,
        ..Default::default()
    };
    Ok(dir
        .list_households(&f)
        .await
        .map_err(|e| e.to_string())?
        .rows)
}

/// Households whose sizes add up to `people` exactly, `n` of them, the first found in list order.
fn pick(rows: &[HouseholdRow], n: usize, people: i64) -> Option<Vec<HouseholdRow>> {
    fn go(rows: &[HouseholdRow], n: usize, people: i64, at: usize, out: &mut Vec<usize>) -> bool {
        if n == 0 {
            return people == 0;
        }
        for i in at..rows.len() {
            if rows[i].people <= people - (n as i64 - 1) {
                out.push(i);
                if go(rows, n - 1, people - rows[i].people, i + 1, out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }
    let rows = &rows[..rows.len().min(60)];
    let mut out = Vec::new();
    go(rows, n, people, 0, &mut out).then(|| out.into_iter().map(|i| rows[i].clone()).collect())
}

/// One case from signal to enrolment, every step within 14 days of the signal.
async fn enrol(
    dir: &dyn Directory,
    household: &str,
    source: Source,
    signal: NaiveDate,
    category: MonitoringCategory,
) -> Result<String, String> {
    let err = |e: fupin_store::StoreError| format!("{household}: {e}");
    let (id, _) = dir
        .open_case(&NewCase {
            household: household.to_string(),
            source,
            signal_date: signal,
            signal_id: None,
            detail: Some("因病因灾支出骤增 / sudden medical and disaster costs".into()),
            actor: "demo".into(),
        })
        .await
        .map_err(err)?;
    let steps = [
        (Step::HomeVerification, 2, "入户核实表"),
        (Step::VillageAppraisal, 4, "民主评议记录"),
        (Step::PublicNotice, 5, "公示照片"),
        (Step::TownshipReview, 10, "乡镇审核意见"),
        (Step::CountyDecision, 14, "县级确定文件"),
    ];
    for (step, days, document) in steps {
        let decision = step == Step::CountyDecision;
        dir.record_case_step(
            &id,
            &NewStep {
                step,
                date: signal + Duration::days(days),
                note: None,
                documents: vec![document.to_string()],
                outcome: decision.then_some(Outcome::Enrolled),
                category: decision.then_some(category),
                actor: "demo".into(),
            },
        )
        .await
        .map_err(err)?;
    }
    Ok(id)
}

/// The city profile's enrolments of the first half of 2020 through cases: 3 unstable households
/// with 6 people, 1 marginal household with 4 people, each decided 14 days after its signal.
pub async fn city_cases(dir: &dyn Directory, area: &str) -> Result<Vec<String>, String> {
    let unstable = rows(
        dir,
        area,
        Some(HouseholdStatus::Exited),
        Some(MonitoringCategory::Unstable),
    )
    .await?;
    let marginal = rows(
        dir,
        area,
        Some(HouseholdStatus::NonPoor),
        Some(MonitoringCategory::Marginal),
    )
    .await?;
    let three = pick(&unstable, 3, 6).ok_or("no 3 unstable households of 6 people")?;
    let one = pick(&marginal, 1, 4).ok_or("no marginal household of 4 people")?;
    let mut ids = Vec::new();
    let signals = [
        d(2020, 2, 10),
        d(2020, 3, 9),
        d(2020, 4, 13),
        d(2020, 5, 11),
    ];
    let sources = [
        Source::Visit,
        Source::Department,
        Source::SelfReport,
        Source::Visit,
    ];
    for (i, h) in three.iter().chain(&one).enumerate() {
        let category = if i < 3 {
            MonitoringCategory::Unstable
        } else {
            MonitoringCategory::Marginal
        };
        ids.push(enrol(dir, &h.number, sources[i], signals[i], category).await?);
    }
    Ok(ids)
}

/// A valid ID number that no generated person has (the generator's area codes are real counties;
/// `999` is no county code).
fn stranger(seq: u32) -> String {
    let first17 = format!("14999919800101{seq:03}");
    format!("{first17}{}", check_char(first17.as_bytes()))
}

/// The current members' ID numbers of a listed household.
async fn members(repo: &dyn Repository, number: &str) -> Result<Vec<String>, String> {
    let h = repo
        .household(number)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{number} not found"))?;
    Ok(h.members.into_iter().map(|m| m.id_number).collect())
}

/// The rows of a department file of a written registry under `area` that produce an alert of every
/// code, and the rows that must produce none (9,999.99 yuan, a stranger's death) and one bad ID
/// number: `[证件号码, 姓名, 事项, 金额, 日期, 部门]`.
pub async fn department_rows(
    repo: &dyn Repository,
    dir: &dyn Directory,
    area: &str,
) -> Result<Vec<[String; 6]>, String> {
    let first = |v: Vec<HouseholdRow>, what: &str| {
        v.into_iter()
            .find(|r| r.monitoring.as_deref().is_none_or(|m| m == "none"))
            .ok_or(format!("no {what} household"))
    };
    let poor = rows(dir, area, Some(HouseholdStatus::Poor), None).await?;
    let poor = poor.first().ok_or("no poor household")?.number.clone();
    let unstable = rows(dir, area, None, Some(MonitoringCategory::Unstable)).await?;
    let unstable = unstable
        .first()
        .ok_or("no unstable household")?
        .number
        .clone();
    let exited = first(
        rows(dir, area, Some(HouseholdStatus::Exited), None).await?,
        "exited",
    )?
    .number;
    let removed = rows(dir, area, Some(HouseholdStatus::Removed), None).await?;
    let removed = removed
        .first()
        .ok_or("no removed household")?
        .number
        .clone();
    let p = members(repo, &poor).await?;
    let u = members(repo, &unstable).await?;
    let e = members(repo, &exited).await?;
    let r = members(repo, &removed).await?;
    let mut bad = stranger(2);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let row = |id: &str, name: &str, item: &str, amount: &str, date: &str, dept: &str| {
        [id, name, item, amount, date, dept].map(str::to_string)
    };
    Ok(vec![
        row(&p[0], "甲", "车辆", "", "2020-06-01", "公安局"),
        row(
            &u[0],
            "乙",
            "commercial_housing",
            "",
            "2020-06-02",
            "住建局",
        ),
        row(&e[0], "丙", "医疗自付", "10000.00", "2020-06-03", "医保局"),
        row(&e[0], "丙", "受灾", "9999.99", "2020-06-03", "应急管理局"),
        row(
            e.last().expect("a member"),
            "丁",
            "失业",
            "",
            "2020-06-04",
            "人社局",
        ),
        row(&u[u.len() - 1], "戊", "死亡", "", "2020-06-05", "民政局"),
        row(&r[0], "己", "新增残疾", "", "2020-06-06", "残联"),
        row(&stranger(1), "庚", "新发大病", "", "2020-06-07", "卫健局"),
        row(&stranger(3), "辛", "死亡", "", "2020-06-08", "民政局"),
        row(&bad, "壬", "失业", "", "2020-06-09", "人社局"),
    ])
}

/// Writes [`department_rows`] as a department file (CSV or XLSX by extension).
pub async fn write_department_file(
    repo: &dyn Repository,
    dir: &dyn Directory,
    area: &str,
    path: &std::path::Path,
) -> Result<usize, String> {
    let rows = department_rows(repo, dir, area).await?;
    fupin_sheet::monitoring::write_department(path, &rows).map_err(|e| e.to_string())?;
    Ok(rows.len())
}
