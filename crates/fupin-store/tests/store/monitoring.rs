//! The monitoring workflow's records on both backends (DOMAIN.md §13, migration 0014): cases open
//! one at a time per household, steps in order, a decision sets the category with an event naming
//! the case, self-reports become signals, risk eliminations keep their evidence, and the department
//! comparison opens cases.

use crate::audit::store_of;
use crate::common::{county, hh, import_rows, on_both, set};
use chrono::NaiveDate;
use fupin_core::codes::{CodeList, HouseholdStatus, MonitoringCategory};
use fupin_core::monitoring::{department_row, Column, Outcome, Source, Step};
use fupin_store::monitoring::{
    compare_with_registry, Elimination, Monitoring, NewCase, NewSignal, NewStep,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn step(s: Step, date: &str) -> NewStep {
    NewStep {
        step: s,
        date: d(date),
        note: Some("入户核实收入与支出".into()),
        documents: vec!["入户核实表.pdf".into(), " ".into()],
        outcome: None,
        category: None,
        actor: "village1".into(),
    }
}

fn case(household: String, date: &str) -> NewCase {
    NewCase {
        household,
        source: Source::Visit,
        signal_date: d(date),
        signal_id: None,
        detail: Some("因病支出大".into()),
        actor: "village1".into(),
    }
}

#[test]
fn a_case_runs_its_steps_in_order_and_its_decision_sets_the_category() {
    on_both("monitoring_case", |repo, dir| async move {
        let mut rows = county(4);
        for i in [2, 3] {
            set(&mut rows, i, "status", "已脱贫");
        }
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_case").await;

        let (id, opened) = store.open_case(&case(hh(2), "2021-06-01")).await.unwrap();
        assert_eq!((id.as_str(), opened), ("K2021000001", true));
        // One open case per household: the open one is named, nothing opened.
        let again = store.open_case(&case(hh(2), "2021-06-02")).await.unwrap();
        assert_eq!(again, ("K2021000001".to_string(), false));
        let (other, _) = store.open_case(&case(hh(3), "2021-06-02")).await.unwrap();
        assert_eq!(other, "K2021000002");

        let c = store
            .record_case_step(&id, &step(Step::HomeVerification, "2021-06-03"))
            .await
            .unwrap();
        assert_eq!((c.step.as_str(), c.steps.len()), ("home_verification", 1));
        assert_eq!(c.steps[0].documents, vec!["入户核实表.pdf".to_string()]);
        assert_eq!(c.steps[0].actor, "village1");
        store
            .record_case_step(&id, &step(Step::TownshipReview, "2021-06-10"))
            .await
            .unwrap();
        let e = store
            .record_case_step(&id, &step(Step::VillageAppraisal, "2021-06-11"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "step_order");
        let e = store
            .record_case_step(&id, &step(Step::PublicNotice, "2021-05-30"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "step_order");
        let e = store
            .record_case_step(&id, &step(Step::CountyDecision, "2021-06-16"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "decision_outcome");
        let before = repo.household(&hh(2)).await.unwrap().unwrap();
        let decision = NewStep {
            outcome: Some(Outcome::Enrolled),
            category: Some(MonitoringCategory::Unstable),
            actor: "county1".into(),
            ..step(Step::CountyDecision, "2021-06-16")
        };
        let c = store.record_case_step(&id, &decision).await.unwrap();
        assert_eq!(
            (
                c.status.as_str(),
                c.category.as_deref(),
                c.decided_on.as_deref()
            ),
            ("enrolled", Some("unstable"), Some("2021-06-16"))
        );
        let after = repo.household(&hh(2)).await.unwrap().unwrap();
        assert_eq!(after.monitoring, Some(MonitoringCategory::Unstable));
        assert_eq!(after.version, before.version + 1);
        let history = repo.history(&hh(2), None).await.unwrap();
        let event = history
            .events
            .iter()
            .find(|e| e.kind == "entered_monitoring")
            .unwrap();
        assert_eq!(
            (
                event.date,
                event.detail.as_deref(),
                event.reason.as_deref(),
                event.actor.as_str()
            ),
            (
                d("2021-06-16"),
                Some("unstable"),
                Some("K2021000001"),
                "county1"
            )
        );
        // A decided case takes no more steps; the household may open a new one.
        let e = store
            .record_case_step(&id, &step(Step::PublicNotice, "2021-06-17"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "case_closed");
        let (next, opened) = store.open_case(&case(hh(2), "2021-07-01")).await.unwrap();
        assert_eq!((next.as_str(), opened), ("K2021000003", true));
        // The audit chain and every household's fingerprint still hold.
        let check = store.verify_audit().await.unwrap();
        assert!(check.ok(), "{check:?}");

        let open = store.cases("140525", Some("open")).await.unwrap();
        assert_eq!(
            open.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["K2021000002", "K2021000003"]
        );
        assert_eq!(store.household_cases(&hh(2)).await.unwrap().len(), 2);
        let timings = fupin_store::monitoring::case_timings(
            &store,
            "140525",
            d("2021-06-18"),
            &fupin_core::PolicySet::builtin(),
        )
        .await
        .unwrap();
        // Overdue first: K2 opened 2021-06-02 is open 16 days.
        assert_eq!(
            (
                timings[0].id.as_str(),
                timings[0].overdue,
                timings[0].days_open
            ),
            ("K2021000002", true, 16)
        );
        let k1 = timings.iter().find(|t| t.id == "K2021000001").unwrap();
        assert_eq!((k1.days_open, k1.decided_late), (15, false));
    });
}

#[test]
fn a_self_report_becomes_a_signal_and_a_case_then_risk_is_eliminated() {
    on_both("monitoring_signal", |repo, dir| async move {
        let mut rows = county(2);
        set(&mut rows, 1, "status", "已脱贫");
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_signal").await;
        let member = repo.household(&hh(1)).await.unwrap().unwrap().members[0]
            .id_number
            .clone();
        let area = repo.household(&hh(1)).await.unwrap().unwrap().area_code;
        let report = NewSignal {
            area_code: area.clone(),
            source: Source::SelfReport,
            reported_on: d("2021-06-01"),
            name: "张1".into(),
            id_number: member.clone(),
            phone: Some("13900000001".into()),
            what: "illness".into(),
            amount: Some("12000.5".parse().unwrap()),
            note: Some("住院".into()),
            actor: "self_report".into(),
        };
        let s = store.add_signal(&report).await.unwrap();
        assert_eq!(s.id, "S20210601000001");
        assert_eq!(
            (s.household.as_deref(), s.status.as_str()),
            (Some(hh(1).as_str()), "new")
        );
        assert_eq!(s.amount.as_deref(), Some("12000.50"));
        assert_eq!(
            store.add_signal(&report).await.unwrap().id,
            "S20210601000002"
        );
        assert_eq!(
            store.signals_since(&member, d("2021-06-01")).await.unwrap(),
            2
        );
        assert_eq!(
            store.signals_since(&member, d("2021-06-02")).await.unwrap(),
            0
        );
        assert_eq!(
            store.signals(&area[..9], Some("new")).await.unwrap().len(),
            2
        );
        assert!(store
            .signals("140525100299", None)
            .await
            .unwrap()
            .is_empty());

        let (id, _) = store
            .open_case(&NewCase {
                signal_id: Some(s.id.clone()),
                source: Source::SelfReport,
                ..case(hh(1), "2021-06-01")
            })
            .await
            .unwrap();
        let s = store.signal(&s.id).await.unwrap().unwrap();
        assert_eq!(
            (s.status.as_str(), s.case_id.as_deref()),
            ("case", Some(id.as_str()))
        );

        let judged = Elimination {
            household: hh(1),
            case_id: Some(id.clone()),
            decided_on: "2021-12-31".into(),
            months_above_line: 5,
            rigid_expense_resolved: true,
            social_security: None,
            failed: vec!["income_not_stable".into()],
            eliminated: false,
            note: None,
            actor: "county1".into(),
        };
        store.record_elimination(&judged).await.unwrap();
        assert_eq!(
            repo.household(&hh(1)).await.unwrap().unwrap().monitoring,
            None
        );
        let done = Elimination {
            months_above_line: 6,
            failed: vec![],
            eliminated: true,
            decided_on: "2022-01-31".into(),
            ..judged
        };
        store.record_elimination(&done).await.unwrap();
        let h = repo.household(&hh(1)).await.unwrap().unwrap();
        assert_eq!(h.monitoring, Some(MonitoringCategory::RiskEliminated));
        let list = store.eliminations(&hh(1)).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].failed, vec!["income_not_stable".to_string()]);
        assert!(list[1].eliminated);
        let history = repo.history(&hh(1), None).await.unwrap();
        assert!(history
            .events
            .iter()
            .any(|e| e.kind == "risk_eliminated" && e.reason.as_deref() == Some(id.as_str())));
        assert!(store.verify_audit().await.unwrap().ok());
    });
}

#[test]
fn the_department_comparison_reads_current_members_and_opens_cases() {
    on_both("monitoring_compare", |repo, dir| async move {
        let mut rows = county(3);
        set(&mut rows, 2, "status", "已脱贫");
        set(&mut rows, 3, "status", "清退");
        set(&mut rows, 3, "status_reason", "识别错误");
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_compare").await;
        let id_of = |i: usize| {
            rows.iter()
                .find(|r| r["household_number"] == hh(i))
                .unwrap()["id_number"]
                .clone()
        };
        let row = |n: usize, id: String, item: &str, amount: &str| {
            let cells = [
                id,
                "x".to_string(),
                item.to_string(),
                amount.to_string(),
                String::new(),
                "医保局".to_string(),
            ];
            department_row(n, |c| {
                let i = Column::ALL.iter().position(|x| *x == c).unwrap();
                Some((c.zh(), cells[i].as_str()))
            })
            .unwrap()
        };
        let dept = vec![
            row(2, id_of(1), "vehicle", ""),
            row(3, id_of(2), "medical_expense", "10000"),
            row(4, id_of(2), "unemployment", ""),
            row(5, id_of(3), "disability", ""),
        ];
        let registry = store
            .registered(&[id_of(1).as_str(), id_of(3).as_str()])
            .await
            .unwrap();
        assert_eq!(registry[&id_of(1)].status, HouseholdStatus::Poor);
        let alerts = compare_with_registry(
            &store,
            &dept,
            "10000".parse().unwrap(),
            d("2021-06-30"),
            true,
            "fupin compare",
        )
        .await
        .unwrap();
        type Got<'a> = (&'a str, Option<&'a str>, Option<Option<&'a str>>);
        let got: Vec<Got> = alerts
            .iter()
            .map(|a| {
                (
                    a.code.code(),
                    a.household.as_deref(),
                    a.case.as_ref().map(|c| c.as_deref()),
                )
            })
            .collect();
        let h1 = hh(1);
        let h2 = hh(2);
        assert_eq!(
            got,
            vec![
                ("ineligible_asset", Some(h1.as_str()), None),
                ("risk_signal", Some(h2.as_str()), Some(Some("K2021000001"))),
                // The same household's second row: its case is open, none opened.
                ("risk_signal", Some(h2.as_str()), Some(None)),
                ("unregistered_risk", None, None),
            ]
        );
        let c = store.case("K2021000001").await.unwrap().unwrap();
        assert_eq!(
            (c.source.as_str(), c.signal_date.as_str()),
            ("department", "2021-06-30")
        );
        assert!(c.detail.unwrap().contains("10000.00"));
    });
}

/// Issue 13 item 3: an edit never changes the category. An edit that drops an exited household's
/// 2020 income below Jincheng's 5,000-yuan line keeps it unmonitored and raises one signal for its
/// village (a second edit raises none); the national system's file records its category as such.
#[test]
fn an_edit_raises_a_signal_and_only_a_decided_case_or_the_national_file_sets_the_category() {
    use fupin_core::registry::plan::NATIONAL_SYSTEM;
    use fupin_store::Incoming;
    on_both("monitoring_edit", |repo, dir| async move {
        let mut rows = county(2);
        for i in [1, 2] {
            set(&mut rows, i, "status", "已脱贫");
            set(&mut rows, i, "income_year", "2020");
            set(&mut rows, i, "wage", "30000.00");
        }
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_edit").await;
        let policy = crate::common::policy();
        let h = repo.household(&hh(2)).await.unwrap().unwrap();
        assert_eq!(h.monitoring, None);
        // 3,000 + 1,200.50 + 600 - 300 = 4,500.50 for three: 1,500.17 a head, below 5,000.
        let mut edited = h.clone();
        edited.income.wage = "3000.00".parse().unwrap();
        let saved = repo
            .save(
                Incoming::new(edited),
                h.version,
                d("2021-03-01"),
                "village1",
                &policy,
            )
            .await
            .unwrap();
        assert_eq!(saved.monitoring, None, "an edit does not enrol");
        let history = repo.history(&hh(2), None).await.unwrap();
        assert!(!history
            .events
            .iter()
            .any(|e| e.kind == "entered_monitoring"));
        let signals = store.signals("140525", Some("new")).await.unwrap();
        assert_eq!(signals.len(), 1, "{signals:?}");
        let s = &signals[0];
        assert_eq!(
            (
                s.id.as_str(),
                s.source.as_str(),
                s.what.as_str(),
                s.household.as_deref(),
                s.area_code.as_str(),
                s.reported_on.as_str(),
                s.created_by.as_str()
            ),
            (
                "S20210301000001",
                "registry",
                "monitoring_risk",
                Some(hh(2).as_str()),
                h.area_code.as_str(),
                "2021-03-01",
                "village1"
            )
        );
        assert!(
            s.note
                .as_deref()
                .unwrap()
                .contains("2020年人均纯收入 1500.17 元,监测线 5000 元"),
            "{:?}",
            s.note
        );
        let head = h
            .members
            .iter()
            .find(|m| m.relation == fupin_core::codes::Relation::Head);
        assert_eq!(s.id_number, head.unwrap().id_number);
        // A second edit while the signal waits raises none.
        let mut again = saved.clone();
        again.phone = Some("13900000000".into());
        let saved = repo
            .save(
                Incoming::new(again),
                saved.version,
                d("2021-03-02"),
                "village1",
                &policy,
            )
            .await
            .unwrap();
        assert_eq!(saved.monitoring, None);
        assert_eq!(store.signals("140525", None).await.unwrap().len(), 1);

        // The national system's file records its category, with the system as the event's reason.
        set(&mut rows, 1, "monitoring", "脱贫不稳定户");
        let out = import_rows(repo.as_ref(), &dir, "n.csv", &rows, "2021-04-01").await;
        assert!(out.committed, "{:?}", out.errors);
        let h1 = repo.household(&hh(1)).await.unwrap().unwrap();
        assert_eq!(h1.monitoring, Some(MonitoringCategory::Unstable));
        let history = repo.history(&hh(1), None).await.unwrap();
        let e = history
            .events
            .iter()
            .find(|e| e.kind == "entered_monitoring")
            .expect("the national system's enrolment");
        assert_eq!(
            (e.detail.as_deref(), e.reason.as_deref()),
            (Some("unstable"), Some(NATIONAL_SYSTEM))
        );
        // Its empty cell for household 2 is none (the file is a full record): still none.
        assert_eq!(
            repo.household(&hh(2)).await.unwrap().unwrap().monitoring,
            None
        );
        // An edit of a monitored household keeps its category even above the line.
        let mut up = h1.clone();
        up.income.wage = "60000.00".parse().unwrap();
        let saved = repo
            .save(
                Incoming::new(up),
                h1.version,
                d("2021-04-02"),
                "village1",
                &policy,
            )
            .await
            .unwrap();
        assert_eq!(saved.monitoring, Some(MonitoringCategory::Unstable));
        // A re-import with the cell emptied takes it out, as the national system decided.
        set(&mut rows, 1, "monitoring", "");
        set(&mut rows, 1, "wage", "60000.00");
        assert!(
            import_rows(repo.as_ref(), &dir, "m.csv", &rows, "2021-05-01")
                .await
                .committed
        );
        assert_eq!(
            repo.household(&hh(1)).await.unwrap().unwrap().monitoring,
            None
        );
    });
}

/// Issue 13: a signal waiting to be verified is dismissed with its reason, audited; it leaves the
/// to-verify list, cannot be dismissed twice, and a case can still be opened for the household.
#[test]
fn a_dismissed_signal_leaves_the_list_and_a_case_can_still_be_opened() {
    on_both("monitoring_dismiss", |repo, dir| async move {
        let mut rows = county(2);
        set(&mut rows, 2, "status", "已脱贫");
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_dismiss").await;
        let h = repo.household(&hh(2)).await.unwrap().unwrap();
        let signal = store
            .add_signal(&NewSignal {
                area_code: h.area_code.clone(),
                source: Source::SelfReport,
                reported_on: d("2021-06-01"),
                name: h.members[0].name.clone(),
                id_number: h.members[0].id_number.clone(),
                phone: None,
                what: "illness".into(),
                amount: None,
                note: None,
                actor: "self_report".into(),
            })
            .await
            .unwrap();
        assert_eq!(store.signals("140525", Some("new")).await.unwrap().len(), 1);
        let dismissed = store
            .dismiss_signal(
                &signal.id,
                "入户核实:已痊愈,无返贫风险",
                d("2021-06-03"),
                "village1",
            )
            .await
            .unwrap();
        assert_eq!(dismissed.status, "dismissed");
        assert!(store
            .signals("140525", Some("new"))
            .await
            .unwrap()
            .is_empty());
        let e = store
            .dismiss_signal(&signal.id, "again", d("2021-06-04"), "village1")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "signal_closed");
        // The audit log keeps who dismissed it, why and when; the chain holds.
        let db = store.db();
        let rows = db
            .query(
                "SELECT after_json, actor FROM audit_log WHERE entity = 'monitoring_signal' \
                 AND action = 'dismiss' AND entity_key = $1",
            )
            .bind(signal.id.as_str())
            .fetch_all(db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let after: sqlx::types::Json<serde_json::Value> = rows[0].try_get("after_json").unwrap();
        let actor: String = rows[0].try_get("actor").unwrap();
        assert_eq!(actor, "village1");
        let after = after.0;
        assert_eq!(after["reason"], "入户核实:已痊愈,无返贫风险");
        assert_eq!(after["date"], "2021-06-03");
        assert!(store.verify_audit().await.unwrap().ok());
        // A case can be opened for the household later.
        let (id, opened) = store.open_case(&case(hh(2), "2021-07-01")).await.unwrap();
        assert!(opened, "{id}");
    });
}

/// The department run's cases open in one transaction: ids in a block after the stored ones, one
/// open case per household (stored, or opened earlier in the same list), every case audited; a
/// household not in the registry fails the whole list (nothing opened).
#[test]
fn many_cases_open_in_one_transaction_one_per_household() {
    on_both("monitoring_batch", |repo, dir| async move {
        let mut rows = county(4);
        for i in 1..=4 {
            set(&mut rows, i, "status", "已脱贫");
        }
        assert!(
            import_rows(repo.as_ref(), &dir, "c.csv", &rows, "2020-12-31")
                .await
                .committed
        );
        let store = store_of(repo.as_ref(), &dir, "monitoring_batch").await;
        let (stored, _) = store.open_case(&case(hh(2), "2021-06-01")).await.unwrap();
        assert_eq!(stored, "K2021000001");
        let bad = [
            case(hh(1), "2021-06-30"),
            case("H99999".into(), "2021-06-30"),
        ];
        assert!(store.open_cases(&bad).await.is_err());
        assert_eq!(
            store.cases("", None).await.unwrap().len(),
            1,
            "all or nothing"
        );
        let list = [
            case(hh(1), "2021-06-30"),
            case(hh(2), "2021-06-30"),
            case(hh(1), "2021-06-30"),
            case(hh(3), "2021-06-30"),
        ];
        let opened = store.open_cases(&list).await.unwrap();
        let want = [
            ("K2021000002", true),
            ("K2021000001", false),
            ("K2021000002", false),
            ("K2021000003", true),
        ];
        let got: Vec<(&str, bool)> = opened.iter().map(|(i, o)| (i.as_str(), *o)).collect();
        assert_eq!(got, want);
        let c = store.case("K2021000003").await.unwrap().unwrap();
        assert_eq!(
            (
                c.household.as_str(),
                c.status.as_str(),
                c.step.as_str(),
                c.signal_date.as_str()
            ),
            (hh(3).as_str(), "open", "signal", "2021-06-30")
        );
        assert!(store.verify_audit().await.unwrap().ok());
        let db = store.db();
        let n: Option<i64> = db
            .query("SELECT COUNT(*) FROM audit_log WHERE entity = 'monitoring_case' AND action = 'open'")
            .scalar(db)
            .await
            .unwrap();
        assert_eq!(n, Some(3));
    });
}
