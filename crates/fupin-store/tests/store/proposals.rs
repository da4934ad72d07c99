//! Proposals of exit, return and removal on both backends: one pending per household, decided
//! once, every write in the household's audit trail.

use crate::common::{county, hh, import_rows, on_both};
use crate::directory::directory_of;
use fupin_store::directory::Proposal;

fn proposal(id: &str, kind: &str) -> Proposal {
    Proposal {
        id: id.into(),
        household: hh(1),
        area_code: "140525100202".into(),
        kind: kind.into(),
        date: "2020-06-30".into(),
        reason: Some("收入已稳定超过贫困线".into()),
        proposer: "dongou".into(),
        proposed_at: "2020-07-01T08:00:00Z".into(),
        status: "pending".into(),
        decided_by: None,
        decided_at: None,
        decision_note: None,
    }
}

#[test]
fn a_proposal_waits_once_and_is_decided_once() {
    on_both("proposals", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(4), "2019-12-31").await;
        assert!(out.committed);
        let d = directory_of(repo.as_ref(), &dir, "proposals").await;
        assert!(d.create_proposal(&proposal("P1", "exit")).await.unwrap());
        // A second pending proposal for the same household is refused, nothing written.
        assert!(!d.create_proposal(&proposal("P2", "remove")).await.unwrap());
        assert_eq!(d.proposal("P2").await.unwrap(), None);
        let listed = d.proposals("140525", Some("pending")).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].id.as_str(), listed[0].kind.as_str()),
            ("P1", "exit")
        );
        assert!(d.proposals("140525101", None).await.unwrap().is_empty());
        // Decided once; the second decision changes nothing.
        let note = Some("收入未核实");
        assert!(d
            .decide_proposal("P1", "rejected", "zezhou", note)
            .await
            .unwrap());
        assert!(!d
            .decide_proposal("P1", "approved", "zezhou", None)
            .await
            .unwrap());
        let p = d.proposal("P1").await.unwrap().unwrap();
        assert_eq!(p.status, "rejected");
        assert_eq!(p.decided_by.as_deref(), Some("zezhou"));
        assert_eq!(p.decision_note.as_deref(), Some("收入未核实"));
        assert!(p.decided_at.is_some());
        assert!(d
            .proposals("140525", Some("pending"))
            .await
            .unwrap()
            .is_empty());
        // Once decided, a new proposal may be made.
        assert!(d.create_proposal(&proposal("P3", "remove")).await.unwrap());
        let mine = d.household_proposals(&hh(1)).await.unwrap();
        assert_eq!(
            mine.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["P3", "P1"]
        );
        let trail = d.audit_trail("140525100202", &hh(1)).await.unwrap();
        let actions: Vec<(&str, &str, &str)> = trail
            .iter()
            .filter(|t| t.entity == "proposal")
            .map(|t| (t.action.as_str(), t.actor.as_str(), t.entity.as_str()))
            .collect();
        assert_eq!(actions.len(), 3, "{actions:?}");
        assert!(actions.contains(&("reject", "zezhou", "proposal")));
        assert!(actions.contains(&("propose", "dongou", "proposal")));
    });
}
