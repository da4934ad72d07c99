//! Exact money and percentages (rust_decimal; never binary floating point).

pub use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;
use std::str::FromStr;

/// Why a value is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a decimal number.
    NotANumber,
    /// Below zero.
    Negative,
    /// More than two decimal places (finer than a fen).
    TooPrecise,
    /// Above [`MAX_MONEY`]: no real amount of a rural household's year.
    TooLarge,
}

/// The largest amount accepted in any money field: 100,000,000.00 yuan (一亿元). No part of a rural
/// household's yearly income or expense comes near it; a larger value is a typo or an attack, and
/// is refused rather than stored (or saturated when counted in fen).
pub const MAX_MONEY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 1);

impl MoneyError {
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::NotANumber => "money_format",
            MoneyError::Negative => "money_negative",
            MoneyError::TooPrecise => "money_precision",
            MoneyError::TooLarge => "money_too_large",
        }
    }
    pub fn zh(&self) -> &'static str {
        match self {
            MoneyError::NotANumber => "金额应为数字",
            MoneyError::Negative => "金额不能为负",
            MoneyError::TooPrecise => "金额最多两位小数(分)",
            MoneyError::TooLarge => "金额超过上限 100000000.00 元",
        }
    }
    pub fn en(&self) -> &'static str {
        match self {
            MoneyError::NotANumber => "money must be a decimal number",
            MoneyError::Negative => "money cannot be negative",
            MoneyError::TooPrecise => "money has at most two decimal places (fen)",
            MoneyError::TooLarge => "money above the limit of 100000000.00 yuan",
        }
    }
}

/// Parses a non-negative amount in yuan with at most two decimal places, e.g. `"1200.50"`.
pub fn parse_money(s: &str) -> Result<Decimal, MoneyError> {
    let s = s.trim().replace(',', "");
    let d = Decimal::from_str(&s).map_err(|_| not_a_decimal(&s))?;
    check_money(d)
}

/// Why a text is not a [`Decimal`]: a plain number beyond its range is too large, anything else not
/// a number.
pub(crate) fn not_a_decimal(s: &str) -> MoneyError {
    let digits = s.strip_prefix('+').unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
    {
        MoneyError::TooLarge
    } else {
        MoneyError::NotANumber
    }
}

/// Checks that a decimal is a valid amount (non-negative, whole fen).
pub fn check_money(d: Decimal) -> Result<Decimal, MoneyError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Negative);
    }
    if d.normalize().scale() > 2 {
        return Err(MoneyError::TooPrecise);
    }
    if d > MAX_MONEY {
        return Err(MoneyError::TooLarge);
    }
    Ok(d)
}

/// Rounds to two places, half away from zero, as money and percentages are shown.
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Formats with exactly two decimal places: `2950.17`, `2.00`.
pub fn fmt2(d: Decimal) -> String {
    let mut r = round2(d);
    r.rescale(2);
    r.to_string()
}

/// Formats a policy value as written (no trailing zeros): `3747`, `2.5`.
pub fn fmt_plain(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_exactly() {
        assert_eq!(parse_money("1200.50").unwrap().to_string(), "1200.50");
        assert_eq!(parse_money(" 8,000 ").unwrap(), Decimal::from(8000));
        assert_eq!(parse_money("-1").unwrap_err(), MoneyError::Negative);
        assert_eq!(parse_money("1.005").unwrap_err(), MoneyError::TooPrecise);
        assert_eq!(parse_money("1.500").unwrap().to_string(), "1.500");
        assert_eq!(parse_money("abc").unwrap_err().code(), "money_format");
        assert_eq!(MAX_MONEY, Decimal::from(100_000_000));
        assert_eq!(parse_money("100000000.00").unwrap(), MAX_MONEY);
        assert_eq!(
            parse_money("100000000.01").unwrap_err(),
            MoneyError::TooLarge
        );
        // Beyond what any integer of fen holds: refused, never saturated.
        assert_eq!(
            parse_money("92233720368547758.08").unwrap_err().code(),
            "money_too_large"
        );
        assert_eq!(parse_money("1e30").unwrap_err().code(), "money_format");
        assert_eq!(
            parse_money("99999999999999999999999999999").unwrap_err(),
            MoneyError::TooLarge
        );
    }

    #[test]
    fn two_places_half_away_from_zero() {
        assert_eq!(fmt2(Decimal::from_str("2950.165").unwrap()), "2950.17");
        assert_eq!(fmt2(Decimal::from_str("2950.1649").unwrap()), "2950.16");
        assert_eq!(fmt2(Decimal::from(2)), "2.00");
        assert_eq!(fmt2(Decimal::from(8851) / Decimal::from(3)), "2950.33");
        assert_eq!(fmt_plain(Decimal::from_str("3747.00").unwrap()), "3747");
    }
}
