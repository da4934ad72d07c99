//! The web application's side of the store (accounts, pairings, areas, lists) on both backends:
//! typed values round-trip as their codes, and every write is audited.

use crate::common::{county, hh, import_rows, on_both};
use fupin_core::access::Role;
use fupin_core::codes::{Cause, HouseholdStatus, Region};
use fupin_core::AreaLevel;
use fupin_store::directory::{Area, Directory, ListFilter, Pairing, User};
use fupin_store::{Backend, Repository};
use std::path::Path;
use std::sync::Arc;

/// The directory on the database `on_both` gave the test (PostgreSQL: in its schema, kept).
pub(crate) async fn directory_of(
    repo: &dyn Repository,
    dir: &Path,
    name: &str,
) -> Arc<dyn Directory> {
    match repo.backend() {
        Backend::Sqlite => {
            let url = format!("sqlite:{}", dir.join("registry.db").display());
            fupin_store::directory::open_both(&url).await.unwrap().1
        }
        Backend::Postgres => {
            let url = std::env::var("DATABASE_URL").unwrap();
            let schema = format!("t_{name}_{}", std::process::id());
            fupin_store::directory::open_pg_schema(&url, &schema)
                .await
                .unwrap()
        }
    }
}

#[test]
fn the_directory_keeps_typed_values_and_audits_its_writes() {
    on_both("directory", |repo, dir| async move {
        let out = import_rows(repo.as_ref(), &dir, "c.csv", &county(4), "2019-12-31").await;
        assert!(out.committed);
        let d = directory_of(repo.as_ref(), &dir, "directory").await;

        // Accounts: the role is typed and serialised as its code; a taken name is refused.
        let user = User {
            name: "zezhou".into(),
            role: Role::County,
            area: "140525".into(),
            password_hash: "hash".into(),
            disabled: false,
        };
        d.add_user(&user, "admin").await.unwrap();
        assert_eq!(d.user("zezhou").await.unwrap(), Some(user.clone()));
        assert_eq!(serde_json::to_value(&user).unwrap()["role"], "county");
        let taken = d.add_user(&user, "admin").await.unwrap_err();
        assert_eq!(taken.code(), "user_exists");
        d.set_password("zezhou", "hash2", "admin").await.unwrap();
        assert_eq!(d.users().await.unwrap()[0].password_hash, "hash2");
        assert!(d.set_password("nobody", "x", "admin").await.is_err());

        // Areas: level and region typed, stored and returned as codes.
        let township = Area {
            code: "140525100000".into(),
            name: "南村镇".into(),
            level: AreaLevel::Township,
            parent: Some("140525000000".into()),
            region: Some(Region::Central),
            rural_population: None,
        };
        let village = Area {
            code: "140525100201".into(),
            name: "南村".into(),
            level: AreaLevel::Village,
            parent: Some(township.code.clone()),
            region: None,
            rural_population: Some(1000),
        };
        d.upsert_area(&township).await.unwrap();
        d.upsert_area(&village).await.unwrap();
        assert_eq!(d.area("140525100").await.unwrap(), Some(township.clone()));
        // The import registered the villages of its households (01 to 05).
        let children = d.children("140525100").await.unwrap();
        assert_eq!((children.len(), &children[0]), (5, &village));
        let json = serde_json::to_value(&township).unwrap();
        assert_eq!(
            (json["level"].as_str(), json["region"].as_str()),
            (Some("township"), Some("central"))
        );
        let figures = d.figures("140525100201").await.unwrap();
        assert_eq!(figures.rural_population, Some(1000));

        // Pairings: a cadre sees its household; the pairing is in the household's trail.
        let pairing = Pairing {
            cadre: "cadre".into(),
            area_code: "140525100202".into(),
            number: hh(1),
            from: "2019-01-01".into(),
        };
        d.pair(&pairing, "zezhou").await.unwrap();
        assert!(d.is_paired("cadre", &hh(1)).await.unwrap());
        assert!(!d.is_paired("cadre", &hh(2)).await.unwrap());
        let trail = d.audit_trail("140525100202", &hh(1)).await.unwrap();
        assert!(trail
            .iter()
            .any(|t| (t.entity.as_str(), t.actor.as_str()) == ("pairing", "zezhou")));

        // Lists: typed filters; a value that is no code matches nothing.
        let filter = |status: Option<HouseholdStatus>, unknown_code: bool| ListFilter {
            area: "140525".into(),
            status,
            cause: Some(Cause::Illness),
            unknown_code,
            page: 1,
            per_page: 50,
            ..Default::default()
        };
        let poor = d
            .list_households(&filter(Some(HouseholdStatus::Poor), false))
            .await
            .unwrap();
        assert_eq!((poor.total, poor.rows.len()), (4, 4));
        let exited = d
            .list_households(&filter(Some(HouseholdStatus::Exited), false))
            .await
            .unwrap();
        assert_eq!(exited.total, 0);
        let unknown = d.list_households(&filter(None, true)).await.unwrap();
        assert_eq!((unknown.total, unknown.rows.len(), unknown.page), (0, 0, 1));
        let mine = ListFilter {
            area: "140525".into(),
            cadre: Some("cadre".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        };
        let mine = d.list_households(&mine).await.unwrap();
        assert_eq!(
            mine.rows
                .iter()
                .map(|r| r.number.clone())
                .collect::<Vec<_>>(),
            vec![hh(1)]
        );
    });
}
