//! Who may see and change what: roles scoped by an area-code prefix (DESIGN.md: every read and write
//! is scoped to the user's area prefix, enforced in one place). The web layer asks only these functions.

use crate::area::is_area_prefix;
use crate::identification::Step;
use std::fmt;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, everywhere; manages users.
    Admin,
    /// A county office (扶贫办): edits within its county.
    County,
    /// A township station: edits within its township.
    Township,
    /// A village cadre or work team: edits its village.
    Village,
    /// A paired cadre (帮扶责任人): its paired households only.
    Cadre,
    /// A leader or inspector: read-only figures and lists within its area.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::County,
        Role::Township,
        Role::Village,
        Role::Cadre,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::County => "county",
            Role::Township => "township",
            Role::Village => "village",
            Role::Cadre => "cadre",
            Role::Viewer => "viewer",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::County => "县扶贫办",
            Role::Township => "乡镇扶贫站",
            Role::Village => "村干部/驻村工作队",
            Role::Cadre => "帮扶责任人",
            Role::Viewer => "查看(领导)",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    /// The length of area prefix the role must have (`None`: any prefix, or none for admin).
    pub fn prefix_len(self) -> Option<usize> {
        match self {
            Role::County => Some(6),
            Role::Township => Some(9),
            Role::Village => Some(12),
            Role::Admin | Role::Cadre | Role::Viewer => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Serialised as its code.
impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Why a (role, area) pair cannot make an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError(pub String);

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's jurisdiction: a role and the area-code prefix it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub role: Role,
    /// Digits of the area prefix; empty for admin (everywhere).
    pub area: String,
}

impl Scope {
    /// Checks a role and area: admin needs none; county, township and village need a prefix of 6, 9
    /// and 12 digits; cadre and viewer need some prefix (a cadre sees only paired households within it).
    pub fn new(role: Role, area: Option<&str>) -> Result<Scope, ScopeError> {
        let area = area.map(str::trim).unwrap_or("");
        if !is_area_prefix(area) {
            return Err(ScopeError(format!(
                "区划前缀应为数字 / the area must be a prefix of digits: {area}"
            )));
        }
        // A full 12-digit code with trailing zero levels denotes the upper area: strip them.
        let area = significant_prefix(area);
        match (role, role.prefix_len()) {
            (Role::Admin, _) => Ok(Scope { role, area: String::new() }),
            (_, Some(n)) if area.len() != n => Err(ScopeError(format!(
                "{}({}) 的区划前缀应为 {n} 位 / a {} account needs an area prefix of {n} digits, not {:?}",
                role.zh(),
                role.code(),
                role.code(),
                area
            ))),
            (_, None) if area.is_empty() => Err(ScopeError(format!(
                "{}({}) 需要区划 / a {} account needs an area (--area)",
                role.zh(),
                role.code(),
                role.code()
            ))),
            _ => Ok(Scope { role, area }),
        }
    }

    /// May this user see records of `area_code` (12 digits)? A cadre additionally needs the pairing,
    /// see [`Scope::can_read_household`].
    pub fn covers(&self, area_code: &str) -> bool {
        area_code.starts_with(&self.area)
    }

    /// May this user read a household in `area_code`, given whether the user is paired with it?
    pub fn can_read_household(&self, area_code: &str, paired: bool) -> bool {
        self.covers(area_code) && (self.role != Role::Cadre || paired)
    }

    /// May this user change a household in `area_code`? Viewers never write; cadres only their
    /// paired households.
    pub fn can_write_household(&self, area_code: &str, paired: bool) -> bool {
        match self.role {
            Role::Viewer => false,
            Role::Cadre => paired && self.covers(area_code),
            _ => self.covers(area_code),
        }
    }

    /// May this user see figures (dashboards, reports) of the area `prefix`? Only within its own area.
    pub fn can_read_area(&self, prefix: &str) -> bool {
        prefix.starts_with(&self.area)
    }

    /// The narrowest of the user's area and a requested filter, or `None` when they do not overlap.
    pub fn restrict(&self, requested: Option<&str>) -> Option<String> {
        match requested {
            None => Some(self.area.clone()),
            Some(r) if r.starts_with(&self.area) => Some(r.to_string()),
            Some(r) if self.area.starts_with(r) => Some(self.area.clone()),
            Some(_) => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What a user asks to do, whatever record it touches (the area is [`Scope`]'s business). The level
/// rules of 两公示一公告 and of the household lifecycle (separation of duties) are [`allowed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See figures, lists, households, applications (always within the area; cadres only paired
    /// households).
    Read,
    /// See personal information in full: ID numbers unmasked, phone, bank account, health
    /// (PIPL: ID numbers and health are sensitive). Without it, ID numbers are masked and the rest
    /// left out.
    ReadPersonal,
    /// Change a household's facts (members, income, conditions, contact) without moving it.
    EditFacts,
    /// Record a visit to a household (帮扶走访).
    RecordVisit,
    /// Register a new household (建档立卡).
    CreateHousehold,
    /// Move a household to another village of the county (its `area_code`).
    MoveHousehold,
    /// File an identification application (农户申请).
    FileApplication,
    /// Record a step of an identification application.
    ApplicationStep(Step),
    /// Exit (脱贫), return (返贫) or removal (清退) of a household.
    Lifecycle,
    /// Propose an exit, return or removal for the county's decision.
    Propose,
    /// Approve or reject a proposal (the lifecycle action runs on approval).
    DecideProposal,
    /// Create and list accounts.
    ManageUsers,
}

/// The level a step of 两公示一公告 belongs to: the village's steps (application, survey,
/// appraisal, check, both public notices), the township review, and the county's review,
/// announcement and registration.
pub fn step_level(step: Step) -> Role {
    match step {
        Step::TownshipReview => Role::Township,
        Step::CountyReview | Step::Announcement | Step::Registered => Role::County,
        _ => Role::Village,
    }
}

/// Whether a role may take an action at all (separation of duties). The area is checked apart
/// ([`Scope::covers`]); the system administrator may do everything.
///
/// - everyone reads (within its area);
/// - the village's steps of 两公示一公告: village accounts and above (township, county);
/// - the township review: township accounts only; the county review, announcement and
///   registration: county accounts only (each level signs its own step);
/// - exit, return and removal, registering and moving a household, deciding proposals: county;
/// - proposing an exit, return or removal: village and township accounts;
/// - facts of a household: county, township, village, and the paired cadre; visits too;
/// - viewers only read, and see ID numbers masked and no phone, bank account or health detail;
///   accounts are the administrator's.
pub fn allowed(role: Role, action: Action) -> bool {
    use Role::*;
    if role == Admin {
        return true;
    }
    match action {
        Action::Read => true,
        Action::ReadPersonal => role != Viewer,
        Action::EditFacts | Action::RecordVisit => {
            matches!(role, County | Township | Village | Cadre)
        }
        Action::FileApplication => matches!(role, County | Township | Village),
        Action::ApplicationStep(step) => match step_level(step) {
            Village => matches!(role, County | Township | Village),
            level => role == level,
        },
        Action::Propose => matches!(role, Township | Village),
        Action::CreateHousehold
        | Action::MoveHousehold
        | Action::Lifecycle
        | Action::DecideProposal => role == County,
        Action::ManageUsers => false,
    }
}

/// Drops trailing all-zero levels of a 12-digit code: `140525000000` → `140525`.
pub fn significant_prefix(area: &str) -> String {
    if area.len() != 12 {
        return area.to_string();
    }
    for n in [2usize, 4, 6, 9] {
        if area[n..].bytes().all(|b| b == b'0') {
            return area[..n].to_string();
        }
    }
    area.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_need_prefixes_of_their_level() {
        assert!(Scope::new(Role::Admin, None).unwrap().is_admin());
        assert_eq!(
            Scope::new(Role::County, Some("140525")).unwrap().area,
            "140525"
        );
        assert_eq!(
            Scope::new(Role::County, Some("140525000000")).unwrap().area,
            "140525"
        );
        assert!(Scope::new(Role::County, Some("1405")).is_err());
        assert!(Scope::new(Role::Township, Some("140525100")).is_ok());
        assert!(Scope::new(Role::Village, Some("140525100201")).is_ok());
        assert!(Scope::new(Role::Village, Some("140525100")).is_err());
        assert!(Scope::new(Role::Viewer, None).is_err());
        assert!(Scope::new(Role::Viewer, Some("14")).is_ok());
        assert!(Scope::new(Role::County, Some("14a525")).is_err());
    }

    #[test]
    fn a_village_user_reaches_only_its_village() {
        let v = Scope::new(Role::Village, Some("140525100201")).unwrap();
        assert!(v.covers("140525100201") && v.can_write_household("140525100201", false));
        assert!(!v.covers("140525100202") && !v.can_write_household("140525100202", false));
        assert!(!v.can_read_area("140525"));
        assert_eq!(v.restrict(Some("1405")), Some("140525100201".into()));
        assert_eq!(v.restrict(Some("140525100202")), None);
    }

    #[test]
    fn cadres_see_paired_households_and_viewers_never_write() {
        let c = Scope::new(Role::Cadre, Some("140525")).unwrap();
        assert!(c.can_read_household("140525100201", true));
        assert!(!c.can_read_household("140525100201", false));
        assert!(!c.can_write_household("140525100201", false));
        let viewer = Scope::new(Role::Viewer, Some("1405")).unwrap();
        assert!(viewer.can_read_household("140525100201", false));
        assert!(!viewer.can_write_household("140525100201", false));
        assert!(viewer.can_read_area("140525") && !viewer.can_read_area("14"));
        let admin = Scope::new(Role::Admin, None).unwrap();
        assert!(admin.can_write_household("650000000000", false) && admin.can_read_area(""));
    }
    #[test]
    fn each_level_signs_its_own_steps() {
        use Role::*;
        let step = |r, s| allowed(r, Action::ApplicationStep(s));
        for s in [
            Step::HouseholdSurvey,
            Step::DemocraticAppraisal,
            Step::VillageCheck,
            Step::FirstNotice,
            Step::SecondNotice,
        ] {
            assert!(
                step(Village, s) && step(Township, s) && step(County, s),
                "{s}"
            );
            assert!(!step(Cadre, s) && !step(Viewer, s), "{s}");
        }
        assert!(step(Township, Step::TownshipReview));
        assert!(!step(Village, Step::TownshipReview) && !step(County, Step::TownshipReview));
        for s in [Step::CountyReview, Step::Announcement, Step::Registered] {
            assert!(step(County, s), "{s}");
            assert!(
                !step(Village, s) && !step(Township, s) && !step(Cadre, s),
                "{s}"
            );
        }
        assert!(step(Admin, Step::TownshipReview) && step(Admin, Step::Registered));
    }

    #[test]
    fn the_county_decides_the_lifecycle_and_villages_propose() {
        use Role::*;
        for a in [
            Action::Lifecycle,
            Action::DecideProposal,
            Action::CreateHousehold,
            Action::MoveHousehold,
        ] {
            let who: Vec<Role> = Role::ALL.into_iter().filter(|r| allowed(*r, a)).collect();
            assert_eq!(who, [Admin, County], "{a:?}");
        }
        let proposers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allowed(*r, Action::Propose))
            .collect();
        assert_eq!(proposers, [Admin, Township, Village]);
    }

    #[test]
    fn cadres_edit_facts_and_visit_only_and_viewers_only_read() {
        use Role::*;
        let all = [
            Action::Read,
            Action::EditFacts,
            Action::RecordVisit,
            Action::CreateHousehold,
            Action::MoveHousehold,
            Action::FileApplication,
            Action::ApplicationStep(Step::HouseholdSurvey),
            Action::Lifecycle,
            Action::Propose,
            Action::DecideProposal,
            Action::ManageUsers,
        ];
        let of = |r| {
            all.into_iter()
                .filter(|a| allowed(r, *a))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of(Cadre),
            [Action::Read, Action::EditFacts, Action::RecordVisit]
        );
        assert_eq!(of(Viewer), [Action::Read]);
        assert!(!allowed(County, Action::ManageUsers) && allowed(Admin, Action::ManageUsers));
    }
}
