use unicode_normalization::UnicodeNormalization;

use crate::error::Error;

/// Characters no customer types and every spoofer loves: controls (NUL included, but not
/// line breaks and tabs), bidirectional overrides and isolates that reverse how a name or an
/// address reads on a courier's screen, and zero-width characters and the BOM that make two
/// names look alike.
pub(crate) fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}'               // BOM / zero-width no-break space
        )
}

/// The characters [`required_text`] refuses, as an ECMA-262 class (`[^...]` is every other
/// one). Characters up to U+00FF are written `\xNN`, and U+2028 / U+2029 are never named:
/// a TypeScript generator (openapi-ts) turns every `\uXXXX` of a pattern into the character
/// itself, and those two end a line, which breaks the regular expression literal.
macro_rules! forbidden_class {
    () => {
        r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF"
    };
}
pub(crate) use forbidden_class;

/// [`required_text`]'s rule as an ECMA-262 regular expression, for the contract: white space
/// around (what `str::trim` removes), at least one other character, and no forbidden one
/// anywhere. White space is `\s` minus the forbidden characters: on what is left, ECMA's,
/// Python's and Rust's white space agree. Written so that no input makes a backtracking
/// engine go quadratic (the leading white space and the rest are told apart by the first
/// character that is not white space).
pub const REQUIRED_TEXT_PATTERN: &str = concat!(
    r"^(?:(?=[^",
    forbidden_class!(),
    r"])\s)*(?!\s)[^",
    forbidden_class!(),
    r"][^",
    forbidden_class!(),
    r"]*$",
);

/// [`optional_text`]'s rule as an ECMA-262 regular expression: no forbidden character (blank
/// is taken, and means absent).
pub const OPTIONAL_TEXT_PATTERN: &str = concat!(r"^[^", forbidden_class!(), r"]*$");

/// Trims, NFC-normalises and bounds a required text field, so a name of spaces is as missing
/// as no name, "é" typed two ways is one spelling, and invisible characters are refused.
pub fn required_text(field: &str, raw: &str, max_chars: usize) -> Result<String, Error> {
    // Judged as sent, before trimming: a vertical tab or NEL at either end is refused like
    // anywhere else, and the length is the one the contract's `maxLength` counts (spaces
    // around included; NFC may lengthen a few rare characters), so this takes exactly what
    // the schema takes.
    if raw.chars().any(is_forbidden) {
        return Err(Error::validation(
            field,
            "must not contain control, invisible or text-direction characters",
        ));
    }
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if raw.chars().count() > max_chars {
        return Err(Error::validation(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(trimmed.nfc().collect())
}

/// Like [`required_text`], but blank means absent.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, Error> {
    match raw {
        None => Ok(None),
        Some(text) if text.trim().is_empty() && !text.chars().any(is_forbidden) => Ok(None),
        Some(text) => required_text(field, text, max_chars).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_normalised_and_invisible_characters_are_refused() {
        let decomposed = "Cre\u{0301}me";
        assert_eq!(required_text("name", decomposed, 50).unwrap(), "Cr\u{e9}me");
        for bad in [
            "Ada\u{202E}evil",
            "A\u{200B}da",
            "\u{FEFF}Ada",
            "Ada\0",
            "Ada\u{2066}x",
            "Ada\u{7}",
        ] {
            let err = required_text("name", bad, 50).unwrap_err();
            assert!(
                matches!(err, Error::Validation { ref field, .. } if field == "name"),
                "{bad:?}"
            );
        }
        assert_eq!(
            required_text("comment", "Line one\nline two\twith a tab", 100).unwrap(),
            "Line one\nline two\twith a tab"
        );
        assert_eq!(optional_text("note", Some("  "), 10).unwrap(), None);
    }

    /// The contract's patterns say exactly what the rule takes, so no client is refused what
    /// the schema allowed and no fuzzer gets a forbidden character through.
    #[test]
    fn the_patterns_agree_with_the_rule() {
        // regress: the ECMA-262 engine the generated Rust client checks patterns with.
        let required = regress::Regex::new(REQUIRED_TEXT_PATTERN).unwrap();
        let optional = regress::Regex::new(OPTIONAL_TEXT_PATTERN).unwrap();
        let mut samples: Vec<String> = [
            "",
            " ",
            "Ada",
            " Ada ",
            "\tAda\n",
            "Line one\nline two",
            "Cre\u{301}me",
            "\u{2028}",
            "\u{2028}x",
            "\u{3000}",
            "\u{A0}Ada\u{A0}",
            "\u{B}Ada",
            "Ada\u{C}",
            "\u{85}",
            "Ada\u{85}",
            "Ada\u{202E}",
            "\u{200B}",
            "\u{FEFF}Ada",
            "\0",
            "Ada\u{7F}",
            "\u{1F950} croissant",
            "\u{2066}",
            "\u{205F}x",
            "x\u{2064}",
            "\r\n",
            "\u{1680}",
            "\u{2029}",
            "a\u{2029}b",
            "\u{2028}\u{2029}",
            "\u{FEFF}",
            " \u{FEFF}a",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every character of the ranges the rule and the patterns name, alone and in a word.
        for c in (0u32..0x3100)
            .chain(0xFEF0..0xFF00)
            .filter_map(char::from_u32)
        {
            samples.push(c.to_string());
            samples.push(format!("a{c}b"));
            samples.push(format!("{c}b"));
        }
        for sample in &samples {
            assert_eq!(
                required.find(sample).is_some(),
                required_text("f", sample, 10_000).is_ok(),
                "required {sample:?}"
            );
            assert_eq!(
                optional.find(sample).is_some(),
                optional_text("f", Some(sample), 10_000).is_ok(),
                "optional {sample:?}"
            );
        }
    }
}
