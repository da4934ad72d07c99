//! Proposals (申请/提议): a village or township account proposes an exit, return or removal of a
//! household; the county decides (separation of duties, [`crate::access`]). An approved proposal
//! runs the lifecycle action (with its own rules, `registry::plan::status_transition`); a rejected
//! one keeps the county's reason. A proposal is decided once.

use crate::codes::{CodeList, HouseholdStatus};
use std::fmt;

/// What a proposal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Exit,
    Return,
    Remove,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Exit, Kind::Return, Kind::Remove];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Exit => "exit",
            Kind::Return => "return",
            Kind::Remove => "remove",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Kind::Exit => "标注脱贫",
            Kind::Return => "标注返贫",
            Kind::Remove => "清退",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Kind::Exit => "exit",
            Kind::Return => "return to poverty",
            Kind::Remove => "removal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// The status the household gets when the proposal is approved.
    pub fn target(self) -> HouseholdStatus {
        match self {
            Kind::Exit => HouseholdStatus::Exited,
            Kind::Return => HouseholdStatus::Returned,
            Kind::Remove => HouseholdStatus::Removed,
        }
    }

    /// Whether a household of status `from` can be proposed for this (the lifecycle's rules:
    /// exit from poor or returned, return from exited, removal from any registered status).
    pub fn applies_to(self, from: HouseholdStatus) -> bool {
        use HouseholdStatus::*;
        match self {
            Kind::Exit => matches!(from, Poor | Returned),
            Kind::Return => from == Exited,
            Kind::Remove => matches!(from, Poor | Exited | Returned),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Approved, Status::Rejected];

    pub fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Pending => "待县级决定",
            Status::Approved => "已批准",
            Status::Rejected => "已驳回",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Status::Pending => "awaiting the county",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.code() == s.trim())
    }
}

/// Why a proposal cannot be made or decided, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalError {
    /// The household's status does not allow the action (`illegal_transition`).
    NotApplicable { kind: Kind, from: HouseholdStatus },
    /// A removal needs a reason (`reason_required`).
    ReasonRequired,
    /// A rejection needs the county's reason (`reason_required`).
    RejectionReasonRequired,
    /// Decided already (`proposal_decided`).
    Decided(Status),
    /// One pending proposal per household at a time (`proposal_pending`).
    AlreadyPending,
}

impl ProposalError {
    pub fn code(&self) -> &'static str {
        match self {
            ProposalError::NotApplicable { .. } => "illegal_transition",
            ProposalError::ReasonRequired | ProposalError::RejectionReasonRequired => {
                "reason_required"
            }
            ProposalError::Decided(_) => "proposal_decided",
            ProposalError::AlreadyPending => "proposal_pending",
        }
    }
}

impl fmt::Display for ProposalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProposalError::NotApplicable { kind, from } => write!(
                f,
                "「{}」状态的户不能{} / a household that is {} cannot be proposed for {}",
                from.zh(),
                kind.zh(),
                from.code(),
                kind.en()
            ),
            ProposalError::ReasonRequired => {
                write!(f, "清退须填写原因 / a removal needs a reason")
            }
            ProposalError::RejectionReasonRequired => {
                write!(f, "驳回须填写理由 / a rejection needs a reason")
            }
            ProposalError::Decided(s) => write!(
                f,
                "该提议已处理({}) / the proposal was decided already ({})",
                s.zh(),
                s.code()
            ),
            ProposalError::AlreadyPending => write!(
                f,
                "该户已有待县级决定的提议 / the household has a proposal awaiting the county"
            ),
        }
    }
}

fn given(reason: Option<&str>) -> bool {
    reason.is_some_and(|r| !r.trim().is_empty())
}

/// Checks a new proposal for a household of status `from`, given whether one is pending.
pub fn check_new(
    kind: Kind,
    from: HouseholdStatus,
    reason: Option<&str>,
    pending: bool,
) -> Result<(), ProposalError> {
    if pending {
        return Err(ProposalError::AlreadyPending);
    }
    if !kind.applies_to(from) {
        return Err(ProposalError::NotApplicable { kind, from });
    }
    if kind == Kind::Remove && !given(reason) {
        return Err(ProposalError::ReasonRequired);
    }
    Ok(())
}

/// The status a decision gives a proposal of status `current`: only a pending proposal is decided,
/// and a rejection states its reason.
pub fn decide(
    current: Status,
    approve: bool,
    reason: Option<&str>,
) -> Result<Status, ProposalError> {
    if current != Status::Pending {
        return Err(ProposalError::Decided(current));
    }
    if approve {
        Ok(Status::Approved)
    } else if given(reason) {
        Ok(Status::Rejected)
    } else {
        Err(ProposalError::RejectionReasonRequired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HouseholdStatus::*;

    #[test]
    fn a_proposal_follows_the_lifecycle() {
        assert_eq!(check_new(Kind::Exit, Poor, None, false), Ok(()));
        assert_eq!(check_new(Kind::Exit, Returned, None, false), Ok(()));
        assert_eq!(
            check_new(Kind::Exit, Exited, None, false)
                .unwrap_err()
                .code(),
            "illegal_transition"
        );
        assert_eq!(check_new(Kind::Return, Exited, None, false), Ok(()));
        assert!(check_new(Kind::Return, Poor, None, false).is_err());
        assert_eq!(
            check_new(Kind::Remove, Poor, Some("  "), false),
            Err(ProposalError::ReasonRequired)
        );
        assert_eq!(
            check_new(Kind::Remove, Poor, Some("家有财政供养人员"), false),
            Ok(())
        );
        assert!(check_new(Kind::Remove, Removed, Some("x"), false).is_err());
        assert!(check_new(Kind::Remove, NonPoor, Some("x"), false).is_err());
        assert_eq!(
            check_new(Kind::Exit, Poor, None, true),
            Err(ProposalError::AlreadyPending)
        );
        assert_eq!(Kind::Remove.target(), Removed);
        assert_eq!(Kind::parse("return"), Some(Kind::Return));
    }

    #[test]
    fn the_county_decides_once_and_rejects_with_a_reason() {
        assert_eq!(decide(Status::Pending, true, None), Ok(Status::Approved));
        assert_eq!(
            decide(Status::Pending, false, None),
            Err(ProposalError::RejectionReasonRequired)
        );
        assert_eq!(
            decide(Status::Pending, false, Some("收入未核实")),
            Ok(Status::Rejected)
        );
        let again = decide(Status::Approved, false, Some("x")).unwrap_err();
        assert_eq!(again.code(), "proposal_decided");
        assert!(again.to_string().contains("已批准"));
    }
}
