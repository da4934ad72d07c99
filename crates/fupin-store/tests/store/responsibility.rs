//! The responsibility network on both backends: units, cadres linked to accounts, pairings with
//! end and reason (the `pairing` table the web's cadre scope reads), teams with members, visits
//! with issues; the network of an area for the coverage check, visit figures; every write audited.

use crate::common::{county, hh, import_rows, on_both};
use crate::directory::directory_of;
use chrono::NaiveDate;
use fupin_core::responsibility::{
    check, Cadre, EnterprisePairing, Gap, Pairing, Rank, TeamMember, TeamRole, Unit, UnitKind,
    Visit, VisitIssue, WorkTeam,
};
use fupin_store::directory::ListFilter;
use fupin_store::responsibility::{
    Batch, Letter, StoredCadre, StoredPairing, StoredUnit, StoredVisit,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Village of `hh(i)` in the synthetic county.
fn village(i: usize) -> String {
    format!("1405251002{:02}", 1 + i % 10)
}

fn batch() -> Batch {
    let cadre = |id: &str, rank, account: Option<&str>| StoredCadre {
        area: "140525".into(),
        cadre: Cadre {
            id: id.into(),
            name: format!("干部{id}"),
            unit: "U01".into(),
            rank,
            phone: Some("13800000001".into()),
        },
        account: account.map(Into::into),
    };
    let pairing = |cadre: &str, i: usize| StoredPairing {
        area_code: village(i),
        pairing: Pairing {
            cadre: cadre.into(),
            household: hh(i),
            start: d("2019-03-01"),
            end: None,
            end_reason: None,
        },
    };
    Batch {
        units: vec![
            StoredUnit {
                area: "140525".into(),
                unit: Unit {
                    code: "U01".into(),
                    name: "县财政局".into(),
                    kind: UnitKind::PartyGovernment,
                },
            },
            StoredUnit {
                area: "140525".into(),
                unit: Unit {
                    code: "E01".into(),
                    name: "泽州煤业".into(),
                    kind: UnitKind::Enterprise,
                },
            },
        ],
        cadres: vec![
            cadre("C01", Rank::CountyLeader, Some("wangqiang")),
            cadre("C02", Rank::Staff, None),
        ],
        // C01 pairs households 1 and 11 (both in village 02); C02 household 2 (village 03).
        pairings: vec![pairing("C01", 1), pairing("C01", 11), pairing("C02", 2)],
        teams: vec![WorkTeam {
            id: "T01".into(),
            village: village(1),
            unit: "U01".into(),
            start: d("2018-03-01"),
            end: None,
            members: vec![TeamMember {
                cadre: "C02".into(),
                role: TeamRole::Leader,
                first_secretary: true,
            }],
        }],
        enterprise_pairings: vec![EnterprisePairing {
            unit: "E01".into(),
            village: village(2),
            start: d("2019-01-01"),
            end: None,
        }],
        letters: vec![Letter {
            id: "L01".into(),
            area: "140525".into(),
            signer: "王强".into(),
            level: "county".into(),
            signed_on: d("2019-02-01"),
        }],
        visits: vec![StoredVisit {
            id: "V1".into(),
            area_code: village(1),
            visit: Visit {
                date: d("2020-05-10"),
                cadre: "C01".into(),
                household: hh(1),
                findings: Some("屋顶漏雨".into()),
                issues: vec![
                    VisitIssue {
                        id: "I1".into(),
                        text: "住房漏雨".into(),
                        measure: Some("M1".into()),
                        closed_on: Some(d("2020-05-20")),
                    },
                    VisitIssue {
                        id: "I2".into(),
                        text: "上学路远".into(),
                        measure: None,
                        closed_on: None,
                    },
                ],
            },
        }],
    }
}

#[test]
fn the_network_round_trips_and_the_check_reads_it() {
    on_both("responsibility", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(12), "2019-12-31").await;
        assert!(out.committed);
        let s = directory_of(repo.as_ref(), &dir, "responsibility").await;
        s.save_network(&batch(), "zezhou").await.unwrap();
        // Saving again replaces, never duplicates.
        s.save_network(&batch(), "zezhou").await.unwrap();

        let units = s.units("1405").await.unwrap();
        assert_eq!(
            units
                .iter()
                .map(|u| u.unit.code.as_str())
                .collect::<Vec<_>>(),
            ["E01", "U01"]
        );
        assert!(s.units("1406").await.unwrap().is_empty());
        let c = s.cadre_of_account("wangqiang").await.unwrap().unwrap();
        assert_eq!(
            (c.cadre.id.as_str(), c.cadre.rank),
            ("C01", Rank::CountyLeader)
        );
        assert_eq!(s.cadres("140525").await.unwrap().len(), 2);
        let teams = s.teams("140525").await.unwrap();
        assert_eq!(teams, batch().teams);
        assert_eq!(
            s.enterprise_pairings("140525").await.unwrap(),
            batch().enterprise_pairings
        );
        assert_eq!(s.letters("140525").await.unwrap(), batch().letters);
        assert_eq!(s.pairings_of_cadre("C01").await.unwrap().len(), 2);
        assert_eq!(s.visits_of_household(&hh(1)).await.unwrap(), batch().visits);

        // The account linked to C01 sees C01's households (the web's cadre scope), no other.
        assert!(s.is_paired("wangqiang", &hh(11)).await.unwrap());
        assert!(!s.is_paired("wangqiang", &hh(2)).await.unwrap());
        let mine = s
            .list_households(&ListFilter {
                area: "140525".into(),
                cadre: Some("wangqiang".into()),
                page: 1,
                per_page: 50,
                ..ListFilter::default()
            })
            .await
            .unwrap();
        let mut numbers: Vec<_> = mine.rows.iter().map(|h| h.number.clone()).collect();
        numbers.sort();
        assert_eq!(numbers, [hh(1), hh(11)]);

        // Visit figures, whole and by village.
        let f = s
            .visit_figures("140525", 0, d("2020-01-01"), d("2020-06-30"))
            .await
            .unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(
            (
                f[0].1.visits,
                f[0].1.households_visited,
                f[0].1.issues,
                f[0].1.issues_closed,
                f[0].1.measures
            ),
            (1, 1, 2, 1, 1)
        );
        assert_eq!(f[0].1.completion_pct.as_deref(), Some("50.00"));
        assert!(s
            .close_issue("I2", "M2", d("2020-06-01"), "C01")
            .await
            .unwrap());
        assert!(
            !s.close_issue("I2", "M2", d("2020-06-01"), "C01")
                .await
                .unwrap(),
            "closed once"
        );
        let f = s
            .visit_figures("140525", 12, d("2020-01-01"), d("2020-06-30"))
            .await
            .unwrap();
        assert_eq!(f[0].0, village(1));
        assert_eq!(
            (f[0].1.measures, f[0].1.completion_pct.as_deref()),
            (2, Some("100.00"))
        );
        let none = s
            .visit_figures("140525", 0, d("2021-01-01"), d("2021-06-30"))
            .await
            .unwrap();
        assert_eq!(none[0].1.visits, 0);

        // The network of the county, checked: 12 poor households, 3 paired; C01 (quota 4) has 2.
        let net = s.network("140525").await.unwrap();
        assert_eq!(net.households.len(), 12);
        let (_, gaps, _) = check(&net, &fupin_core::PolicySet::builtin(), d("2020-06-30")).unwrap();
        // Visits are counted in SQL (`visit_figures`, above), not loaded with the network.
        assert!(net.visits.is_empty());
        assert!(gaps.contains(&Gap::CadreBelowQuota {
            cadre: "C01".into(),
            pairings: 2,
            quota: 4
        }));
        assert!(gaps.contains(&Gap::UnitSpread {
            unit: "U01".into(),
            villages: vec![village(1), village(2)]
        }));
        let unpaired = gaps
            .iter()
            .filter(|g| g.code() == "household_unpaired")
            .count();
        assert_eq!(unpaired, 9);
        // The check's own read (poor households, unpaired monitored ones and active pairings only)
        // gives the gaps of the whole network, at dates before, within and past the pairings'
        // term, in the county, a village and an area without households.
        let same = |area: String, date: &'static str| {
            let s = s.clone();
            async move {
                let policies = fupin_core::PolicySet::builtin();
                let full = check(&s.network(&area).await.unwrap(), &policies, d(date)).unwrap();
                let slim = s.check_network(&area, d(date)).await.unwrap();
                let fast = check(&slim, &policies, d(date)).unwrap();
                assert_eq!((&fast.0, &fast.1), (&full.0, &full.1), "{area} {date}");
                fast.1
            }
        };
        assert_eq!(same("140525".into(), "2020-06-30").await, gaps);
        for date in ["2019-01-01", "2022-06-30"] {
            let at = same("140525".into(), date).await;
            assert!(at.len() > gaps.len(), "{date}: {at:?}");
        }
        same(String::new(), "2020-06-30").await;
        same("1499".into(), "2020-06-30").await;
        same(village(1), "2020-06-30").await;
        // A village's network only holds its own households.
        assert_eq!(s.network(&village(1)).await.unwrap().households.len(), 2);

        // Ending a pairing: the account no longer sees the household; the reason is kept.
        assert!(s
            .end_pairing("C01", &hh(11), d("2020-07-01"), "脱贫解约", "zezhou")
            .await
            .unwrap());
        assert!(!s
            .end_pairing("C01", &hh(11), d("2020-07-01"), "x", "zezhou")
            .await
            .unwrap());
        assert!(!s.is_paired("wangqiang", &hh(11)).await.unwrap());
        // An ended pairing no longer covers its household, on either read.
        let after = same("140525".into(), "2020-07-02").await;
        assert!(after.contains(&Gap::HouseholdUnpaired { household: hh(11) }));
        let p = &s.pairings_of_household(&hh(11)).await.unwrap()[0];
        assert_eq!(
            (p.pairing.end, p.pairing.end_reason.as_deref()),
            (Some(d("2020-07-01")), Some("脱贫解约"))
        );
        // Audited: the pairing is in the household's trail.
        let trail = s.audit_trail(&village(11), &hh(11)).await.unwrap();
        assert!(trail.iter().filter(|t| t.entity == "pairing").count() >= 2);
    });
}

#[test]
fn households_are_paired_and_ended_in_bulk_all_or_nothing() {
    on_both("resp_bulk", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(12), "2019-12-31").await;
        assert!(out.committed);
        let s = directory_of(repo.as_ref(), &dir, "resp_bulk").await;
        s.save_network(&batch(), "zezhou").await.unwrap();
        // batch() pairs hh(1) and hh(11) with C01 (open) and hh(2) with C02: 9 need a cadre.
        let unpaired = s.unpaired_households("140525").await.unwrap();
        let numbers: Vec<&str> = unpaired.iter().map(|h| h.number.as_str()).collect();
        assert_eq!(numbers.len(), 9, "{numbers:?}");
        assert!(!numbers.contains(&hh(1).as_str()) && numbers.contains(&hh(3).as_str()));
        assert!(unpaired.iter().all(|h| h.head.is_some()));
        let counts = s.open_pairing_counts("140525").await.unwrap();
        assert_eq!(counts.get("C01"), Some(&2));
        let pair = |i: usize| StoredPairing {
            area_code: village(i),
            pairing: Pairing {
                cadre: "C02".into(),
                household: hh(i),
                start: d("2020-07-01"),
                end: None,
                end_reason: None,
            },
        };
        // One of the four is paired already: refused naming it, nothing written.
        let err = s
            .pair_households(&[pair(3), pair(4), pair(1), pair(5)], "zezhou")
            .await
            .unwrap_err();
        match &err {
            fupin_store::StoreError::Rejected(e) => {
                assert_eq!(
                    (e.code.as_str(), e.row, e.value.as_str()),
                    ("already_paired", 3, hh(1).as_str())
                );
                assert!(e.en.contains("cadre C01"), "{}", e.en);
            }
            other => panic!("{other}"),
        }
        assert!(s.pairings_of_household(&hh(3)).await.unwrap().is_empty());
        assert_eq!(s.unpaired_households("140525").await.unwrap().len(), 9);
        // Named twice: refused.
        let err = s
            .pair_households(&[pair(3), pair(3)], "zezhou")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "duplicate");
        // Three at once: three pairings, each audited.
        s.pair_households(&[pair(3), pair(4), pair(5)], "zezhou")
            .await
            .unwrap();
        assert_eq!(s.unpaired_households("140525").await.unwrap().len(), 6);
        assert_eq!(
            s.open_pairing_counts("140525").await.unwrap().get("C02"),
            Some(&4)
        );
        let trail = s.audit_trail(&village(4), &hh(4)).await.unwrap();
        assert_eq!(trail.iter().filter(|t| t.entity == "pairing").count(), 1);
        // Ending in bulk: one pair without an open pairing refuses the lot.
        let pairs = |v: &[usize]| -> Vec<(String, String)> {
            v.iter().map(|&i| ("C02".to_string(), hh(i))).collect()
        };
        let err = s
            .end_pairings(
                &[pairs(&[3])[0].clone(), ("C01".into(), hh(4))],
                d("2020-08-01"),
                "调整",
                "zezhou",
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), "no_active_pairing");
        assert_eq!(
            s.pairings_of_household(&hh(3)).await.unwrap()[0]
                .pairing
                .end,
            None
        );
        s.end_pairings(&pairs(&[3, 4]), d("2020-08-01"), "干部调整", "zezhou")
            .await
            .unwrap();
        let p = &s.pairings_of_household(&hh(4)).await.unwrap()[0];
        assert_eq!(
            (p.pairing.end, p.pairing.end_reason.as_deref()),
            (Some(d("2020-08-01")), Some("干部调整"))
        );
        assert_eq!(s.unpaired_households("140525").await.unwrap().len(), 8);
    });
}
