//! Proposals on the web: a village or township account proposes an exit, return or removal of a
//! household; a county account approves (the lifecycle action runs, with its event and audit) or
//! rejects it with a reason. [`service`] holds the operations; [`api`] and [`pages`] are thin.

pub mod api;
pub mod pages;
pub mod service;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new proposal for a household.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewProposal {
    /// `exit`, `return` or `remove`.
    pub kind: Option<String>,
    /// The proposed effective date, YYYY-MM-DD (default today).
    pub date: Option<String>,
    /// Why (required for a removal; for an exit that fails the check, the override reason).
    pub reason: Option<String>,
}

/// The county's decision on a proposal.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Decision {
    /// `approve` or `reject`.
    pub decision: Option<String>,
    /// Required to reject; on approval it replaces the proposal's reason for the lifecycle action.
    pub reason: Option<String>,
}

/// `?area=` (default: the user's area) and `?status=` (`pending`, `approved`, `rejected`).
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// 区划前缀 / area-code prefix (default: the user's area).
    pub area: Option<String>,
    /// `pending`, `approved` or `rejected` (default: all).
    pub status: Option<String>,
}

/// The proposals of an area.
#[derive(Serialize, ToSchema)]
pub struct ProposalList {
    pub proposals: Vec<fupin_store::directory::Proposal>,
}
