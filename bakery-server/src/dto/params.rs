//! The parameters many operations share, each declared once: an id in the path or the query,
//! and the `page` / `limit` pair of a list.
//!
//! They are extractors rather than `Path<T>` / `Query<T>` types because only an extractor
//! sees the parameter's name when the input is bad: poem-openapi names a failing `Path<T>`
//! by position (`param0`), and a type's own parse error gets a `failed to parse "T"` prefix.
//! Here the schema, the check and the error are the ones the `validator(...)` attributes
//! produced, so `openapi.json` and the 422 bodies (`details.field` = the parameter's name)
//! stay as they were. poem-openapi makes exactly one parameter of each argument and reads a
//! parameter's description only from the argument's doc comment, so each use still names
//! `page` and `limit` and says what they mean; their constraints and parsing live here.

use bakery_core::domain::{Id, PageRequest};
use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::error::ParseParamError;
use poem_openapi::param::Query;
use poem_openapi::registry::{MetaParamIn, MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseFromParameter, Type};
use poem_openapi::validation::{Maximum, Minimum, Pattern, Validator, ValidatorMeta};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::error::ApiError;

/// What every id parameter advertises; [`Id::parse`] accepts exactly these strings, and the
/// id fields of request bodies, which can only carry the pattern as a literal, repeat it
/// (tests hold all three together).
pub const ID_PATTERN: &str = "^[0-9a-fA-F]{24}$";

/// An id in the path, e.g. `/products/:id`: `id: PathId`.
///
/// It must be its route's only path variable: poem-openapi hands extractors other than its
/// own `Path` the declared name but stores the value under its position, which only a lone
/// variable makes certain (the value is refused, not guessed, otherwise).
#[derive(Debug, Clone)]
pub struct PathId(pub Id);

/// An optional id in the query string, e.g. `?category=`: `category: QueryId`.
#[derive(Debug, Clone)]
pub struct QueryId(pub Option<Id>);

/// The `page` query parameter; counts from 1, as [`Page`](super::common::Page) reports it.
#[derive(Debug, Clone, Copy)]
pub struct PageNumber(Option<u32>);

/// The `limit` query parameter, bounded by [`PageRequest::MAX_LIMIT`] so no client can ask
/// the store for a whole list at once.
#[derive(Debug, Clone, Copy)]
pub struct PageSize(Option<u32>);

/// The slice of a list a use case takes, from a `page` and `limit` pair.
pub fn page(page: PageNumber, limit: PageSize) -> Result<PageRequest, ApiError> {
    PageRequest::new(page.0, limit.0).map_err(ApiError::from)
}

impl std::ops::Deref for PathId {
    type Target = Id;

    fn deref(&self) -> &Id {
        &self.0
    }
}

fn id_pattern() -> Pattern {
    Pattern::new(ID_PATTERN)
}

fn first_page() -> Minimum {
    Minimum::new(1.0, false)
}

fn size_bounds() -> (Maximum, Minimum) {
    (
        Maximum::new(f64::from(PageRequest::MAX_LIMIT), false),
        Minimum::new(1.0, false),
    )
}

/// `base` with the constraints `validators` advertise, as the `validator(...)` attribute
/// would have merged them.
fn schema(
    base: MetaSchemaRef,
    validators: &[&dyn ValidatorMeta],
    default: Option<serde_json::Value>,
) -> Option<MetaSchemaRef> {
    let mut patch = MetaSchema {
        default,
        ..MetaSchema::ANY
    };
    for validator in validators {
        validator.update_meta(&mut patch);
    }
    Some(base.merge(patch))
}

/// The error a failed `validator(...)` attribute raises, word for word.
fn verification_failed(name: &'static str, validator: impl std::fmt::Display) -> poem::Error {
    ParseParamError {
        name,
        reason: format!("verification failed. {validator}"),
    }
    .into()
}

fn parse_id(name: &'static str, raw: &str) -> poem::Result<Id> {
    Id::parse(name, raw).map_err(|_| verification_failed(name, id_pattern()))
}

/// Reads the parameter as poem-openapi's own `Query<T>` does, so a value of the wrong type
/// fails with the same message.
async fn query<T: ParseFromParameter>(
    request: &Request,
    body: &mut RequestBody,
    opts: ExtractParamOptions<()>,
) -> poem::Result<T> {
    let opts = ExtractParamOptions {
        name: opts.name,
        ignore_case: opts.ignore_case,
        default_value: None,
        example_value: None,
        explode: opts.explode,
        style: opts.style,
    };
    let Query(value) = <Query<T> as ApiExtractor>::from_request(request, body, opts).await?;
    Ok(value)
}

fn check_u32(
    name: &'static str,
    value: Option<u32>,
    validators: &[&dyn Validator<u32>],
) -> poem::Result<Option<u32>> {
    if let Some(n) = value {
        if let Some(failed) = validators.iter().find(|v| !v.check(&n)) {
            return Err(verification_failed(name, failed));
        }
    }
    Ok(value)
}

impl<'a> ApiExtractor<'a> for PathId {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = true;

    type ParamType = ();
    type ParamRawType = ();

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Path)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        schema(String::schema_ref(), &[&id_pattern()], None)
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        // poem-openapi routes `/:id` as `/:param0`, numbering the variables in path order.
        match (
            request.raw_path_param("param0"),
            request.raw_path_param("param1"),
        ) {
            (Some(raw), None) => parse_id(opts.name, raw).map(Self),
            _ => Err(poem::Error::from_string(
                format!("`{}` is not its route's only path variable", opts.name),
                StatusCode::INTERNAL_SERVER_ERROR,
            )),
        }
    }
}

impl<'a> ApiExtractor<'a> for QueryId {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];

    type ParamType = ();
    type ParamRawType = ();

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        schema(String::schema_ref(), &[&id_pattern()], None)
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let name = opts.name;
        let raw: Option<String> = query(request, body, opts).await?;
        raw.map(|raw| parse_id(name, &raw)).transpose().map(Self)
    }
}

impl<'a> ApiExtractor<'a> for PageNumber {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];

    type ParamType = ();
    type ParamRawType = ();

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        schema(u32::schema_ref(), &[&first_page()], Some(1.into()))
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let name = opts.name;
        let value = query(request, body, opts).await?;
        check_u32(name, value, &[&first_page()]).map(Self)
    }
}

impl<'a> ApiExtractor<'a> for PageSize {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];

    type ParamType = ();
    type ParamRawType = ();

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Query)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        let (max, min) = size_bounds();
        schema(
            u32::schema_ref(),
            &[&max, &min],
            Some(PageRequest::DEFAULT_LIMIT.into()),
        )
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let name = opts.name;
        let value = query(request, body, opts).await?;
        // Checked in the order the attribute checked them: maximum, then minimum.
        let (max, min) = size_bounds();
        check_u32(name, value, &[&max, &min]).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_parse_accepts_exactly_the_advertised_pattern() {
        let pattern = id_pattern();
        for raw in [
            "0123456789abcdef01234567",
            "0123456789ABCDEF01234567",
            "0123456789abcdef0123456",
            "0123456789abcdef012345678",
            "0123456789abcdef0123456g",
            "0123456789abcdef0123456\n",
            "0123456789abcdef012345é",
            " 123456789abcdef01234567",
            "",
        ] {
            assert_eq!(Id::parse("id", raw).is_ok(), pattern.check(&raw), "{raw:?}");
        }
    }

    /// Every path variable declared as a [`PathId`] is alone in its route, the one case
    /// where the extractor can find its value.
    #[test]
    fn path_ids_are_their_routes_only_variable() {
        // As poem-openapi writes it: the published spec also gives the plain-string ids of
        // two-variable routes the pattern (`spec::input_rules`).
        let spec: serde_json::Value =
            serde_json::from_str(&crate::service(None).spec()).expect("the spec is JSON");
        let paths = spec["paths"].as_object().expect("the spec has paths");
        let mut seen = 0;
        for (path, operations) in paths {
            let variables = path.matches('{').count();
            for operation in operations.as_object().into_iter().flat_map(|o| o.values()) {
                let params = operation["parameters"].as_array().into_iter().flatten();
                for param in params.filter(|p| p["in"] == "path") {
                    if param["schema"]["pattern"] == ID_PATTERN {
                        assert_eq!(variables, 1, "{path}");
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 0, "no id path parameter found");
    }

    #[test]
    fn every_id_in_the_spec_has_the_one_pattern() {
        fn visit(value: &serde_json::Value, found: &mut usize) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(pattern) = map.get("pattern").and_then(|p| p.as_str()) {
                        if pattern.contains("{24}") || pattern.contains("0-9a-f") {
                            assert_eq!(pattern, ID_PATTERN);
                            *found += 1;
                        }
                    }
                    map.values().for_each(|v| visit(v, found));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| visit(v, found)),
                _ => {}
            }
        }
        let spec: serde_json::Value =
            serde_json::from_str(&crate::api_spec()).expect("the spec is JSON");
        let mut found = 0;
        visit(&spec, &mut found);
        assert!(found > 0, "no id pattern found");
    }
}
