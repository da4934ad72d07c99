//! Identification (识别, "两公示一公告", DOMAIN.md §5): an application moves through fixed steps in
//! order; each step is recorded with who did it and when. A step can reject the application; the
//! county review also refuses it when a cross-department comparison finds an exclusion.

use std::fmt;

/// The steps of identification, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Application,
    HouseholdSurvey,
    DemocraticAppraisal,
    VillageCheck,
    FirstNotice,
    TownshipReview,
    SecondNotice,
    CountyReview,
    Announcement,
    Registered,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Application,
        Step::HouseholdSurvey,
        Step::DemocraticAppraisal,
        Step::VillageCheck,
        Step::FirstNotice,
        Step::TownshipReview,
        Step::SecondNotice,
        Step::CountyReview,
        Step::Announcement,
        Step::Registered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Application => "application",
            Step::HouseholdSurvey => "household_survey",
            Step::DemocraticAppraisal => "democratic_appraisal",
            Step::VillageCheck => "village_check",
            Step::FirstNotice => "first_notice",
            Step::TownshipReview => "township_review",
            Step::SecondNotice => "second_notice",
            Step::CountyReview => "county_review",
            Step::Announcement => "announcement",
            Step::Registered => "registered",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Step::Application => "农户申请",
            Step::HouseholdSurvey => "入户调查",
            Step::DemocraticAppraisal => "民主评议",
            Step::VillageCheck => "村委会和驻村工作队核实",
            Step::FirstNotice => "第一次公示",
            Step::TownshipReview => "乡镇审核",
            Step::SecondNotice => "第二次公示",
            Step::CountyReview => "县级复审(部门数据比对)",
            Step::Announcement => "公告",
            Step::Registered => "建档立卡",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Step::Application => "application",
            Step::HouseholdSurvey => "household survey",
            Step::DemocraticAppraisal => "village democratic appraisal",
            Step::VillageCheck => "village committee and work team check",
            Step::FirstNotice => "first public notice",
            Step::TownshipReview => "township review",
            Step::SecondNotice => "second public notice",
            Step::CountyReview => "county review with cross-department comparison",
            Step::Announcement => "announcement",
            Step::Registered => "registered",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self as usize + 1).copied()
    }

    /// A public notice must stay up this many days before the next step (policy default 5).
    pub fn is_notice(self) -> bool {
        matches!(self, Step::FirstNotice | Step::SecondNotice)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Exclusions found by cross-department comparison (DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// A family member on the government payroll (财政供养).
    PublicPayroll,
    /// A private car.
    PrivateCar,
    /// Commercial housing bought.
    CommercialHousing,
    /// A registered company.
    RegisteredCompany,
}

impl Exclusion {
    pub const ALL: [Exclusion; 4] = [
        Exclusion::PublicPayroll,
        Exclusion::PrivateCar,
        Exclusion::CommercialHousing,
        Exclusion::RegisteredCompany,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Exclusion::PublicPayroll => "public_payroll",
            Exclusion::PrivateCar => "private_car",
            Exclusion::CommercialHousing => "commercial_housing",
            Exclusion::RegisteredCompany => "registered_company",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Exclusion::PublicPayroll => "家庭成员有财政供养人员",
            Exclusion::PrivateCar => "有私家车",
            Exclusion::CommercialHousing => "购买商品房",
            Exclusion::RegisteredCompany => "注册有公司",
        }
    }

    pub fn parse(s: &str) -> Option<Exclusion> {
        Exclusion::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// Why a step cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// Not the next step of the application (code `step_order`).
    OutOfOrder { current: Step, requested: Step },
    /// The application was rejected or is registered already (code `step_closed`).
    Closed,
    /// A public notice has not been up for the required days (code `notice_period`).
    NoticeTooShort { days: i64, required: i64 },
    /// Cross-department comparison found exclusions (code `excluded`).
    Excluded(Vec<Exclusion>),
}

impl StepError {
    pub fn code(&self) -> &'static str {
        match self {
            StepError::OutOfOrder { .. } => "step_order",
            StepError::Closed => "step_closed",
            StepError::NoticeTooShort { .. } => "notice_period",
            StepError::Excluded(_) => "excluded",
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::OutOfOrder { current, requested } => write!(
                f,
                "当前步骤为“{}”,下一步不是“{}” / the application is at {current}; {requested} is not its next step",
                current.zh(),
                requested.zh()
            ),
            StepError::Closed => write!(f, "申请已结束 / the application is closed"),
            StepError::NoticeTooShort { days, required } => write!(
                f,
                "公示仅 {days} 天,至少 {required} 天 / the public notice has been up {days} days, at least {required} are required"
            ),
            StepError::Excluded(list) => write!(
                f,
                "部门比对发现不符合条件:{} / comparison found exclusions: {}",
                list.iter().map(|e| e.zh()).collect::<Vec<_>>().join("、"),
                list.iter().map(|e| e.code()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The state of an application: the last completed step, or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    At(Step),
    Rejected(Step),
}

/// Checks that `requested` may be recorded after `state`. `notice_days` is how long the last public
/// notice has been up (when the last step was a notice); `exclusions` are the comparison's findings
/// (checked at the county review).
pub fn advance(
    state: State,
    requested: Step,
    notice_days: Option<i64>,
    min_notice_days: i64,
    exclusions: &[Exclusion],
) -> Result<State, StepError> {
    let current = match state {
        State::At(Step::Registered) | State::Rejected(_) => return Err(StepError::Closed),
        State::At(s) => s,
    };
    if current.next() != Some(requested) {
        return Err(StepError::OutOfOrder { current, requested });
    }
    if current.is_notice() {
        let days = notice_days.unwrap_or(0);
        if days < min_notice_days {
            return Err(StepError::NoticeTooShort {
                days,
                required: min_notice_days,
            });
        }
    }
    if requested == Step::CountyReview && !exclusions.is_empty() {
        return Err(StepError::Excluded(exclusions.to_vec()));
    }
    Ok(State::At(requested))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_go_in_order_with_notices_of_five_days() {
        let mut s = State::At(Step::Application);
        for step in &Step::ALL[1..] {
            let days = if matches!(s, State::At(x) if x.is_notice()) {
                Some(5)
            } else {
                None
            };
            s = advance(s, *step, days, 5, &[]).unwrap();
        }
        assert_eq!(s, State::At(Step::Registered));
        assert_eq!(
            advance(s, Step::Announcement, None, 5, &[]),
            Err(StepError::Closed)
        );
    }

    #[test]
    fn skipping_a_step_or_a_short_notice_is_refused() {
        let e = advance(
            State::At(Step::HouseholdSurvey),
            Step::FirstNotice,
            None,
            5,
            &[],
        )
        .unwrap_err();
        assert_eq!(e.code(), "step_order");
        let e = advance(
            State::At(Step::FirstNotice),
            Step::TownshipReview,
            Some(4),
            5,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e,
            StepError::NoticeTooShort {
                days: 4,
                required: 5
            }
        );
        assert!(advance(
            State::At(Step::FirstNotice),
            Step::TownshipReview,
            Some(5),
            5,
            &[]
        )
        .is_ok());
    }

    #[test]
    fn the_county_review_refuses_excluded_households() {
        let e = advance(
            State::At(Step::SecondNotice),
            Step::CountyReview,
            Some(7),
            5,
            &[Exclusion::PrivateCar],
        )
        .unwrap_err();
        assert_eq!(e.code(), "excluded");
        assert!(e.to_string().contains("有私家车"));
        assert_eq!(
            advance(
                State::Rejected(Step::TownshipReview),
                Step::SecondNotice,
                None,
                5,
                &[]
            ),
            Err(StepError::Closed)
        );
    }
}
