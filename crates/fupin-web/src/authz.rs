//! Every permission decision of the application: what a role may do to what, inside or outside
//! its area. Handlers and services ask [`check`] (or [`may`]); none decides by itself.
//!
//! Outside its area a record answers 404 as if it did not exist; inside its area, an action the
//! role may not take answers 403.

use crate::error::ApiError;
use fupin_core::access::{self, Role, Scope};
use fupin_core::identification::Step;

/// What a session asks to do, with the area (and for cadres, the pairing) it touches. Which role
/// may do what at all is fupin-core's [`access::allowed`] (separation of duties); this adds the
/// area and the answer.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read figures, lists, sub-areas, reports, village pages and applications of an area prefix.
    ReadArea(&'a str),
    /// Read a household of a village (`paired`: the session's cadre is paired with it).
    ReadHousehold { area: &'a str, paired: bool },
    /// Change a household's facts and members (404 when it may not even read it).
    WriteHousehold { area: &'a str, paired: bool },
    /// Move a household from one village to another (an update's new area code): the county,
    /// within its county. Not moving (`from == to`) is always allowed.
    MoveHousehold { from: &'a str, to: &'a str },
    /// Register a new household in a village (建档立卡).
    CreateHousehold { area: &'a str },
    /// Exit, return or remove a household (the county).
    Lifecycle { area: &'a str, paired: bool },
    /// Propose an exit, return or removal of a household (village, township).
    Propose { area: &'a str, paired: bool },
    /// Approve or reject a proposal about a household of `area` (the county).
    DecideProposal { area: &'a str },
    /// Read an identification application of a village.
    ReadApplication { area: &'a str },
    /// File applications at all (what a page offers).
    WriteApplications,
    /// File an application in a village.
    FileApplication { area: &'a str },
    /// Record a step of an application of a village (each level its own steps).
    RecordStep { area: &'a str, step: Step },
    /// List and create accounts.
    ManageUsers,
    /// Record a household's assistance plan or measures (those who change its facts).
    RecordAssistance { area: &'a str, paired: bool },
    /// Read the funds, projects, loans and assets of an area prefix (issue 14; not cadres, who
    /// see only their paired households).
    ReadFunds { area: &'a str },
    /// Record projects and asset income of an area (the county).
    WriteFunds { area: &'a str },
    /// Read the responsibility network of an area prefix (units, cadres, teams, pairings,
    /// coverage): every role but the cadre, who sees its own households only (issue 11).
    ReadNetwork(&'a str),
    /// Manage the responsibility network of an area (units, cadres, teams, pairings): the county.
    ManageNetwork(&'a str),
    /// Record a visit to a household (帮扶走访): its paired cadre, the village, township, county.
    RecordVisit { area: &'a str, paired: bool },
    /// Record a step of a monitoring case of a village, opening one being its `signal` step (each
    /// level its own steps: `fupin_core::monitoring::may_record`).
    CaseStep {
        area: &'a str,
        step: fupin_core::monitoring::Step,
    },
    /// Dismiss a signal of a village after verifying it (the village's level and up: village,
    /// township and county accounts, as they open cases from signals).
    DismissSignal { area: &'a str },
    /// Compare a department's data with the registry of an area and open its cases, or judge and
    /// record a risk elimination (the county, as it decides cases).
    CountyMonitoring { area: &'a str },
}

/// Whether the session may take the action: `Ok`, or the error to answer (404 or 403).
pub fn check(scope: &Scope, action: Action) -> Result<(), ApiError> {
    let allowed = |ok: bool, denied: fn() -> ApiError| if ok { Ok(()) } else { Err(denied()) };
    let role = |a: access::Action| access::allowed(scope.role, a);
    match action {
        Action::ReadArea(prefix) => allowed(scope.can_read_area(prefix), ApiError::not_found),
        Action::ReadHousehold { area, paired } => {
            allowed(scope.can_read_household(area, paired), ApiError::not_found)
        }
        Action::WriteHousehold { area, paired } => {
            check(scope, Action::ReadHousehold { area, paired })?;
            allowed(
                role(access::Action::EditFacts) && scope.can_write_household(area, paired),
                ApiError::forbidden,
            )
        }
        Action::MoveHousehold { from, to } if from == to => Ok(()),
        Action::MoveHousehold { from, to } => allowed(
            role(access::Action::MoveHousehold)
                && scope.covers(from)
                && scope.covers(to)
                && fupin_core::area::county_of(from) == fupin_core::area::county_of(to),
            ApiError::forbidden,
        ),
        Action::CreateHousehold { area } => allowed(
            role(access::Action::CreateHousehold) && scope.covers(area),
            ApiError::forbidden,
        ),
        Action::Lifecycle { area, paired } => {
            check(scope, Action::ReadHousehold { area, paired })?;
            allowed(role(access::Action::Lifecycle), ApiError::forbidden)
        }
        Action::Propose { area, paired } => {
            check(scope, Action::ReadHousehold { area, paired })?;
            allowed(role(access::Action::Propose), ApiError::forbidden)
        }
        Action::DecideProposal { area } => {
            allowed(scope.covers(area), ApiError::not_found)?;
            allowed(role(access::Action::DecideProposal), ApiError::forbidden)
        }
        Action::ReadApplication { area } => allowed(
            scope.covers(area) && scope.role != Role::Cadre,
            ApiError::not_found,
        ),
        Action::WriteApplications => {
            allowed(role(access::Action::FileApplication), ApiError::forbidden)
        }
        Action::FileApplication { area } => {
            check(scope, Action::ReadApplication { area })?;
            allowed(role(access::Action::FileApplication), ApiError::forbidden)
        }
        Action::RecordStep { area, step } => {
            check(scope, Action::ReadApplication { area })?;
            allowed(
                role(access::Action::ApplicationStep(step)),
                ApiError::forbidden,
            )
        }
        Action::ManageUsers => allowed(role(access::Action::ManageUsers), ApiError::forbidden),
        Action::RecordAssistance { area, paired } => {
            check(scope, Action::WriteHousehold { area, paired })
        }
        Action::ReadFunds { area } => allowed(
            scope.can_read_area(area) && scope.role != Role::Cadre,
            ApiError::not_found,
        ),
        Action::WriteFunds { area } => {
            check(scope, Action::ReadFunds { area })?;
            allowed(
                matches!(scope.role, Role::Admin | Role::County),
                ApiError::forbidden,
            )
        }
        Action::ReadNetwork(prefix) => allowed(
            scope.can_read_area(prefix) && scope.role != Role::Cadre,
            ApiError::not_found,
        ),
        Action::ManageNetwork(prefix) => {
            check(scope, Action::ReadNetwork(prefix))?;
            allowed(
                matches!(scope.role, Role::County | Role::Admin),
                ApiError::forbidden,
            )
        }
        Action::RecordVisit { area, paired } => {
            check(scope, Action::ReadHousehold { area, paired })?;
            allowed(role(access::Action::RecordVisit), ApiError::forbidden)
        }
        Action::CaseStep { area, step } => {
            check(scope, Action::ReadApplication { area })?;
            allowed(
                fupin_core::monitoring::may_record(scope.role, step),
                ApiError::forbidden,
            )
        }
        Action::DismissSignal { area } => {
            check(scope, Action::ReadApplication { area })?;
            let verification = fupin_core::monitoring::Step::HomeVerification;
            allowed(
                fupin_core::monitoring::may_record(scope.role, verification),
                ApiError::forbidden,
            )
        }
        Action::CountyMonitoring { area } => {
            check(scope, Action::ReadApplication { area })?;
            let decision = fupin_core::monitoring::Step::CountyDecision;
            allowed(
                fupin_core::monitoring::may_record(scope.role, decision),
                ApiError::forbidden,
            )
        }
    }
}

/// Whether the session may take the action (for what a page offers).
pub fn may(scope: &Scope, action: Action) -> bool {
    check(scope, action).is_ok()
}

/// Whether the session sees personal information in full (ID numbers, phone, bank account,
/// health); otherwise its answers pass through [`crate::privacy::redact`].
pub fn sees_personal(scope: &Scope) -> bool {
    access::allowed(scope.role, access::Action::ReadPersonal)
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
        // Each level signs its own step; exits are the county's.
        let step = |step| Action::RecordStep { area: own, step };
        assert_eq!(code(check(&village, step(Step::FirstNotice))), None);
        assert_eq!(code(check(&village, step(Step::TownshipReview))), Some(403));
        assert_eq!(code(check(&village, step(Step::CountyReview))), Some(403));
        let county = scope(Role::County, "140525");
        assert_eq!(code(check(&county, step(Step::TownshipReview))), Some(403));
        assert_eq!(code(check(&county, step(Step::Registered))), None);
        let exit = Action::Lifecycle {
            area: own,
            paired: true,
        };
        assert_eq!(code(check(&cadre, exit)), Some(403));
        assert_eq!(code(check(&village, exit)), Some(403));
        assert_eq!(code(check(&county, exit)), None);
        let propose = Action::Propose {
            area: own,
            paired: false,
        };
        assert_eq!(code(check(&village, propose)), None);
        let decide = Action::DecideProposal { area: other };
        assert_eq!(code(check(&village, decide)), Some(404));
        assert_eq!(code(check(&county, decide)), None);
        // Moving: only the county, within its county.
        let mv = |from, to| Action::MoveHousehold { from, to };
        assert_eq!(code(check(&cadre, mv(own, own))), None);
        assert_eq!(code(check(&cadre, mv(own, other))), Some(403));
        assert_eq!(code(check(&village, mv(own, other))), Some(403));
        assert_eq!(code(check(&county, mv(own, other))), None);
        assert_eq!(code(check(&county, mv(own, "140581100201"))), Some(403));
        assert!(by_pairing(&cadre) && !by_pairing(&viewer));
        let admin = scope(Role::Admin, "");
        assert!(may(&admin, Action::ManageUsers));
        assert_eq!(code(check(&viewer, Action::ManageUsers)), Some(403));
    }
}
