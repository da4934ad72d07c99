//! `fupin demo`: the county and city profiles read back through the ordinary report commands give
//! the figures of the Zezhou 2017 and Jincheng mid-2020 reports exactly; the whole-registry
//! assessment and the policy simulation over them; the CSV output imports into the same registry.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_fupin"))
        .env_remove("FUPIN_DB")
        .args(args)
        .output()
        .expect("run fupin");
    assert!(
        o.status.success(),
        "fupin {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// A test's directory, removed when the test ends (the demo databases are 100+ MB each).
struct TestDir(PathBuf);

impl std::ops::Deref for TestDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TestDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(name: &str) -> TestDir {
    let d = std::env::temp_dir().join(format!("fupin-demo-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    TestDir(d)
}

fn db(d: &Path) -> String {
    format!("sqlite:{}", d.join("demo.db").display())
}

/// `fupin report KIND --from FROM --to TO --area AREA --db DB`, read as JSON.
fn report(kind: &str, (from, to): (&str, &str), area: &str, db: &str) -> Value {
    let args = ["report", kind, "--from", from, "--to", to, "--area", area];
    json(&run(&[&args[..], &["--db", db]].concat()))
}

fn area<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == code)
        .unwrap_or_else(|| panic!("area {code} missing"))
}

fn pair(v: &Value) -> (u64, u64) {
    (
        v["households"].as_u64().unwrap(),
        v["people"].as_u64().unwrap(),
    )
}

#[test]
fn county_profile_gives_the_zezhou_2017_figures() {
    let d = dir("county");
    let db = db(&d);
    run(&["demo", "--profile", "county", "--db", &db]);
    let r = report("changes", ("2017-01-01", "2017-12-31"), "140525", &db);
    // 2017: 2,078 households with 5,222 people exit.
    assert_eq!(r["households"]["exited"], 2078);
    assert_eq!(r["people"]["exited"], 5222);
    let poor = r["end"]["poor"]["people"].as_u64().unwrap()
        + r["end"]["returned"]["people"].as_u64().unwrap();
    assert_eq!(poor, 3560);
    // The year ends with an incidence of 0.89% (3,560 poor people in a rural population of 400,000).
    let a = json(&run(&["assess", "--all", "--db", &db, "--format", "json"]));
    let county = area(&a, "140525");
    assert_eq!(county["rural_population"], 400_000);
    assert_eq!(county["poor_people"], 3560);
    assert_eq!(county["incidence_pct"], "0.89");
    assert_eq!(a["as_of"], "2017-11-30");
    // 6 poor villages exit during 2017.
    let v = report("villages", ("2017-01-01", "2017-12-31"), "140525", &db);
    assert_eq!(v["exited"], 6, "{v}");
    let exits: Vec<&Value> = v["villages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["exited"] == true)
        .collect();
    assert_eq!(exits.len(), 6);
    assert!(exits
        .iter()
        .all(|x| x["failed"].as_array().unwrap().is_empty()));
    crate::funds::zezhou_2017_report(&db);
    crate::responsibility::county_network_pairs_every_poor_household(&db);
}

#[test]
fn city_profile_gives_the_jincheng_2020_figures() {
    let d = dir("city");
    let db = db(&d);
    let dept = d.join("department.csv");
    let dept = dept.to_str().unwrap();
    run(&[
        "demo",
        "--profile",
        "city",
        "--db",
        &db,
        "--department-file",
        dept,
    ]);
    let r = report("changes", ("2020-01-01", "2020-06-30"), "1405", &db);
    // "新识别脱贫监测户3户6人,边缘户1户4人": enrolled through cases decided within 15 days.
    let enrolled = &r["monitoring_enrolled"];
    assert_eq!(pair(&enrolled["unstable"]), (3, 6), "{r}");
    assert_eq!(pair(&enrolled["marginal"]), (1, 4));
    assert_eq!(pair(&enrolled["sudden_hardship"]), (0, 0));
    let later = report("changes", ("2020-07-01", "2020-12-31"), "1405", &db);
    assert_eq!(pair(&later["monitoring_enrolled"]["unstable"]), (0, 0));
    let cases = json(&run(&[
        "monitoring",
        "cases",
        "--db",
        &db,
        "--as-of",
        "2020-06-30",
    ]));
    let cases = cases["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    assert!(cases
        .iter()
        .all(|c| c["days_open"] == 14 && c["decided_late"] == false));
    // The department file of the profile gives an alert of every code, and one bad row (status 3).
    let o = Command::new(env!("CARGO_BIN_EXE_fupin"))
        .args([
            "compare",
            "--department",
            dept,
            "--db",
            &db,
            "--dry-run",
            "--as-of",
            "2020-06-30",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let alerts = json(&o);
    let mut codes: Vec<&str> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "ineligible_asset",
            "member_deceased",
            "risk_signal",
            "unregistered_risk"
        ],
        "{alerts}"
    );
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 7, "{alerts}");
    assert_eq!(alerts["errors"][0]["code"], "id_checksum");
    let end = &r["end"];
    let registered: (u64, u64) = ["poor", "exited", "returned"]
        .iter()
        .map(|s| pair(&end[*s]))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(registered, (25_345, 63_425));
    assert_eq!(pair(&end["poor"]), (25, 65));
    assert_eq!(pair(&end["returned"]), (0, 0));
    assert_eq!(r["households"]["removed"], 51);
    assert_eq!(r["people"]["removed"], 104);
    assert_eq!(r["people"]["natural_increase"], 369);
    assert_eq!(r["people"]["natural_decrease"], 1175);
    // Monitoring under the built-in Jincheng policy (5,000-yuan warning line).
    let a = json(&run(&["assess", "--db", &db, "--all", "--format", "json"]));
    let city = area(&a, "1405");
    assert_eq!(pair(&city["monitoring"]["unstable"]), (967, 2259));
    assert_eq!(pair(&city["monitoring"]["marginal"]), (310, 752));
    assert_eq!(pair(&city["monitoring"]["sudden_hardship"]), (0, 0));
    assert_eq!(pair(&city["status"]["poor"]), (25, 65));
    // "截至6月底,25户65人全部达到脱贫标准": at the end of June every poor household meets the
    // exit standard.
    let june = ["assess", "--db", &db, "--all", "--format", "json"];
    let june = json(&run(&[&june[..], &["--as-of", "2020-06-30"]].concat()));
    assert_eq!(june["as_of"], "2020-06-30");
    let city_june = area(&june, "1405");
    assert_eq!(pair(&city_june["status"]["poor"]), (25, 65));
    assert_eq!(pair(&city_june["exit_meets_standard"]), (25, 65));
    // Household assistance (issue 12): the plans and measures of the same registry.
    crate::assistance::city_figures(&db);
    // Every county of Jincheng is there, and the counties add up to the city.
    let counties: Vec<&Value> = a["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["level"] == "county")
        .collect();
    assert_eq!(counties.len(), 6);
    let sum: u64 = counties
        .iter()
        .map(|c| c["monitoring"]["unstable"]["households"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 967);

    // A warning line of 6,000 instead of 5,000 brings more households under monitoring, none leave.
    let policy = d.join("line6000.toml");
    std::fs::write(
        &policy,
        "name = \"jincheng-6000\"\ninherits = \"national\"\n[monitoring_line]\n2020 = 6000\n",
    )
    .unwrap();
    let s = json(&run(&[
        "simulate",
        "--db",
        &db,
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--list",
    ]));
    let all = area(&s, "");
    let entered = pair(&all["monitoring"]["entered"]);
    assert!(entered.0 > 0, "{s}");
    assert_eq!(pair(&all["monitoring"]["left"]), (0, 0));
    let listed = s["households_changed"].as_array().unwrap();
    assert_eq!(listed.len() as u64, pair(&all["changed"]).0);
    assert!(listed.iter().all(|h| h["monitoring"][0] == "none"));
    // The same run under the proposed policy counts exactly the entered households in addition.
    let b = json(&run(&[
        "assess",
        "--db",
        &db,
        "--all",
        "--format",
        "json",
        "--policy",
        policy.to_str().unwrap(),
    ]));
    let unstable = pair(&area(&b, "1405")["monitoring"]["unstable"]);
    let marginal = pair(&area(&b, "1405")["monitoring"]["marginal"]);
    let sudden = pair(&area(&b, "1405")["monitoring"]["sudden_hardship"]);
    assert_eq!(
        unstable.0 + marginal.0 + sudden.0,
        967 + 310 + entered.0,
        "{b}"
    );
    crate::responsibility::city_network_gives_jincheng_figures(&db);
}

#[test]
fn the_same_seed_gives_the_same_files_and_they_import() {
    let a = dir("csv-a");
    let b = dir("csv-b");
    for out in [&a, &b] {
        let csv = out.to_str().unwrap();
        run(&["demo", "--people", "2000", "--seed", "7", "--csv", csv]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    for f in &files {
        let other = b.join(f.file_name().unwrap());
        assert_eq!(
            std::fs::read(f).unwrap(),
            std::fs::read(&other).unwrap(),
            "{f:?}"
        );
    }
    // Imported date by date, the files give the same registry as writing directly.
    let csv_db = db(&a);
    for f in files
        .iter()
        .filter(|f| f.file_name().unwrap().to_str().unwrap().starts_with('2'))
    {
        let date = f.file_stem().unwrap().to_str().unwrap();
        run(&[
            "import",
            f.to_str().unwrap(),
            "--date",
            date,
            "--db",
            &csv_db,
        ]);
    }
    let direct_db = db(&b);
    let written = run(&[
        "demo", "--people", "2000", "--seed", "7", "--db", &direct_db,
    ]);
    // A scaled profile is paired too (a network the size of the profile's for the coverage check):
    // every household needing a cadre has one, and none is over its term, at the profile's end.
    let coverage = json(&run(&[
        "responsibility",
        "check",
        "--db",
        &direct_db,
        "--as-of",
        "2020-06-30",
    ]));
    let gaps = coverage["gaps"].as_array().unwrap();
    assert!(
        gaps.iter().all(|g| g["code"] != "household_unpaired"
            && g["code"] != "pairing_over_term"
            && g["code"] != "team_over_term"),
        "{gaps:?}"
    );
    let paired = json(&run(&[
        "responsibility",
        "check",
        "--db",
        &direct_db,
        "--as-of",
        "2019-06-01",
    ]));
    assert!(
        paired["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["code"] == "household_unpaired"),
        "before the pairings start, the households needing a cadre have none"
    );
    // A dry run generates and counts the same, writing nothing.
    let counted = run(&["demo", "--people", "2000", "--seed", "7", "--dry-run"]);
    let counts = |o: &Output| {
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        // Events are counted by the store as it writes them.
        out.split(" household writes").next().unwrap().to_string()
    };
    assert_eq!(counts(&counted), counts(&written));
    assert!(
        counts(&counted).ends_with("2559 次写入"),
        "{}",
        counts(&counted)
    );
    let report = |db: &str| {
        json(&run(&[
            "report",
            "changes",
            "--from",
            "2014-01-01",
            "--to",
            "2020-06-30",
            "--db",
            db,
        ]))
    };
    let (x, y) = (report(&csv_db), report(&direct_db));
    assert_eq!(x, y);
    assert!(x["people"]["natural_increase"].as_u64().unwrap() > 0);
    assert!(x["households"]["exited"].as_u64().unwrap() > 0);
}
