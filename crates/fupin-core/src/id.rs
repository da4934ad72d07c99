//! Resident ID numbers (公民身份号码, GB 11643-1999).
//!
//! 18 characters: a 6-digit area code, the birth date `YYYYMMDD`, a 3-digit sequence whose last
//! digit is odd for men, and a check character computed from the first 17 digits.

use chrono::{Datelike, NaiveDate};
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Why a string is not a valid resident ID number. Each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not 18 characters.
    Length,
    /// The first 17 are not all digits, or the last is not a digit or `X`.
    Charset,
    /// Characters 7-14 are not a real calendar date (from 1890 on).
    BirthDate,
    /// The check character does not match the first 17 digits.
    Checksum,
}

impl IdError {
    pub fn code(self) -> &'static str {
        match self {
            IdError::Length => "id_length",
            IdError::Charset => "id_charset",
            IdError::BirthDate => "id_birth_date",
            IdError::Checksum => "id_checksum",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            IdError::Length => "身份证号码应为18位",
            IdError::Charset => "身份证号码前17位应为数字,末位应为数字或X",
            IdError::BirthDate => "身份证号码中的出生日期无效",
            IdError::Checksum => "身份证号码校验位错误",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            IdError::Length => "an ID number has 18 characters",
            IdError::Charset => "the first 17 characters must be digits and the last a digit or X",
            IdError::BirthDate => "the birth date in the ID number is not a valid date",
            IdError::Checksum => "the check character does not match",
        }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

impl std::error::Error for IdError {}

/// Sex as encoded in the 17th character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// A validated resident ID number (the check character always upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String);

/// The check character for the first 17 digits (each `b'0'..=b'9'`).
pub fn check_char(first17: &[u8]) -> char {
    debug_assert_eq!(first17.len(), 17);
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

impl ResidentId {
    /// Parses and validates an ID number; blanks around it are ignored and a final `x` is upper-cased.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !matches!(b[17], b'0'..=b'9' | b'X' | b'x') {
            return Err(IdError::Charset);
        }
        if birth_date_of(b).is_none() {
            return Err(IdError::BirthDate);
        }
        let last = b[17].to_ascii_uppercase() as char;
        if check_char(&b[..17]) != last {
            return Err(IdError::Checksum);
        }
        Ok(ResidentId(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit area code of registration (characters 1-6).
    pub fn area(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(self.0.as_bytes()).expect("validated on parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Age in completed years at `date`; `None` when `date` is before the birth date.
    pub fn age_at(&self, date: NaiveDate) -> Option<u32> {
        age_in_years(self.birth_date(), date)
    }

    /// The masked form for public notices: the first 6 and last 4 characters shown.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn birth_date_of(b: &[u8]) -> Option<NaiveDate> {
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'))
    };
    let year = num(6..10) as i32;
    if year < 1890 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, num(10..12), num(12..14))
}

/// Age in completed years: a birthday is reached on its calendar day (29 February: on 1 March in
/// common years). `None` when `date` is before `birth`.
pub fn age_in_years(birth: NaiveDate, date: NaiveDate) -> Option<u32> {
    if date < birth {
        return None;
    }
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    Some(age as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Builds a valid ID from 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn the_standard_example_validates() {
        // The worked example of GB 11643-1999.
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.area(), "110105");
        let lower = ResidentId::parse(" 11010519491231002x ").unwrap();
        assert_eq!(lower.as_str(), "11010519491231002X");
    }

    #[test]
    fn each_error_has_its_code() {
        assert_eq!(
            ResidentId::parse("1101051949123100").unwrap_err().code(),
            "id_length"
        );
        assert_eq!(
            ResidentId::parse("110105194912310021X").unwrap_err(),
            IdError::Length
        );
        assert_eq!(
            ResidentId::parse("11010519491231A02X").unwrap_err().code(),
            "id_charset"
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y").unwrap_err(),
            IdError::Charset
        );
        assert_eq!(
            ResidentId::parse(&with_check("14052519490231002"))
                .unwrap_err()
                .code(),
            "id_birth_date"
        );
        assert_eq!(
            ResidentId::parse(&with_check("14052518800101002")).unwrap_err(),
            IdError::BirthDate
        );
        assert_eq!(
            ResidentId::parse("110105194912310021").unwrap_err().code(),
            "id_checksum"
        );
        // Full-width digits are not digits.
        assert_eq!(
            ResidentId::parse("11010519491231００2X").unwrap_err(),
            IdError::Charset
        );
    }

    #[test]
    fn sex_follows_the_seventeenth_digit() {
        assert_eq!(
            ResidentId::parse(&with_check("14052520100315001"))
                .unwrap()
                .sex(),
            Sex::Male
        );
        assert_eq!(
            ResidentId::parse(&with_check("14052520100315002"))
                .unwrap()
                .sex(),
            Sex::Female
        );
    }

    #[test]
    fn age_counts_completed_years() {
        let id = ResidentId::parse(&with_check("14052520100315001")).unwrap();
        assert_eq!(id.age_at(d(2016, 3, 14)), Some(5));
        assert_eq!(id.age_at(d(2016, 3, 15)), Some(6));
        assert_eq!(id.age_at(d(2010, 3, 14)), None);
        assert_eq!(id.age_at(d(2010, 3, 15)), Some(0));
        let leap = d(2008, 2, 29);
        assert_eq!(age_in_years(leap, d(2014, 2, 28)), Some(5));
        assert_eq!(age_in_years(leap, d(2014, 3, 1)), Some(6));
        assert_eq!(age_in_years(leap, d(2016, 2, 29)), Some(8));
    }

    #[test]
    fn masking_shows_six_and_four() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    /// 2,000 cases, or `PROPTEST_CASES` (`scripts/fuzz.sh`); no regression files in the tree.
    fn fuzz_config() -> ProptestConfig {
        // proptest's default reads PROPTEST_CASES; without it, 2,000.
        let given = ProptestConfig::default();
        let set = std::env::var_os("PROPTEST_CASES").is_some();
        ProptestConfig {
            cases: if set { given.cases } else { 2_000 },
            failure_persistence: None,
            ..given
        }
    }

    /// An accepted ID number is 18 ASCII characters whose check character is right.
    fn consistent(s: &str) -> Result<(), TestCaseError> {
        if let Ok(id) = ResidentId::parse(s) {
            let b = id.as_str().as_bytes();
            prop_assert_eq!(b.len(), 18);
            prop_assert_eq!(check_char(&b[..17]), b[17] as char);
            prop_assert_eq!(id.masked().chars().count(), 18);
            let _ = id.age_at(d(2020, 6, 30));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(fuzz_config())]

        // The fuzz run of the ID parser (issue 15): any text, any near-ID, never a panic.
        #[test]
        fn the_parser_survives_any_text(s in ".{0,40}") {
            consistent(&s)?;
        }

        #[test]
        fn the_parser_survives_near_ids(s in "[ 0-9Xx１２\u{0}-\u{1f}\u{80}-\u{7ff}]{15,21}") {
            consistent(&s)?;
        }

        #[test]
        fn money_parsing_survives_any_text(s in "[-+0-9.,eE ]{0,40}|.{0,40}") {
            match crate::money::parse_money(&s) {
                Ok(m) => prop_assert!(m >= crate::money::Decimal::ZERO && m <= crate::money::MAX_MONEY),
                Err(e) => prop_assert!(!e.code().is_empty()),
            }
        }
    }

    proptest! {
        #[test]
        fn check_character_round_trips(area in 110000u32..=820000, days in 0i64..50_000, seq in 0u32..1000) {
            let birth = d(1900, 1, 1) + chrono::Duration::days(days);
            let first17 = format!("{area:06}{}{seq:03}", birth.format("%Y%m%d"));
            let id = with_check(&first17);
            let parsed = ResidentId::parse(&id).unwrap();
            prop_assert_eq!(parsed.birth_date(), birth);
            // Any other check character is refused.
            for c in "0123456789X".chars().filter(|&c| !id.ends_with(c)) {
                let forged = format!("{first17}{c}");
                prop_assert_eq!(ResidentId::parse(&forged), Err(IdError::Checksum));
            }
        }

        #[test]
        fn a_changed_digit_is_caught(pos in 0usize..17, delta in 1u8..10) {
            let id = with_check("14052519800101001");
            let mut b = id.clone().into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let forged = String::from_utf8(b).unwrap();
            // A single changed digit is always detected (by checksum or date).
            prop_assert!(ResidentId::parse(&forged).is_err());
        }
    }
}
