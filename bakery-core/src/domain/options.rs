//! Product options: what a customer chooses when a product comes in several ways (a cake's
//! size, candles, a message written on it), and what the order keeps of the choice.
//!
//! A product has option groups. A `choice` group lists options, each with a price delta,
//! and says how many the customer picks (`minChoices..=maxChoices`: size is exactly one,
//! add-ons zero to all). A `text` group takes one free text up to `maxLength` characters
//! (the message on the cake) and charges its `priceDelta` when one is written. A group with
//! `minChoices >= 1` is required.
//!
//! Deltas are never negative: an option adds to the product's price, so a line can never
//! cost less than the product and no discount hides in an option (promotions do that).

use serde::{Deserialize, Serialize};

use super::{required_text, Money};
use crate::error::Error;

/// Most option groups a product has: a cake's size, filling, add-ons and message fit well
/// within it, and a cart line stays small.
pub const MAX_OPTION_GROUPS: usize = 10;
/// Most options a choice group lists.
pub const MAX_OPTIONS_PER_GROUP: usize = 20;
/// The longest text a text group may allow.
pub const MAX_TEXT_LENGTH: u32 = 200;
/// The highest delta an option may add, as high as a price may be.
pub const MAX_PRICE_DELTA: i64 = 100_000_000;
/// Keys of groups and options: short, lower-case, stable, so an app may keep them in a cart
/// across catalog edits of the labels.
pub const OPTION_KEY_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,31}$";

/// Whether a group is picked from a list or written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionKind {
    /// Pick `minChoices..=maxChoices` of `options`.
    #[default]
    Choice,
    /// Write one text of at most `maxLength` characters.
    Text,
}

/// One option of a choice group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductOption {
    pub key: String,
    pub label: String,
    /// Added to the unit price when chosen; may be zero.
    pub price_delta: Money,
}

/// A group of options of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionGroup {
    /// Unique within the product; what a cart line names.
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub kind: OptionKind,
    /// 0 for an optional group; 1 or more makes it required.
    pub min_choices: u32,
    pub max_choices: u32,
    /// The options of a choice group; empty for a text group.
    #[serde(default)]
    pub options: Vec<ProductOption>,
    /// The longest text a text group takes; `None` for a choice group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// What a text group adds when a text is written; zero for a choice group (its options
    /// carry their own).
    #[serde(default)]
    pub price_delta: Money,
}

impl OptionGroup {
    pub fn is_required(&self) -> bool {
        self.min_choices >= 1
    }

    /// Checks one group, refusals naming `field.<what>` (`optionGroups[0].maxChoices`).
    fn check(mut self, field: &str) -> Result<Self, Error> {
        self.key = check_key(&format!("{field}.key"), &self.key)?;
        self.label = required_text(&format!("{field}.label"), &self.label, 80)?;
        check_delta(&format!("{field}.priceDelta"), self.price_delta)?;
        match self.kind {
            OptionKind::Choice => {
                if self.options.is_empty() || self.options.len() > MAX_OPTIONS_PER_GROUP {
                    return Err(Error::validation(
                        format!("{field}.options"),
                        format!("a choice group lists 1 to {MAX_OPTIONS_PER_GROUP} options"),
                    ));
                }
                if self.max_length.is_some() {
                    return Err(Error::validation(
                        format!("{field}.maxLength"),
                        "only a text group has a maximum length",
                    ));
                }
                if self.price_delta != Money::ZERO {
                    return Err(Error::validation(
                        format!("{field}.priceDelta"),
                        "a choice group's options carry the price deltas; leave it 0",
                    ));
                }
                let count = self.options.len() as u32;
                if self.max_choices == 0 || self.max_choices > count {
                    return Err(Error::validation(
                        format!("{field}.maxChoices"),
                        format!("must be between 1 and the number of options ({count})"),
                    ));
                }
                if self.min_choices > self.max_choices {
                    return Err(Error::validation(
                        format!("{field}.minChoices"),
                        "must be at most maxChoices",
                    ));
                }
                let mut options = Vec::with_capacity(self.options.len());
                for (j, option) in self.options.into_iter().enumerate() {
                    let at = format!("{field}.options[{j}]");
                    let key = check_key(&format!("{at}.key"), &option.key)?;
                    if options.iter().any(|o: &ProductOption| o.key == key) {
                        return Err(Error::validation(
                            format!("{at}.key"),
                            format!("{key:?} is used twice in the group"),
                        ));
                    }
                    options.push(ProductOption {
                        key,
                        label: required_text(&format!("{at}.label"), &option.label, 80)?,
                        price_delta: check_delta(&format!("{at}.priceDelta"), option.price_delta)?,
                    });
                }
                self.options = options;
            }
            OptionKind::Text => {
                if !self.options.is_empty() {
                    return Err(Error::validation(
                        format!("{field}.options"),
                        "a text group has no options",
                    ));
                }
                match self.max_length {
                    Some(1..=MAX_TEXT_LENGTH) => {}
                    _ => {
                        return Err(Error::validation(
                            format!("{field}.maxLength"),
                            format!(
                                "a text group needs a maximum length of 1 to {MAX_TEXT_LENGTH}"
                            ),
                        ))
                    }
                }
                if self.max_choices != 1 {
                    return Err(Error::validation(
                        format!("{field}.maxChoices"),
                        "a text group takes one text: must be 1",
                    ));
                }
                if self.min_choices > 1 {
                    return Err(Error::validation(
                        format!("{field}.minChoices"),
                        "must be 0 (optional) or 1 (required) for a text group",
                    ));
                }
            }
        }
        Ok(self)
    }
}

/// Checks a product's groups: each group, keys unique, at most [`MAX_OPTION_GROUPS`].
pub fn check_option_groups(groups: Vec<OptionGroup>) -> Result<Vec<OptionGroup>, Error> {
    if groups.len() > MAX_OPTION_GROUPS {
        return Err(Error::validation(
            "optionGroups",
            format!("at most {MAX_OPTION_GROUPS} groups"),
        ));
    }
    let mut checked: Vec<OptionGroup> = Vec::with_capacity(groups.len());
    for (i, group) in groups.into_iter().enumerate() {
        let field = format!("optionGroups[{i}]");
        let group = group.check(&field)?;
        if checked.iter().any(|g| g.key == group.key) {
            return Err(Error::validation(
                format!("{field}.key"),
                format!("{:?} is used by another group", group.key),
            ));
        }
        checked.push(group);
    }
    Ok(checked)
}

fn check_key(field: &str, raw: &str) -> Result<String, Error> {
    let bytes = raw.as_bytes();
    let valid = (1..=32).contains(&bytes.len())
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(Error::validation(
            field,
            "must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit",
        ))
    }
}

fn check_delta(field: &str, delta: Money) -> Result<Money, Error> {
    if (0..=MAX_PRICE_DELTA).contains(&delta.minor()) {
        Ok(delta)
    } else {
        Err(Error::validation(
            field,
            format!("must be between 0 and {MAX_PRICE_DELTA}"),
        ))
    }
}

/// What a cart line says about one group: the option keys picked, or the text written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionChoice {
    pub group: String,
    pub choices: Vec<String>,
    pub text: Option<String>,
}

/// One chosen option as the order keeps it: a copy of the labels and the delta charged, so
/// editing the product later does not change a past order (like the line's name and price).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChosenOption {
    pub group: String,
    pub group_label: String,
    /// The option's key, for a choice group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// The option's label, for a choice group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the customer wrote, for a text group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Added to the unit price (already included in the line's price).
    pub price_delta: Money,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn option(key: &str, label: &str, delta: i64) -> ProductOption {
        ProductOption {
            key: key.into(),
            label: label.into(),
            price_delta: Money::from_minor(delta),
        }
    }

    /// The demo birthday cake's groups: a required size, optional add-ons, an optional
    /// message of 40 characters.
    pub(crate) fn cake_groups() -> Vec<OptionGroup> {
        vec![
            OptionGroup {
                key: "size".into(),
                label: "Size".into(),
                kind: OptionKind::Choice,
                min_choices: 1,
                max_choices: 1,
                options: vec![
                    option("6", "6 portions", 0),
                    option("8", "8 portions", 800),
                    option("10", "10 portions", 1400),
                ],
                max_length: None,
                price_delta: Money::ZERO,
            },
            OptionGroup {
                key: "add-ons".into(),
                label: "Add-ons".into(),
                kind: OptionKind::Choice,
                min_choices: 0,
                max_choices: 2,
                options: vec![
                    option("candles", "Candles", 150),
                    option("sparkler", "Sparkler", 200),
                ],
                max_length: None,
                price_delta: Money::ZERO,
            },
            OptionGroup {
                key: "message".into(),
                label: "Message on the cake".into(),
                kind: OptionKind::Text,
                min_choices: 0,
                max_choices: 1,
                options: Vec::new(),
                max_length: Some(40),
                price_delta: Money::ZERO,
            },
        ]
    }

    #[test]
    fn the_cake_groups_are_valid() {
        assert_eq!(check_option_groups(cake_groups()).unwrap(), cake_groups());
    }

    #[test]
    fn broken_groups_are_refused_naming_the_field() {
        type Breakage = Box<dyn Fn(&mut Vec<OptionGroup>)>;
        let cases: Vec<(&str, Breakage)> = vec![
            (
                "optionGroups[1].key",
                Box::new(|g| g[1].key = "size".into()),
            ),
            (
                "optionGroups[0].key",
                Box::new(|g| g[0].key = "Size".into()),
            ),
            (
                "optionGroups[0].label",
                Box::new(|g| g[0].label = " ".into()),
            ),
            (
                "optionGroups[0].maxChoices",
                Box::new(|g| g[0].max_choices = 4),
            ),
            (
                "optionGroups[0].maxChoices",
                Box::new(|g| g[0].max_choices = 0),
            ),
            (
                "optionGroups[1].minChoices",
                Box::new(|g| g[1].min_choices = 3),
            ),
            (
                "optionGroups[0].options",
                Box::new(|g| g[0].options.clear()),
            ),
            (
                "optionGroups[0].options[1].key",
                Box::new(|g| g[0].options[1].key = "6".into()),
            ),
            (
                "optionGroups[0].options[2].priceDelta",
                Box::new(|g| g[0].options[2].price_delta = Money::from_minor(-1)),
            ),
            (
                "optionGroups[0].priceDelta",
                Box::new(|g| g[0].price_delta = Money::from_minor(100)),
            ),
            (
                "optionGroups[0].maxLength",
                Box::new(|g| g[0].max_length = Some(3)),
            ),
            (
                "optionGroups[2].maxLength",
                Box::new(|g| g[2].max_length = None),
            ),
            (
                "optionGroups[2].maxLength",
                Box::new(|g| g[2].max_length = Some(201)),
            ),
            (
                "optionGroups[2].maxChoices",
                Box::new(|g| g[2].max_choices = 2),
            ),
            (
                "optionGroups[2].options",
                Box::new(|g| g[2].options = vec![option("x", "X", 0)]),
            ),
            (
                "optionGroups",
                Box::new(|g| {
                    let extra = g[0].clone();
                    g.extend((0..10).map(|i| OptionGroup {
                        key: format!("g{i}"),
                        ..extra.clone()
                    }))
                }),
            ),
        ];
        for (field, mutate) in cases {
            let mut groups = cake_groups();
            mutate(&mut groups);
            match check_option_groups(groups) {
                Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_stored_group_without_the_newer_fields_reads() {
        let group: OptionGroup = serde_json::from_str(
            r#"{"key":"size","label":"Size","minChoices":1,"maxChoices":1,
                "options":[{"key":"6","label":"6 portions","priceDelta":0}]}"#,
        )
        .unwrap();
        assert_eq!(group.kind, OptionKind::Choice);
        assert_eq!(group.price_delta, Money::ZERO);
    }
}
