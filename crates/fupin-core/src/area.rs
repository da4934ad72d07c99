//! 12-digit statistical area codes (统计用区划代码): 2 province, 2 city, 2 county, 3 township,
//! 3 village. A prefix of significant digits denotes an area and everything below it.

use std::fmt;

/// Province-level codes in use (GB/T 2260).
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// The level of an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl AreaLevel {
    pub const ALL: [AreaLevel; 5] = [
        AreaLevel::Province,
        AreaLevel::City,
        AreaLevel::County,
        AreaLevel::Township,
        AreaLevel::Village,
    ];
    /// Number of significant digits of a code of this level.
    pub fn prefix_len(self) -> usize {
        match self {
            AreaLevel::Province => 2,
            AreaLevel::City => 4,
            AreaLevel::County => 6,
            AreaLevel::Township => 9,
            AreaLevel::Village => 12,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            AreaLevel::Province => "province",
            AreaLevel::City => "city",
            AreaLevel::County => "county",
            AreaLevel::Township => "township",
            AreaLevel::Village => "village",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            AreaLevel::Province => "省",
            AreaLevel::City => "市",
            AreaLevel::County => "县",
            AreaLevel::Township => "乡镇",
            AreaLevel::Village => "村",
        }
    }
    /// The level whose codes have `n` significant digits.
    pub fn from_prefix_len(n: usize) -> Option<AreaLevel> {
        AreaLevel::ALL.into_iter().find(|l| l.prefix_len() == n)
    }
    /// Parses a level code (`province`, `city`, `county`, `township`, `village`).
    pub fn parse(s: &str) -> Option<AreaLevel> {
        AreaLevel::ALL.into_iter().find(|l| l.code() == s.trim())
    }
}

impl fmt::Display for AreaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Serialised as its code.
impl serde::Serialize for AreaLevel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Why a string is not an area code (code `area_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaError {
    pub reason: &'static str,
    pub reason_zh: &'static str,
}

impl AreaError {
    pub const CODE: &'static str = "area_code";
    fn new(reason: &'static str, reason_zh: &'static str) -> Self {
        AreaError { reason, reason_zh }
    }
}

impl fmt::Display for AreaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.reason_zh, self.reason)
    }
}

impl std::error::Error for AreaError {}

/// A valid 12-digit area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode([u8; 12]);

impl AreaCode {
    /// Parses a 12-digit code, or a shorter prefix of 2, 4, 6 or 9 digits padded with zeros.
    pub fn parse(s: &str) -> Result<Self, AreaError> {
        let s = s.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AreaError::new(
                "an area code has only digits",
                "区划代码只能是数字",
            ));
        }
        if !matches!(s.len(), 2 | 4 | 6 | 9 | 12) {
            return Err(AreaError::new(
                "an area code has 12 digits (or a prefix of 2, 4, 6 or 9)",
                "区划代码应为12位(或2、4、6、9位前缀)",
            ));
        }
        let mut b = [b'0'; 12];
        b[..s.len()].copy_from_slice(s.as_bytes());
        let code = AreaCode(b);
        if !PROVINCES.contains(&code.part(0..2)) {
            return Err(AreaError::new("unknown province code", "省级代码不存在"));
        }
        // A lower level cannot be filled in under a zero level.
        let parts = [(2..4), (4..6), (6..9), (9..12)];
        let mut seen_zero = false;
        for r in parts {
            let zero = code.part(r).bytes().all(|b| b == b'0');
            if seen_zero && !zero {
                return Err(AreaError::new(
                    "a lower level is coded under an empty level",
                    "上级区划为空时下级区划不能有代码",
                ));
            }
            seen_zero |= zero;
        }
        Ok(code)
    }

    fn part(&self, r: std::ops::Range<usize>) -> &str {
        std::str::from_utf8(&self.0[r]).expect("ascii digits")
    }

    /// The full 12-digit code.
    pub fn as_str(&self) -> &str {
        self.part(0..12)
    }

    pub fn level(&self) -> AreaLevel {
        for l in AreaLevel::ALL.into_iter().rev() {
            let n = l.prefix_len();
            let upper = match l {
                AreaLevel::Province => 0,
                _ => AreaLevel::from_prefix_len(prev_len(n))
                    .unwrap()
                    .prefix_len(),
            };
            if !self.part(upper..n).bytes().all(|b| b == b'0') {
                return l;
            }
        }
        AreaLevel::Province
    }

    /// The significant prefix of this area (e.g. `1405` for a city).
    pub fn prefix(&self) -> &str {
        self.part(0..self.level().prefix_len())
    }

    /// The prefixes of this area and every area above it, top first.
    pub fn ancestors(&self) -> Vec<&str> {
        AreaLevel::ALL
            .into_iter()
            .take_while(|l| *l <= self.level())
            .map(|l| self.part(0..l.prefix_len()))
            .collect()
    }

    /// The code of the area directly above, if any.
    pub fn parent(&self) -> Option<AreaCode> {
        let level = self.level();
        if level == AreaLevel::Province {
            return None;
        }
        let mut b = [b'0'; 12];
        let n = prev_len(level.prefix_len());
        b[..n].copy_from_slice(&self.0[..n]);
        Some(AreaCode(b))
    }

    /// True when this area lies within the area denoted by `prefix` (a prefix of digits).
    pub fn is_within(&self, prefix: &str) -> bool {
        self.as_str().starts_with(prefix)
    }
}

fn prev_len(n: usize) -> usize {
    match n {
        4 => 2,
        6 => 4,
        9 => 6,
        12 => 9,
        _ => 0,
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Validates a prefix of digits as used in `--area` filters and region files (any length 0..=12;
/// no check of the province list).
pub fn is_area_prefix(s: &str) -> bool {
    s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The 12-digit code of the area a prefix denotes (`1405` → `140500000000`).
pub fn full_code(prefix: &str) -> String {
    format!("{prefix:0<12}")
}

/// The inclusive range `(lo, hi)` of the 12-digit codes under a prefix ("" for every code), for
/// `area_code BETWEEN lo AND hi`.
pub fn code_range(prefix: &str) -> (String, String) {
    (full_code(prefix), format!("{prefix:9<12}"))
}

/// The prefix length of the areas directly below an area prefix of `len` digits (a partial
/// prefix counts as the level it reaches into): 0 → 2, 1..=2 → 4, 3..=4 → 6, 5..=6 → 9,
/// 7..=9 → 12; `None` below a village.
pub fn child_len(len: usize) -> Option<usize> {
    if len == 0 {
        return Some(AreaLevel::Province.prefix_len());
    }
    let levels = AreaLevel::ALL.map(AreaLevel::prefix_len);
    let reached = levels.iter().position(|n| *n >= len)?;
    levels.get(reached + 1).copied()
}

/// The county (first six digits) of an area code or prefix; a shorter prefix whole.
pub fn county_of(code: &str) -> &str {
    &code[..code.len().min(6)]
}

/// The prefixes of `code` at every level down to `depth` digits, top first (`code` has at least
/// the digits of each; shorter levels only): `("140525100201", 6)` → `14`, `1405`, `140525`.
pub fn prefixes(code: &str, depth: usize) -> impl Iterator<Item = &str> {
    AreaLevel::ALL
        .into_iter()
        .map(AreaLevel::prefix_len)
        .filter(move |n| *n <= depth && *n <= code.len())
        .map(move |n| &code[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_helpers() {
        assert_eq!(full_code("1405"), "140500000000");
        assert_eq!(
            code_range("140525"),
            ("140525000000".to_string(), "140525999999".to_string())
        );
        assert_eq!(
            code_range(""),
            ("000000000000".to_string(), "999999999999".to_string())
        );
        let children: Vec<_> = (0..=13).map(child_len).collect();
        assert_eq!(
            children,
            [
                Some(2),
                Some(4),
                Some(4),
                Some(6),
                Some(6),
                Some(9),
                Some(9),
                Some(12),
                Some(12),
                Some(12),
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(county_of("140525100201"), "140525");
        assert_eq!(county_of("1405"), "1405");
        assert_eq!(
            prefixes("140525100201", 6).collect::<Vec<_>>(),
            ["14", "1405", "140525"]
        );
        assert_eq!(
            prefixes("140525100201", 12).count(),
            5,
            "every level of a village"
        );
        assert_eq!(prefixes("1405", 12).collect::<Vec<_>>(), ["14", "1405"]);
    }

    #[test]
    fn levels_and_prefixes() {
        let v = AreaCode::parse("140525100201").unwrap();
        assert_eq!(v.level(), AreaLevel::Village);
        assert_eq!(
            v.ancestors(),
            vec!["14", "1405", "140525", "140525100", "140525100201"]
        );
        let t = v.parent().unwrap();
        assert_eq!(t.as_str(), "140525100000");
        assert_eq!(t.level(), AreaLevel::Township);
        assert_eq!(t.prefix(), "140525100");
        let c = t.parent().unwrap();
        assert_eq!((c.level(), c.prefix()), (AreaLevel::County, "140525"));
        assert_eq!(
            c.parent().unwrap().parent().unwrap().level(),
            AreaLevel::Province
        );
        assert_eq!(AreaCode::parse("14").unwrap().parent(), None);
        assert!(v.is_within("1405") && !v.is_within("1406"));
    }

    #[test]
    fn short_prefixes_are_padded() {
        assert_eq!(AreaCode::parse("1405").unwrap().as_str(), "140500000000");
        assert_eq!(
            AreaCode::parse("140525").unwrap().level(),
            AreaLevel::County
        );
    }

    #[test]
    fn bad_codes_are_refused() {
        for bad in [
            "14052510020",
            "1405251002011",
            "14052510020A",
            "990525100201",
            "140025100201",
            "140500000201",
            "",
        ] {
            assert!(AreaCode::parse(bad).is_err(), "{bad}");
        }
    }
}
