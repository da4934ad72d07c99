//! Sessions kept in the database (migration 11), on both backends: found by the hash of their
//! token with their account as it is now, marked used at most once a minute, ended when idle too
//! long, at logout, or (the others) when the password changes.

use crate::common::on_both;
use crate::directory::directory_of;
use fupin_core::access::Role;
use fupin_store::directory::User;
use fupin_store::sessions::TOUCH_EVERY;

const IDLE: i64 = 8 * 3600;

#[test]
fn sessions_live_in_the_database_until_idle_or_ended() {
    on_both("sessions", |repo, dir| async move {
        let d = directory_of(repo.as_ref(), &dir, "sessions").await;
        let user = User {
            name: "zezhou".into(),
            role: Role::County,
            area: "140525".into(),
            password_hash: "h".into(),
            disabled: false,
        };
        d.add_user(&user, "admin").await.unwrap();
        let t0 = 1_800_000_000;
        d.create_session("hash-a", "zezhou", "csrf-a", t0, IDLE)
            .await
            .unwrap();
        d.create_session("hash-b", "zezhou", "csrf-b", t0, IDLE)
            .await
            .unwrap();
        let s = d.session("hash-a", t0 + 10, IDLE).await.unwrap().unwrap();
        assert_eq!(
            (
                s.user.name.as_str(),
                s.user.role,
                s.csrf.as_str(),
                s.last_seen
            ),
            ("zezhou", Role::County, "csrf-a", t0),
            "used within a minute: not written again"
        );
        assert_eq!(d.session("nobody", t0, IDLE).await.unwrap(), None);
        // Used a minute later: marked; idle is counted from the mark.
        let later = t0 + TOUCH_EVERY;
        assert_eq!(
            d.session("hash-a", later, IDLE)
                .await
                .unwrap()
                .unwrap()
                .last_seen,
            later
        );
        assert!(d
            .session("hash-a", later + IDLE, IDLE)
            .await
            .unwrap()
            .is_some());
        // hash-b was not used: idle for longer than IDLE, it is gone (and stays gone).
        assert_eq!(
            d.session("hash-b", t0 + IDLE + 1, IDLE).await.unwrap(),
            None
        );
        assert_eq!(d.session("hash-b", t0, IDLE).await.unwrap(), None);
        // A new session purges the idle ones; a password change ends all but the one kept.
        d.create_session("hash-c", "zezhou", "csrf-c", later + IDLE, IDLE)
            .await
            .unwrap();
        d.create_session("hash-d", "zezhou", "csrf-d", later + IDLE, IDLE)
            .await
            .unwrap();
        let ended = d.end_sessions_of("zezhou", Some("hash-c")).await.unwrap();
        assert_eq!(ended, 2, "hash-a and hash-d");
        let now = later + IDLE + 1;
        assert!(d.session("hash-c", now, IDLE).await.unwrap().is_some());
        assert_eq!(d.session("hash-a", now, IDLE).await.unwrap(), None);
        assert_eq!(d.session("hash-d", now, IDLE).await.unwrap(), None);
        d.end_session("hash-c").await.unwrap();
        assert_eq!(d.session("hash-c", now, IDLE).await.unwrap(), None);
    });
}
