//! A cart line's option choices, checked against its product's groups and priced.
//!
//! Refusals name the group as the cart spells it, `items[0].options.size`, so an app can put
//! the message beside the right picker. The result lists the chosen options in the product's
//! order (groups, then options within a group) whatever order the app sent them in, so the
//! same choice always reads, prices and counts on the prep list the same.

use crate::domain::{optional_text, ChosenOption, Money, OptionChoice, OptionGroup, OptionKind};
use crate::error::Error;

/// Checks `chosen` against `groups` and returns what the order line keeps. `field` is the
/// line's options field (`items[0].options`).
pub fn choose(
    groups: &[OptionGroup],
    chosen: &[OptionChoice],
    field: &str,
) -> Result<Vec<ChosenOption>, Error> {
    let named = |key: &str, j: usize| {
        let plain = !key.is_empty()
            && key.len() <= 32
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
        if plain {
            format!("{field}.{key}")
        } else {
            format!("{field}[{j}].group")
        }
    };
    for (j, choice) in chosen.iter().enumerate() {
        if !groups.iter().any(|g| g.key == choice.group) {
            return Err(Error::validation(
                named(&choice.group, j),
                format!("the product has no option group {:?}", choice.group),
            ));
        }
        if chosen[..j].iter().any(|c| c.group == choice.group) {
            return Err(Error::validation(
                named(&choice.group, j),
                "the group is given twice",
            ));
        }
    }
    let mut picked = Vec::new();
    for group in groups {
        let at = format!("{field}.{}", group.key);
        let choice = chosen.iter().find(|c| c.group == group.key);
        match group.kind {
            OptionKind::Choice => {
                let keys: &[String] = choice.map_or(&[][..], |c| c.choices.as_slice());
                if choice.is_some_and(|c| c.text.is_some()) {
                    return Err(Error::validation(
                        at,
                        format!("{} takes choices, not a text", group.label),
                    ));
                }
                let mut indexes = Vec::with_capacity(keys.len());
                for key in keys {
                    let Some(index) = group.options.iter().position(|o| &o.key == key) else {
                        return Err(Error::validation(
                            at,
                            format!("{key:?} is not an option of {}", group.label),
                        ));
                    };
                    if indexes.contains(&index) {
                        return Err(Error::validation(at, format!("{key:?} is chosen twice")));
                    }
                    indexes.push(index);
                }
                let count = indexes.len() as u32;
                if count < group.min_choices || count > group.max_choices {
                    let options = group
                        .options
                        .iter()
                        .map(|o| o.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let how_many = match (group.min_choices, group.max_choices) {
                        (min, max) if min == max => format!("exactly {min}"),
                        (0, max) => format!("at most {max}"),
                        (min, max) => format!("{min} to {max}"),
                    };
                    return Err(Error::validation(
                        at,
                        format!("choose {how_many} of {} ({options})", group.label),
                    ));
                }
                indexes.sort_unstable();
                picked.extend(indexes.into_iter().map(|i| {
                    let option = &group.options[i];
                    ChosenOption {
                        group: group.key.clone(),
                        group_label: group.label.clone(),
                        option: Some(option.key.clone()),
                        label: Some(option.label.clone()),
                        text: None,
                        price_delta: option.price_delta,
                    }
                }));
            }
            OptionKind::Text => {
                if choice.is_some_and(|c| !c.choices.is_empty()) {
                    return Err(Error::validation(
                        at,
                        format!("{} takes a text, not choices", group.label),
                    ));
                }
                let max = group.max_length.unwrap_or(0) as usize;
                let text = optional_text(&at, choice.and_then(|c| c.text.as_deref()), max)?;
                match text {
                    Some(text) => picked.push(ChosenOption {
                        group: group.key.clone(),
                        group_label: group.label.clone(),
                        option: None,
                        label: None,
                        text: Some(text),
                        price_delta: group.price_delta,
                    }),
                    None if group.is_required() => {
                        return Err(Error::validation(
                            at,
                            format!("{} is required", group.label),
                        ))
                    }
                    None => {}
                }
            }
        }
    }
    Ok(picked)
}

/// What the chosen options add to the unit price.
pub fn options_delta(options: &[ChosenOption]) -> Money {
    options.iter().map(|o| o.price_delta).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests_support::cake_groups;

    fn pick(group: &str, choices: &[&str]) -> OptionChoice {
        OptionChoice {
            group: group.into(),
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            text: None,
        }
    }

    fn write(group: &str, text: &str) -> OptionChoice {
        OptionChoice {
            group: group.into(),
            choices: Vec::new(),
            text: Some(text.into()),
        }
    }

    fn refusal(chosen: &[OptionChoice]) -> (String, String) {
        match choose(&cake_groups(), chosen, "items[0].options") {
            Err(Error::Validation { field, message }) => (field, message),
            other => panic!("{chosen:?}: {other:?}"),
        }
    }

    #[test]
    fn prices_and_orders_the_choices_as_the_product_lists_them() {
        let picked = choose(
            &cake_groups(),
            &[
                write("message", "  Happy birthday Ada "),
                pick("add-ons", &["sparkler", "candles"]),
                pick("size", &["8"]),
            ],
            "items[0].options",
        )
        .unwrap();
        let summary: Vec<_> = picked
            .iter()
            .map(|o| (o.group.as_str(), o.option.as_deref(), o.text.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("size", Some("8"), None),
                ("add-ons", Some("candles"), None),
                ("add-ons", Some("sparkler"), None),
                ("message", None, Some("Happy birthday Ada")),
            ]
        );
        assert_eq!(picked[0].label.as_deref(), Some("8 portions"));
        assert_eq!(picked[3].group_label, "Message on the cake");
        assert_eq!(options_delta(&picked), Money::from_minor(800 + 150 + 200));
    }

    #[test]
    fn optional_groups_may_be_left_out_and_a_blank_message_is_none() {
        let picked = choose(
            &cake_groups(),
            &[
                pick("size", &["6"]),
                write("message", "   "),
                pick("add-ons", &[]),
            ],
            "items[0].options",
        )
        .unwrap();
        assert_eq!(picked.len(), 1);
        assert_eq!(options_delta(&picked), Money::ZERO);
    }

    #[test]
    fn a_product_without_groups_takes_no_choices() {
        assert_eq!(choose(&[], &[], "items[0].options").unwrap(), Vec::new());
        let err = choose(&[], &[pick("size", &["6"])], "items[2].options").unwrap_err();
        assert!(
            matches!(err, Error::Validation { ref field, .. } if field == "items[2].options.size")
        );
    }

    #[test]
    fn invalid_choices_name_the_group() {
        let size = "items[0].options.size";
        let cases = [
            (vec![], size),
            (vec![pick("size", &[])], size),
            (vec![pick("size", &["6", "8"])], size),
            (vec![pick("size", &["12"])], size),
            (vec![write("size", "big")], size),
            (
                vec![
                    pick("size", &["6"]),
                    pick("add-ons", &["candles", "candles"]),
                ],
                "items[0].options.add-ons",
            ),
            (
                vec![pick("size", &["6"]), pick("message", &["x"])],
                "items[0].options.message",
            ),
            (
                vec![pick("size", &["6"]), write("message", &"a".repeat(41))],
                "items[0].options.message",
            ),
            (
                vec![pick("size", &["6"]), write("message", "bad\u{202E}text")],
                "items[0].options.message",
            ),
            (
                vec![pick("size", &["6"]), pick("filling", &["jam"])],
                "items[0].options.filling",
            ),
            (
                vec![pick("size", &["6"]), pick("size", &["8"])],
                "items[0].options.size",
            ),
            (
                vec![pick("size", &["6"]), pick("Bad Key!", &["8"])],
                "items[0].options[1].group",
            ),
        ];
        for (chosen, field) in cases {
            assert_eq!(refusal(&chosen).0, field, "{chosen:?}");
        }
        assert!(refusal(&[]).1.contains("6, 8, 10"), "{:?}", refusal(&[]));
    }

    #[test]
    fn a_required_message_must_be_written() {
        let mut groups = cake_groups();
        groups[2].min_choices = 1;
        groups[2].price_delta = Money::from_minor(250);
        let err = choose(&groups, &[pick("size", &["6"])], "items[0].options").unwrap_err();
        assert!(
            matches!(err, Error::Validation { ref field, .. } if field == "items[0].options.message")
        );
        let picked = choose(
            &groups,
            &[
                pick("size", &["6"]),
                write("message", "Joyeux anniversaire"),
            ],
            "items[0].options",
        )
        .unwrap();
        assert_eq!(options_delta(&picked), Money::from_minor(250));
    }
}
