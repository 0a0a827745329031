//! An instant as the API sends it: RFC 3339 in UTC, written with `Z`.
//!
//! poem-openapi writes a `DateTime<Utc>` as `2026-11-30T22:36:20.081556+00:00`. That is valid
//! RFC 3339, but validators that generated clients use do not all accept an offset (zod's
//! `z.iso.datetime()` takes `Z` only), so an ordinary order failed to parse in a TypeScript
//! app. Every time in a response goes through this type; input still takes any RFC 3339
//! offset, as before.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> Self {
        at.0
    }
}

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(
            self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ))
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Ok(Self(text.parse::<DateTime<Utc>>()?)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ParseFromParameter for Timestamp {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Self(value.parse::<DateTime<Utc>>()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_in_utc_with_z_and_read_from_any_offset() {
        let at: DateTime<Utc> = "2026-11-30T23:36:20.081556+01:00".parse().unwrap();
        assert_eq!(
            Timestamp(at).to_json(),
            Some(Value::String("2026-11-30T22:36:20.081556Z".into()))
        );
        let whole: DateTime<Utc> = "2026-11-30T22:00:00Z".parse().unwrap();
        assert_eq!(
            Timestamp(whole).to_json(),
            Some(Value::String("2026-11-30T22:00:00Z".into()))
        );
        let parsed =
            Timestamp::parse_from_json(Some(Value::String("2026-11-30T23:36:20+01:00".into())));
        assert_eq!(
            parsed.ok().map(|t| t.0.to_rfc3339()).as_deref(),
            Some("2026-11-30T22:36:20+00:00")
        );
        assert!(Timestamp::parse_from_json(Some(Value::from(5))).is_err());
    }
}
