use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A phone number in E.164 form (`+` and 8 to 15 digits), the only form stored, so the same
/// customer typing `+44 7700 900123` or `0044-7700-900123` is one account.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes, dots and parentheses as separators and `00` as the
    /// international prefix. A national number without a country code is rejected: guessing
    /// the country would merge or split accounts.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let trimmed = raw.trim();
        let (international, rest) = if let Some(rest) = trimmed.strip_prefix('+') {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("00") {
            (true, rest)
        } else {
            (false, trimmed)
        };
        if !international {
            return Err(Error::validation(
                "phone",
                "must be in international form, starting with + and the country code",
            ));
        }
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => {
                    return Err(Error::validation(
                        "phone",
                        "may contain only digits and separators",
                    ))
                }
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(Error::validation(
                "phone",
                "must have a country code and 8 to 15 digits",
            ));
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the number is in the zone of `calling_code` (`33`, `44`, `1`...). A plain
    /// prefix match on the digits after `+` is exact, because ITU calling codes are a prefix
    /// code: none is the start of another (`1` is all of North America, `1242` inside it is
    /// not a calling code of its own).
    pub fn has_calling_code(&self, calling_code: &str) -> bool {
        !calling_code.is_empty() && self.0[1..].starts_with(calling_code)
    }
}

impl TryFrom<String> for Phone {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_separators_and_double_zero() {
        assert_eq!(
            Phone::parse("+44 7700 900-123").unwrap().as_str(),
            "+447700900123"
        );
        assert_eq!(
            Phone::parse("0044 (7700) 900.123").unwrap().as_str(),
            "+447700900123"
        );
    }

    #[test]
    fn calling_codes_match_the_leading_digits() {
        let uk = Phone::parse("+44 7700 900123").unwrap();
        assert!(uk.has_calling_code("44"));
        assert!(!uk.has_calling_code("33"));
        assert!(!uk.has_calling_code(""));
        let us = Phone::parse("+1 202 555 0100").unwrap();
        assert!(us.has_calling_code("1"));
        assert!(!us.has_calling_code("12025550100999"));
    }

    #[test]
    fn rejects_national_letters_and_lengths() {
        for bad in [
            "07700900123",
            "+44 77a0",
            "+1234567",
            "+1234567890123456",
            "+0441234567",
            "",
        ] {
            let err = Phone::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::Validation { ref field, .. } if field == "phone"),
                "{bad}"
            );
        }
    }
}
