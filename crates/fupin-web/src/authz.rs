//! Every permission decision of the application: what a role may do to what, inside or outside
//! its area. Handlers and services ask [`check`] (or [`may`]); none decides by itself.
//!
//! Outside its area a record answers 404 as if it did not exist; inside its area, an action the
//! role may not take answers 403.

use crate::error::ApiError;
use fupin_core::access::{Role, Scope};

/// What a session asks to do, with the area (and for cadres, the pairing) it touches.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read figures, lists, sub-areas, reports, village pages and applications of an area prefix.
    ReadArea(&'a str),
    /// Read a household of a village (`paired`: the session's cadre is paired with it).
    ReadHousehold { area: &'a str, paired: bool },
    /// Change a household (404 when it may not even read it).
    WriteHousehold { area: &'a str, paired: bool },
    /// Move an existing household to an area (an update's new area code).
    MoveHousehold { area: &'a str },
    /// Register a new household in a village.
    CreateHousehold { area: &'a str },
    /// Read an identification application of a village.
    ReadApplication { area: &'a str },
    /// File applications or record their steps (any area; the area is checked by `FileApplication`).
    WriteApplications,
    /// File an application in a village.
    FileApplication { area: &'a str },
    /// List and create accounts.
    ManageUsers,
}

/// Whether the session may take the action: `Ok`, or the error to answer (404 or 403).
pub fn check(scope: &Scope, action: Action) -> Result<(), ApiError> {
    let allowed = |ok: bool, denied: fn() -> ApiError| if ok { Ok(()) } else { Err(denied()) };
    match action {
        Action::ReadArea(prefix) => allowed(scope.can_read_area(prefix), ApiError::not_found),
        Action::ReadHousehold { area, paired } => {
            allowed(scope.can_read_household(area, paired), ApiError::not_found)
        }
        Action::WriteHousehold { area, paired } => {
            check(scope, Action::ReadHousehold { area, paired })?;
            allowed(scope.can_write_household(area, paired), ApiError::forbidden)
        }
        Action::MoveHousehold { area } => {
            allowed(scope.can_write_household(area, true), ApiError::forbidden)
        }
        Action::CreateHousehold { area } => allowed(
            scope.can_write_household(area, false) && scope.role != Role::Cadre,
            ApiError::forbidden,
        ),
        Action::ReadApplication { area } => allowed(
            scope.covers(area) && scope.role != Role::Cadre,
            ApiError::not_found,
        ),
        Action::WriteApplications => allowed(
            !matches!(scope.role, Role::Viewer | Role::Cadre),
            ApiError::forbidden,
        ),
        Action::FileApplication { area } => allowed(scope.covers(area), ApiError::not_found),
        Action::ManageUsers => allowed(scope.is_admin(), ApiError::forbidden),
    }
}

/// Whether the session may take the action (for what a page offers).
pub fn may(scope: &Scope, action: Action) -> bool {
    check(scope, action).is_ok()
}

/// Whether the session's reads of households depend on its pairings (cadres see only the
/// households they are paired with, in lists too).
pub fn by_pairing(scope: &Scope) -> bool {
    scope.role == Role::Cadre
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, area: &str) -> Scope {
        Scope::new(role, Some(area).filter(|a| !a.is_empty())).unwrap()
    }

    #[test]
    fn out_of_area_is_not_found_and_in_area_refusals_are_forbidden() {
        let village = scope(Role::Village, "140525100201");
        let code = |r: Result<(), ApiError>| r.err().map(|e| e.status.as_u16());
        let own = "140525100201";
        let other = "140525100202";
        let read = |area| Action::ReadHousehold {
            area,
            paired: false,
        };
        let write = |area| Action::WriteHousehold {
            area,
            paired: false,
        };
        assert_eq!(code(check(&village, read(own))), None);
        assert_eq!(code(check(&village, read(other))), Some(404));
        assert_eq!(code(check(&village, write(other))), Some(404));
        let viewer = scope(Role::Viewer, "140525");
        assert_eq!(code(check(&viewer, read(own))), None);
        assert_eq!(code(check(&viewer, write(own))), Some(403));
        assert_eq!(code(check(&viewer, Action::WriteApplications)), Some(403));
        let cadre = scope(Role::Cadre, "140525");
        assert_eq!(code(check(&cadre, read(own))), Some(404));
        let paired = Action::WriteHousehold {
            area: own,
            paired: true,
        };
        assert_eq!(code(check(&cadre, paired)), None);
        assert_eq!(
            code(check(&cadre, Action::CreateHousehold { area: own })),
            Some(403)
        );
        assert_eq!(
            code(check(&cadre, Action::ReadApplication { area: own })),
            Some(404)
        );
        assert!(by_pairing(&cadre) && !by_pairing(&viewer));
        let admin = scope(Role::Admin, "");
        assert!(may(&admin, Action::ManageUsers));
        assert_eq!(code(check(&viewer, Action::ManageUsers)), Some(403));
    }
}
