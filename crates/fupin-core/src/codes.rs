//! The code lists of the national information system (DOMAIN.md §2).
//!
//! Every code list is an enum with a stable English code (used in files, JSON and the database),
//! a Chinese label and an English label. Parsing accepts the English code or the Chinese label.

use std::fmt;

/// A code list: stable codes with Chinese and English labels.
pub trait CodeList: Sized + Copy + 'static {
    /// The name of the list, as used in error messages (`cause`, `labor`, ...).
    const LIST: &'static str;
    /// Every value in the list, in its official order.
    fn all() -> &'static [Self];
    /// The stable English code.
    fn code(self) -> &'static str;
    /// The Chinese label.
    fn zh(self) -> &'static str;
    /// The English label.
    fn en(self) -> &'static str;
    /// Parses a stable code or a Chinese label (surrounding blanks ignored).
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::all()
            .iter()
            .copied()
            .find(|v| v.code() == s || v.zh() == s)
    }
}

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $list:literal, { $($variant:ident => ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl CodeList for $name {
            const LIST: &'static str = $list;
            fn all() -> &'static [Self] { &[$($name::$variant),+] }
            fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$name as CodeList>::parse(&s).ok_or_else(|| serde::de::Error::custom(
                    format!("unknown {} code {:?}", $list, s)))
            }
        }
    };
}

/// Other modules' code lists (`monitoring`) are declared the same way.
pub(crate) use code_list;

code_list!(
    /// 致贫原因: the cause of poverty (one main cause, any number of secondary causes).
    Cause, "cause", {
    Illness => ("illness", "因病", "illness"),
    Disability => ("disability", "因残", "disability"),
    Schooling => ("schooling", "因学", "schooling costs"),
    Disaster => ("disaster", "因灾", "disaster"),
    Marriage => ("marriage", "因婚", "marriage costs"),
    Land => ("land", "缺土地", "lack of land"),
    Water => ("water", "缺水", "lack of water"),
    Skills => ("skills", "缺技术", "lack of skills"),
    Capital => ("capital", "缺资金", "lack of capital"),
    Labour => ("labour", "缺劳力", "lack of labour"),
    Transport => ("transport", "交通条件落后", "poor transport"),
    Motivation => ("motivation", "自身发展动力不足", "lack of motivation"),
    Other => ("other", "其他", "other"),
});

code_list!(
    /// 贫困户属性: the attribute of a registered household.
    Attribute, "attribute", {
    Ordinary => ("ordinary", "一般贫困户", "ordinary poor household"),
    Dibao => ("dibao", "低保贫困户", "minimum-living-guarantee household"),
    Destitute => ("destitute", "特困供养贫困户", "destitute-support household"),
});

code_list!(
    /// 劳动技能: labour capacity of a member.
    Labor, "labor", {
    Skilled => ("skilled", "技能劳动力", "skilled labour"),
    Ordinary => ("ordinary", "普通劳动力", "ordinary labour"),
    Weak => ("weak", "弱劳动力或半劳动力", "weak or half labour"),
    Lost => ("lost", "丧失劳动力", "lost labour capacity"),
    NoLabor => ("none", "无劳动力", "no labour capacity"),
});

code_list!(
    /// 健康状况: health of a member (personal data: shown only within the user's area).
    Health, "health", {
    Healthy => ("healthy", "健康", "healthy"),
    Chronic => ("chronic", "长期慢性病", "chronic illness"),
    Serious => ("serious", "患有大病", "serious illness"),
    Disabled => ("disabled", "残疾", "disabled"),
});

code_list!(
    /// 在校生状况: school status of a member.
    SchoolStatus, "school_status", {
    NotInSchool => ("none", "非在校生", "not in school"),
    Preschool => ("preschool", "学前教育", "preschool"),
    Primary => ("primary", "小学", "primary school"),
    Junior => ("junior", "初中", "junior secondary (grades 7-9)"),
    Senior => ("senior", "高中", "senior secondary"),
    SecondaryVocational => ("secondary_vocational", "中职", "secondary vocational"),
    HigherVocational => ("higher_vocational", "高职", "higher vocational"),
    College => ("college", "大学及以上", "college or above"),
    DroppedOut => ("dropped_out", "辍学", "dropped out"),
    Exempt => ("exempt", "送教上门", "education delivered at home"),
});

code_list!(
    /// 务工状况: where a member works.
    WorkPlace, "work_place", {
    Township => ("township", "乡镇内务工", "within the township"),
    County => ("county", "县内务工", "within the county"),
    Province => ("province", "省内务工", "within the province"),
    OutsideProvince => ("outside_province", "省外务工", "outside the province"),
    Other => ("other", "其他", "other"),
});

code_list!(
    /// 住房安全等级: housing safety grade; A and B are safe, C and D dangerous (危房).
    HousingGrade, "housing_grade", {
    A => ("A", "A级", "grade A"),
    B => ("B", "B级", "grade B"),
    C => ("C", "C级", "grade C (dangerous)"),
    D => ("D", "D级", "grade D (dangerous)"),
});

impl HousingGrade {
    /// Grades A and B are safe housing.
    pub fn is_safe(self) -> bool {
        matches!(self, HousingGrade::A | HousingGrade::B)
    }
}

code_list!(
    /// The registration status of a household.
    HouseholdStatus, "status", {
    Poor => ("poor", "未脱贫", "poor"),
    Exited => ("exited", "已脱贫", "exited"),
    Returned => ("returned", "返贫", "returned to poverty"),
    Removed => ("removed", "清退", "removed"),
    NonPoor => ("non_poor", "非贫困户", "never registered poor"),
});

impl HouseholdStatus {
    /// Poor and returned households count in the poor population.
    pub fn is_poor(self) -> bool {
        matches!(self, HouseholdStatus::Poor | HouseholdStatus::Returned)
    }
}

code_list!(
    /// The monitoring category of a household (防返贫监测, DOMAIN.md §7).
    MonitoringCategory, "monitoring_category", {
    NotApplicable => ("not_applicable", "不适用(未脱贫)", "not applicable (still poor)"),
    NoRisk => ("none", "无风险", "no risk"),
    Unstable => ("unstable", "脱贫不稳定户", "unstable exited household"),
    Marginal => ("marginal", "边缘易致贫户", "marginal household"),
    SuddenHardship => ("sudden_hardship", "突发严重困难户", "sudden severe hardship"),
    RiskEliminated => ("risk_eliminated", "风险已消除", "risk eliminated"),
});

code_list!(
    /// The relation of a member to the head of household.
    Relation, "relation", {
    Head => ("head", "户主", "head of household"),
    Spouse => ("spouse", "配偶", "spouse"),
    Child => ("child", "子女", "child"),
    ChildInLaw => ("child_in_law", "儿媳/女婿", "child-in-law"),
    Grandchild => ("grandchild", "孙子女", "grandchild"),
    Parent => ("parent", "父母", "parent"),
    Grandparent => ("grandparent", "祖父母", "grandparent"),
    Sibling => ("sibling", "兄弟姐妹", "sibling"),
    Other => ("other", "其他", "other"),
});

code_list!(
    /// The economic region a policy threshold may depend on (west: 3% village exit incidence).
    Region, "region", {
    East => ("east", "东部", "east"),
    Central => ("central", "中部", "central"),
    West => ("west", "西部", "west"),
});

code_list!(
    /// The village indicators of the village exit standard (DOMAIN.md §6).
    VillageIndicator, "village_indicator", {
    Road => ("road", "通硬化路", "paved road"),
    Electricity => ("electricity", "通动力电", "power supply"),
    Water => ("water", "安全饮水", "safe drinking water"),
    Broadband => ("broadband", "通宽带", "broadband"),
    Clinic => ("clinic", "标准化卫生室", "village clinic"),
    CollectiveIncome => ("collective_income", "村集体经济收入", "collective income"),
});

code_list!(
    /// A check of a standard, reported by stable code when it fails (DOMAIN.md §4, §6, §7).
    Check, "check", {
    IncomeBelowLine => ("income_below_line", "人均纯收入未超过贫困线", "per-capita net income is not above the poverty line"),
    Food => ("food", "未实现不愁吃", "food is not secure"),
    Clothing => ("clothing", "未实现不愁穿", "clothing is not secure"),
    CompulsoryEducation => ("compulsory_education", "有义务教育阶段适龄儿童失学辍学", "a child of compulsory school age is out of school"),
    BasicMedical => ("basic_medical", "有成员未参加基本医疗保险", "a member has no basic medical insurance"),
    HousingSafety => ("housing_safety", "住房不安全(C级或D级危房)", "housing is unsafe (grade C or D)"),
    DrinkingWater => ("drinking_water", "饮水不安全", "drinking water is not safe"),
    IncomeBelowMonitoringLine => ("income_below_monitoring_line", "人均纯收入低于监测线", "per-capita net income is below the monitoring line"),
    RigidExpense => ("rigid_expense", "刚性支出后人均收入低于监测线", "per-capita income after rigid expenses is below the monitoring line"),
    Incidence => ("incidence", "贫困发生率未低于退出标准", "poverty incidence is not below the exit threshold"),
    WrongExitRate => ("wrong_exit_rate", "错退率超过标准", "wrong-exit rate is above the limit"),
    MissedRate => ("missed_rate", "漏评率超过标准", "missed-registration rate is above the limit"),
    Satisfaction => ("satisfaction", "群众认可度未达到标准", "public satisfaction is below the minimum"),
    IncomeNotStable => ("income_not_stable", "收入稳定超过监测线未满规定月数", "income has not been above the monitoring line for the required months"),
    RigidExpenseUnresolved => ("rigid_expense_unresolved", "刚性支出问题未解决", "rigid expenses are not resolved"),
    SocialSecurityDependent => ("social_security_dependent", "无劳动能力、靠兜底保障,不标注风险消除", "no labour capacity and living on social-security measures: never marked eliminated"),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: CodeList + PartialEq + fmt::Debug>() {
        for &v in T::all() {
            assert_eq!(T::parse(v.code()), Some(v), "{} code {}", T::LIST, v.code());
            assert_eq!(T::parse(v.zh()), Some(v), "{} label {}", T::LIST, v.zh());
        }
        let mut codes: Vec<_> = T::all().iter().map(|v| v.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), T::all().len(), "{} codes are unique", T::LIST);
    }

    #[test]
    fn every_list_round_trips_codes_and_labels() {
        round_trip::<Cause>();
        round_trip::<Attribute>();
        round_trip::<Labor>();
        round_trip::<Health>();
        round_trip::<SchoolStatus>();
        round_trip::<WorkPlace>();
        round_trip::<HousingGrade>();
        round_trip::<HouseholdStatus>();
        round_trip::<MonitoringCategory>();
        round_trip::<Relation>();
        round_trip::<Region>();
        round_trip::<VillageIndicator>();
        round_trip::<Check>();
    }

    #[test]
    fn causes_follow_the_national_list() {
        assert_eq!(Cause::all().len(), 13);
        assert_eq!(Cause::parse("因病"), Some(Cause::Illness));
        assert_eq!(Cause::parse("自身发展动力不足"), Some(Cause::Motivation));
        assert_eq!(Cause::parse("sickness"), None);
    }

    #[test]
    fn housing_grades_a_and_b_are_safe() {
        assert!(HousingGrade::A.is_safe() && HousingGrade::B.is_safe());
        assert!(!HousingGrade::C.is_safe() && !HousingGrade::D.is_safe());
    }

    #[test]
    fn serde_uses_stable_codes() {
        #[derive(serde::Deserialize)]
        struct W {
            s: SchoolStatus,
        }
        let w: W = toml::from_str("s = \"dropped_out\"").unwrap();
        assert_eq!(w.s, SchoolStatus::DroppedOut);
        assert!(toml::from_str::<W>("s = \"truant\"").is_err());
    }
}
