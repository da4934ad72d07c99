//! The household's monitoring code (减贫防贫监测码, Jincheng, seed 003): the household number followed by
//! one check character, so that a code read from a card, a QR code or a phone call is known to be whole
//! before it is looked up. The check character is ISO 7064 MOD 11-2 (as the last character of a
//! resident ID number: `0`–`9` or `X`) over the number's characters, each valued as a base-36 digit
//! (`0`–`9`, `A`–`Z` with letters case-insensitive; `-` 36, `_` 37).

use crate::validate::household_number;

fn value(c: char) -> Option<u32> {
    match c {
        '-' => Some(36),
        '_' => Some(37),
        _ => c.to_digit(36),
    }
}

/// The check character of a household number, `None` when the number has a character a household
/// number may not have.
pub fn check_char(number: &str) -> Option<char> {
    let mut p = 0u32;
    for c in number.chars() {
        p = ((p + value(c)?) * 2) % 11;
    }
    let r = (12 - p % 11) % 11;
    Some(if r == 10 {
        'X'
    } else {
        char::from_digit(r, 10).expect("below 10")
    })
}

/// The monitoring code of a valid household number (the number and its check character).
pub fn monitoring_code(number: &str) -> Option<String> {
    household_number(number).ok()?;
    Some(format!("{number}{}", check_char(number)?))
}

/// Why a monitoring code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Not a household number followed by one check character.
    Format,
    /// The check character does not match the number: a character was misread or mistyped.
    Check,
}

impl CodeError {
    /// The stable code of the error.
    pub fn code(self) -> &'static str {
        match self {
            CodeError::Format => "monitoring_code_format",
            CodeError::Check => "monitoring_code_check",
        }
    }
}

/// The household number of a monitoring code, after its check character is verified (a lower-case
/// `x` is read as `X`).
pub fn parse(code: &str) -> Result<&str, CodeError> {
    let code = code.trim();
    let (number, last) = match code.char_indices().last() {
        Some((i, c)) if i > 0 => (&code[..i], c.to_ascii_uppercase()),
        _ => return Err(CodeError::Format),
    };
    household_number(number).map_err(|_| CodeError::Format)?;
    match check_char(number) {
        Some(c) if c == last => Ok(number),
        Some(_) => Err(CodeError::Check),
        None => Err(CodeError::Format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_the_number_and_its_check_character() {
        // 1,4,0,5,2,5,1,0,0,2,0,1,0,0,1 by MOD 11-2, worked by hand: p ends at 2, (12 - 2) % 11 = 10: X.
        assert_eq!(
            monitoring_code("140525100201001").as_deref(),
            Some("140525100201001X")
        );
        assert_eq!(parse("140525100201001X"), Ok("140525100201001"));
        assert_eq!(parse(" 140525100201001x "), Ok("140525100201001"));
        // 140525100201002: p ends at 4, check 8.
        assert_eq!(
            monitoring_code("140525100201002").as_deref(),
            Some("1405251002010028")
        );
    }

    #[test]
    fn one_changed_character_or_two_swapped_are_caught() {
        let number = "140525100201001";
        let code = monitoring_code(number).unwrap();
        let bytes = code.as_bytes();
        for i in 0..number.len() {
            for d in b'0'..=b'9' {
                if d == bytes[i] {
                    continue;
                }
                let mut b = bytes.to_vec();
                b[i] = d;
                let changed = String::from_utf8(b).unwrap();
                assert_eq!(parse(&changed), Err(CodeError::Check), "{changed}");
            }
            if i + 1 < number.len() && bytes[i] != bytes[i + 1] {
                let mut b = bytes.to_vec();
                b.swap(i, i + 1);
                let swapped = String::from_utf8(b).unwrap();
                assert_eq!(parse(&swapped), Err(CodeError::Check), "{swapped}");
            }
        }
    }

    #[test]
    fn the_check_can_be_x_and_letters_are_read_either_case() {
        let with_x = (0..1000)
            .map(|n| format!("H{n:03}"))
            .find(|n| check_char(n) == Some('X'))
            .expect("one number in eleven has X");
        let code = monitoring_code(&with_x).unwrap();
        assert!(code.ends_with('X'));
        assert_eq!(
            parse(&code.to_lowercase()).map(str::to_string),
            Ok(with_x.to_lowercase())
        );
        assert_eq!(check_char("h-1_a"), check_char("H-1_A"));
    }

    #[test]
    fn malformed_codes_are_refused_as_such() {
        assert_eq!(parse(""), Err(CodeError::Format));
        assert_eq!(parse("7"), Err(CodeError::Format));
        assert_eq!(parse("14052510020100 X"), Err(CodeError::Format));
        assert_eq!(monitoring_code("bad number"), None);
    }
}
