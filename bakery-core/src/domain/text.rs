use unicode_normalization::UnicodeNormalization;

use crate::error::Error;

/// Characters no customer types and every spoofer loves: controls (NUL included, but not
/// line breaks and tabs), bidirectional overrides and isolates that reverse how a name or an
/// address reads on a courier's screen, and zero-width characters and the BOM that make two
/// names look alike.
fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}'               // BOM / zero-width no-break space
        )
}

/// Trims, NFC-normalises and bounds a required text field, so a name of spaces is as missing
/// as no name, "é" typed two ways is one spelling, and invisible characters are refused.
pub fn required_text(field: &str, raw: &str, max_chars: usize) -> Result<String, Error> {
    let normalised: String = raw.trim().nfc().collect();
    let trimmed = normalised.as_str();
    if trimmed.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if trimmed.chars().any(is_forbidden) {
        return Err(Error::validation(
            field,
            "must not contain control, invisible or text-direction characters",
        ));
    }
    if trimmed.chars().count() > max_chars {
        return Err(Error::validation(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Like [`required_text`], but blank means absent.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, Error> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
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
}
