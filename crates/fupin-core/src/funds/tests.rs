use super::*;
use crate::policy::PolicySet;
use serde_json::json;

fn rules() -> Rules {
    let set = PolicySet::builtin();
    Rules::from_policy(&set.for_area("140525")).unwrap()
}

fn run(v: Value) -> Report {
    check_json(&v, &rules()).unwrap()
}

fn base() -> Value {
    json!({"year": 2020, "county": "140525"})
}

fn with(mut v: Value, key: &str, x: Value) -> Value {
    v[key] = x;
    v
}

fn only(r: &Report, code: &str) -> CheckResult {
    r.checks
        .iter()
        .find(|c| c.code == code)
        .cloned()
        .unwrap_or_else(|| panic!("no check {code} in {:?}", r.checks))
}

fn alloc(industry: &str, other: &str) -> Value {
    json!([{"project": "P1", "category": "industry", "amount": industry},
           {"project": "P2", "category": "infrastructure", "amount": other}])
}

#[test]
fn national_policy_has_the_funds_rules() {
    let r = rules();
    assert_eq!(r.industry_relief_min_pct, Decimal::from(70));
    assert_eq!(r.special_fund_min_revenue_pct, Decimal::from(2));
    assert_eq!(r.special_fund_min_growth_pct, Decimal::from(20));
    assert_eq!(r.cooperative_min_poor_pct, Decimal::from(30));
    assert_eq!(r.loan_max_amount, Decimal::from(50_000));
    assert_eq!(r.loan_max_term_months, Decimal::from(36));
    assert_eq!(MAX_FUNDS, Decimal::from(1_000_000_000_000i64));
}

#[test]
fn the_issue_example_gives_the_issue_output() {
    let input = json!({"year": 2020, "county": "140525", "local_revenue": "500000000.00",
        "special_fund": {"this_year": "12000000.00", "previous_year": "10000000.00"},
        "allocations": [{"project": "P1", "category": "industry", "amount": "7000000.00"},
                        {"project": "P2", "category": "housing", "amount": "3000000.00"}],
        "cooperatives": [{"name": "红星合作社", "members": 50, "poor_members": 14, "supported": true},
                         {"name": "未扶持社", "members": 50, "poor_members": 1, "supported": false}],
        "loan_task": "22000000.00",
        "loans": [{"id": "L1", "household": "H1", "amount": "50000.00", "term_months": 36,
                   "guarantee": false, "collateral": false, "start": "2020-03-01"},
                  {"id": "L9", "household": "H2", "amount": "50000.01", "term_months": 36}],
        "assets": [{"id": "A1", "kind": "photovoltaic", "income": "30000.00", "split": "equal",
                    "beneficiaries": [{"household": "H1"}, {"household": "H2", "weight": 2}]}]});
    let out = serde_json::to_value(run(input)).unwrap();
    assert_eq!(
        out,
        json!({"year": 2020, "county": "140525",
         "checks": [{"code": "industry_relief_share", "ok": true, "value_pct": "70.00", "threshold_pct": "70.00"},
                    {"code": "special_fund_revenue_share", "ok": true, "value_pct": "2.40", "threshold_pct": "2.00"},
                    {"code": "special_fund_growth", "ok": true, "value_pct": "20.00", "threshold_pct": "20.00"}],
         "cooperatives": [{"name": "红星合作社", "poor_share_pct": "28.00", "ok": false}],
         "loans": {"count": 2, "amount": "100000.01", "task_pct": "0.45",
                   "violations": [{"loan": "L9", "code": "loan_amount"}], "overdue": []},
         "dividends": [{"asset": "A1", "shares": [{"household": "H1", "amount": "15000.00"},
                                                  {"household": "H2", "amount": "15000.00"}]}],
         "errors": []})
    );
}

#[test]
fn industry_relief_share_at_and_around_seventy() {
    let r = run(with(base(), "allocations", alloc("7000.00", "3000.00")));
    assert_eq!(
        only(&r, "industry_relief_share"),
        CheckResult {
            code: "industry_relief_share".into(),
            ok: true,
            value_pct: "70.00".into(),
            threshold_pct: "70.00".into()
        }
    );
    let r = run(with(base(), "allocations", alloc("6999.00", "3001.00")));
    let c = only(&r, "industry_relief_share");
    assert!(!c.ok);
    assert_eq!(c.value_pct, "69.99");
    // 69.995% shows as 70.00 but is compared unrounded: it fails.
    let r = run(with(base(), "allocations", alloc("13999.00", "6001.00")));
    let c = only(&r, "industry_relief_share");
    assert_eq!((c.ok, c.value_pct.as_str()), (false, "70.00"));
    // Relief counts with industry.
    let v = json!([{"project": "P1", "category": "relief", "amount": "7000.01"},
                   {"project": "P2", "category": "admin", "amount": "2999.99"}]);
    assert!(
        only(
            &run(with(base(), "allocations", v)),
            "industry_relief_share"
        )
        .ok
    );
}

#[test]
fn special_fund_revenue_share_at_two_percent() {
    let v = with(base(), "local_revenue", json!("500000000.00"));
    let ok = run(with(
        v.clone(),
        "special_fund",
        json!({"this_year": "10000000.00"}),
    ));
    let c = only(&ok, "special_fund_revenue_share");
    assert_eq!(
        (c.ok, c.value_pct.as_str(), c.threshold_pct.as_str()),
        (true, "2.00", "2.00")
    );
    let low = run(with(v, "special_fund", json!({"this_year": "9999999.99"})));
    let c = only(&low, "special_fund_revenue_share");
    assert_eq!((c.ok, c.value_pct.as_str()), (false, "2.00"));
    // Without a previous year there is no growth check; without revenue no share check.
    assert!(ok.checks.iter().all(|c| c.code != "special_fund_growth"));
    let r = run(with(base(), "special_fund", json!({"this_year": "1.00"})));
    assert!(r.checks.is_empty());
}

#[test]
fn special_fund_growth_at_twenty_percent_and_just_below() {
    let g = |this: &str, prev: &str| {
        only(
            &run(with(
                base(),
                "special_fund",
                json!({"this_year": this, "previous_year": prev}),
            )),
            "special_fund_growth",
        )
    };
    let c = g("12000000.00", "10000000.00");
    assert_eq!((c.ok, c.value_pct.as_str()), (true, "20.00"));
    let c = g("11999999.99", "10000000.00");
    assert_eq!((c.ok, c.value_pct.as_str()), (false, "20.00"));
    let c = g("11990000.00", "10000000.00");
    assert_eq!((c.ok, c.value_pct.as_str()), (false, "19.90"));
    // A fall is a negative growth, rounded half away from zero.
    let c = g("100.00", "300.00");
    assert_eq!((c.ok, c.value_pct.as_str()), (false, "-66.67"));
}

#[test]
fn cooperatives_at_thirty_percent_listed_only_when_supported() {
    let v = json!([
        {"name": "甲", "members": 10, "poor_members": 3, "supported": true},
        {"name": "乙", "members": 10000, "poor_members": 2999, "supported": true},
        {"name": "丙", "members": 10, "poor_members": 0, "supported": false},
        {"name": "丁", "members": 10, "poor_members": 0}
    ]);
    let r = run(with(base(), "cooperatives", v));
    assert_eq!(
        r.cooperatives,
        vec![
            CooperativeResult {
                name: "甲".into(),
                poor_share_pct: "30.00".into(),
                ok: true
            },
            CooperativeResult {
                name: "乙".into(),
                poor_share_pct: "29.99".into(),
                ok: false
            },
        ]
    );
    assert!(!r.all_ok());
}

fn loan(id: &str, amount: &str, term: u32, guarantee: bool, collateral: bool) -> Value {
    json!({"id": id, "household": "H1", "amount": amount, "term_months": term,
           "guarantee": guarantee, "collateral": collateral})
}

#[test]
fn every_loan_rule_at_its_limit_and_one_over() {
    let loans = json!([
        loan("L3", "50000.00", 36, false, false),
        loan("L2", "50000.01", 37, true, true),
        loan("L1", "1.00", 37, false, false),
        loan("L0", "50000.00", 1, false, true),
        loan("L4", "49999.99", 36, true, false),
    ]);
    let r = run(with(
        with(base(), "loans", loans),
        "loan_task",
        json!("200000.00"),
    ));
    let l = r.loans.unwrap();
    assert_eq!(l.count, 5);
    assert_eq!(l.amount, "200001.00");
    assert_eq!(l.task_pct.as_deref(), Some("100.00"));
    let got: Vec<(String, String)> = l.violations.into_iter().map(|v| (v.loan, v.code)).collect();
    let want = [
        ("L0", "loan_collateral"),
        ("L1", "loan_term"),
        ("L2", "loan_amount"),
        ("L2", "loan_collateral"),
        ("L2", "loan_guarantee"),
        ("L2", "loan_term"),
        ("L4", "loan_guarantee"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
}

#[test]
fn loan_task_completion_and_absent_loans() {
    let r = run(with(base(), "allocations", alloc("1.00", "0.00")));
    assert!(r.loans.is_none(), "no loans in the input: no loan section");
    let r = run(with(
        with(
            base(),
            "loans",
            json!([loan("L1", "27918600.00", 36, false, false)]),
        ),
        "loan_task",
        json!("22157619.05"),
    ));
    let l = r.loans.unwrap();
    assert_eq!(l.task_pct.as_deref(), Some("126.00"));
    assert_eq!(
        l.violations.len(),
        1,
        "one loan of 27.9 million breaks the amount rule"
    );
}

#[test]
fn overdue_repayments_are_listed_oldest_first() {
    let mut l1 = loan("L1", "30000.00", 36, false, false);
    l1["repayments"] = json!([
        {"due": "2020-06-30", "amount": "10000.00", "paid": "10000.00"},
        {"due": "2020-11-30", "amount": "10000.00", "paid": "4000.00"},
        {"due": "2020-12-31", "amount": "10000.00"}
    ]);
    let mut l2 = loan("L2", "5000.00", 12, false, false);
    l2["household"] = json!("H2");
    l2["repayments"] = json!([{"due": "2020-03-01", "amount": "5000.00"}]);
    let r = run(with(base(), "loans", json!([l1, l2])));
    let o = r.loans.unwrap().overdue;
    assert_eq!(
        o.iter()
            .map(|o| (
                o.loan.as_str(),
                o.household.as_str(),
                o.due.to_string(),
                o.outstanding.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![
            ("L2", "H2", "2020-03-01".to_string(), "5000.00"),
            ("L1", "H1", "2020-11-30".to_string(), "6000.00"),
        ],
        "a repayment due on the as-of date (the year's last day) is not yet overdue"
    );
    let r = run(with(
        with(base(), "as_of", json!("2020-05-01")),
        "loans",
        json!([
        {"id": "L2", "household": "H2", "amount": "5000.00", "term_months": 12,
         "repayments": [{"due": "2020-03-01", "amount": "5000.00"}, {"due": "2020-06-01", "amount": "1.00"}]}]),
    ));
    assert_eq!(r.loans.unwrap().overdue.len(), 1);
}

fn shares(asset: Value) -> Vec<(String, String)> {
    let r = run(with(base(), "assets", json!([asset])));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    r.dividends[0]
        .shares
        .iter()
        .map(|s| (s.household.clone(), s.amount.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn dividends_add_up_to_the_fen_with_remainders_in_household_order() {
    let equal = json!({"id": "A", "income": "100.00", "split": "equal",
        "beneficiaries": [{"household": "140525003"}, {"household": "140525001"}, {"household": "140525002"}]});
    assert_eq!(
        shares(equal),
        pairs(&[
            ("140525001", "33.34"),
            ("140525002", "33.33"),
            ("140525003", "33.33")
        ])
    );
    let weighted = json!({"id": "A", "income": "100.00", "split": "weights",
        "beneficiaries": [{"household": "H2", "weight": 2}, {"household": "H1"}]});
    assert_eq!(shares(weighted), pairs(&[("H1", "33.34"), ("H2", "66.66")]));
    // Two fen left over among four households: the first two in number order get one each.
    let tiny = json!({"id": "A", "income": "0.02", "split": "weights",
        "beneficiaries": [{"household": "D"}, {"household": "C"}, {"household": "B"}, {"household": "A"}]});
    assert_eq!(
        shares(tiny),
        pairs(&[("A", "0.01"), ("B", "0.01"), ("C", "0.00"), ("D", "0.00")])
    );
    // Decimal weights, exact: 1000.01 yuan by 1.5 : 2.25 : 0.25 (sum 4).
    let dec = json!({"id": "A", "income": "1000.01", "split": "weights",
        "beneficiaries": [{"household": "H1", "weight": "1.5"}, {"household": "H2", "weight": "2.25"}, {"household": "H3", "weight": 0.25}]});
    // 100001 fen × 1.5/4 = 37500.375 → 37500; × 2.25/4 = 56250.5625 → 56250; × 0.25/4 = 6250.0625 → 6250;
    // one fen left goes to H1.
    assert_eq!(
        shares(dec),
        pairs(&[("H1", "375.01"), ("H2", "562.50"), ("H3", "62.50")])
    );
}

#[test]
fn divide_always_adds_up() {
    for income in [0i64, 1, 7, 99, 100, 12345, 3_000_000, 2_791_860_000] {
        for n in 1..=9usize {
            let w: Vec<(String, Decimal)> = (0..n)
                .map(|i| (format!("H{i}"), Decimal::from((i % 3 + 1) as i64)))
                .collect();
            let s = divide(income, &w);
            assert_eq!(
                s.iter().map(|x| x.1).sum::<i64>(),
                income,
                "{income} among {n}"
            );
            // Nobody is more than one fen off their exact share.
            let total: i64 = w.iter().map(|x| x.1.mantissa() as i64).sum();
            for ((_, wi), (_, got)) in w.iter().zip(&s) {
                let exact = Decimal::from(income) * wi / Decimal::from(total);
                assert!(
                    Decimal::from(*got) - exact <= Decimal::ONE
                        && exact - Decimal::from(*got) < Decimal::ONE
                );
            }
        }
    }
}

#[test]
fn bad_fields_are_named_and_left_out() {
    let v = json!({"year": 2020, "county": "140525",
        "allocations": [{"project": "P1", "category": "roads", "amount": "1.00"},
                        {"project": "P2", "category": "industry", "amount": "1.001"}],
        "loans": [{"id": "L1", "household": "H1", "amount": "-5", "term_months": 12},
                  {"id": "L2", "household": "H1", "amount": "5.00", "term_months": 12}],
        "assets": [{"id": "A1", "income": "10.00", "beneficiaries": [{"household": "H1"}, {"household": "H1"}]}]});
    let r = run(v);
    let got: Vec<(&str, Option<&str>, &str)> = r
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.item.as_deref(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("allocations[0].category", Some("P1"), "unknown_category"),
            ("allocations[1].amount", Some("P2"), "money_precision"),
            ("loans[0].amount", Some("L1"), "money_negative"),
            (
                "assets[0].beneficiaries[1].household",
                Some("A1"),
                "duplicate_household"
            ),
        ]
    );
    assert!(r.checks.is_empty());
    assert_eq!(r.loans.unwrap().count, 1);
    assert!(r.dividends.is_empty());
    assert!(check_json(&json!({"county": "1"}), &rules()).is_err());
    assert!(check_json(&json!([]), &rules()).is_err());
}

#[test]
fn a_region_file_changes_the_thresholds() {
    let set = PolicySet::layered(
        "name = \"w\"\nindustry_relief_min_pct = 80\n[small_loan]\nmax_amount = 30000\n",
        "w.toml",
    )
    .unwrap();
    let r = Rules::from_policy(&set.for_area("140525")).unwrap();
    assert_eq!(r.industry_relief_min_pct, Decimal::from(80));
    assert_eq!(r.loan_max_amount, Decimal::from(30000));
    assert_eq!(
        r.loan_max_term_months,
        Decimal::from(36),
        "inherited entry by entry"
    );
    let rep = check_json(
        &with(base(), "allocations", alloc("7000.00", "3000.00")),
        &r,
    )
    .unwrap();
    assert!(!rep.checks[0].ok);
    assert!(
        PolicySet::layered("name = \"w\"\ncooperative_min_poor_pct = 130\n", "w.toml").is_err()
    );
    assert!(PolicySet::layered("name = \"w\"\n[small_loan]\nmax_rate = 3\n", "w.toml").is_err());
}

#[test]
fn first_collective_income_is_a_villages_first_year() {
    let assets = vec![
        ("A1".to_string(), "V1".to_string()),
        ("A2".to_string(), "V2".to_string()),
        ("A3".to_string(), "V2".to_string()),
        ("A4".to_string(), "V3".to_string()),
    ];
    let d = |s: &str| Decimal::from_str(s).unwrap();
    let income = vec![
        ("A1".to_string(), 2017, d("12000")),
        ("A2".to_string(), 2016, d("1")),
        ("A3".to_string(), 2017, d("5")),
        ("A4".to_string(), 2017, d("0")),
    ];
    // V2 had collective income in 2016 (another asset); V3's station gave the collective nothing.
    assert_eq!(first_collective_income(&assets, &income, 2017), ["V1"]);
    assert_eq!(first_collective_income(&assets, &income, 2016), ["V2"]);
}
