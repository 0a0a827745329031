//! `products import FILE`: validate every row, then create or update with a progress bar.
//!
//! Columns (CSV header, or keys of each JSON object): `name`, `category` (a name; created
//! when missing), `price` (e.g. 4.50), and optionally `description`, `discount_price`,
//! `ingredients`, `allergens`, `images` (lists separated by `;` or `|` in CSV, arrays or `;`
//! strings in JSON), `vegetarian`, `featured`, `available` (true/false, yes/no, 1/0),
//! `preparation_time` (minutes), `stock` (a count, or empty for unlimited), `daily_quantity`
//! (units baked a day, or empty for no daily limit).
//! A product whose name already exists in its category is updated, never duplicated.
//!
//! `images` takes URLs and local files: `http(s)://` entries are kept as typed image URLs;
//! anything else is a picture file (relative to the import file's folder), checked before
//! anything is imported and uploaded once the product exists — for a product that already
//! has uploaded pictures they are not sent again, so a second import does not duplicate them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bakery_sdk::types;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::commands::categories::{self, CategoryDraft};
use crate::commands::images::{self, Picture};
use crate::commands::products::{self, parse_stock, FieldError, ProductDraft};
use crate::context::{Ctx, MAX_LIMIT};
use crate::exit::{CliError, Exit, Result};
use crate::output::{self, parse_money};

pub const HELP: &str = "Columns: name, category, price (required); description, discount_price, \
ingredients, allergens, images (';'- or '|'-separated), vegetarian, featured, available \
(true/false), preparation_time (minutes), stock (empty = unlimited), daily_quantity (units \
baked a day; empty = no daily limit).\n\
images: http(s):// URLs are kept as typed; other entries are picture files (JPEG, PNG, WebP; \
relative to the import file's folder), uploaded when the product is created, or updated while \
it has no uploaded pictures yet.\n\
Categories are named; missing ones are created. A product whose name exists in its category is \
updated instead of duplicated (keeping its option groups, which the file does not carry), so \
importing the same file twice is safe.\n\n\
Examples:\n  bakery products import bakery-cli/examples/catalog.csv\n  \
bakery products import catalog.json --strict\n  bakery products import catalog.csv --dry-run";

const KNOWN: &[&str] = &[
    "name",
    "category",
    "price",
    "description",
    "discount_price",
    "ingredients",
    "allergens",
    "images",
    "vegetarian",
    "featured",
    "available",
    "preparation_time",
    "stock",
    "daily_quantity",
];

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A .csv or .json file.
    pub file: PathBuf,
    /// Import nothing when any row is invalid.
    #[arg(long)]
    pub strict: bool,
    /// Only validate the file; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// One row's problem, by row number (1 = the first product) and field.
#[derive(Clone, Debug, Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    /// Picture files uploaded, and refused (listed in `errors` under `images`).
    pub pictures: usize,
    pub pictures_failed: usize,
    pub invalid: Vec<RowError>,
    pub errors: Vec<RowError>,
}

struct Row {
    number: usize,
    category: String,
    draft: ProductDraft,
    /// Local picture files from the `images` column, uploaded after the product is saved.
    pictures: Vec<Picture>,
}

pub async fn run(ctx: &Ctx, args: &ImportArgs) -> Result<()> {
    let records = read_records(&args.file)?;
    let currency = ctx.currency();
    let base = args
        .file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut invalid = Vec::new();
    for (i, record) in records.into_iter().enumerate() {
        match validate(i + 1, &record, &currency, &base) {
            Ok(row) => rows.push(row),
            Err(mut errs) => invalid.append(&mut errs),
        }
    }
    let bad_rows = count_rows(&invalid);
    for e in &invalid {
        eprintln!("row {}: {}: {}", e.row, e.field, e.message);
    }
    if args.strict && !invalid.is_empty() {
        if ctx.json {
            output::print_json(&Summary {
                failed: bad_rows,
                invalid: invalid.clone(),
                ..Summary::default()
            })?;
        }
        return Err(CliError::new(
            Exit::Validation,
            "IMPORT_INVALID",
            format!("{bad_rows} invalid row(s); nothing was imported (--strict)"),
        ));
    }
    if args.dry_run {
        if ctx.json {
            output::print_json(&serde_json::json!({ "valid": rows.len(), "invalid": invalid }))?;
        } else {
            println!(
                "{} valid row(s), {bad_rows} invalid; nothing changed (--dry-run).",
                rows.len()
            );
        }
        return if invalid.is_empty() {
            Ok(())
        } else {
            Err(CliError::new(
                Exit::Validation,
                "IMPORT_INVALID",
                format!("{bad_rows} invalid row(s)"),
            ))
        };
    }

    let mut summary = Summary {
        failed: bad_rows,
        invalid,
        ..Summary::default()
    };
    import_rows(ctx, rows, &mut summary).await?;

    if ctx.json {
        output::print_json(&summary)?;
    } else {
        for e in &summary.errors {
            eprintln!("row {}: {}: {}", e.row, e.field, e.message);
        }
        let pictures = if summary.pictures + summary.pictures_failed > 0 {
            format!(
                "; {} picture(s) uploaded, {} refused",
                summary.pictures, summary.pictures_failed
            )
        } else {
            String::new()
        };
        println!(
            "Imported {}: {} created, {} updated, {} failed{pictures}.",
            args.file.display(),
            summary.created,
            summary.updated,
            summary.failed
        );
    }
    if summary.failed > 0 {
        return Err(CliError::new(
            Exit::Validation,
            "IMPORT_INCOMPLETE",
            format!("{} row(s) were not imported (see above)", summary.failed),
        ));
    }
    if summary.pictures_failed > 0 {
        return Err(CliError::new(
            Exit::Validation,
            "IMPORT_INCOMPLETE",
            format!(
                "{} picture(s) were not uploaded (see above)",
                summary.pictures_failed
            ),
        ));
    }
    Ok(())
}

fn count_rows(errors: &[RowError]) -> usize {
    let mut rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    rows.dedup();
    rows.len()
}

async fn import_rows(ctx: &Ctx, rows: Vec<Row>, summary: &mut Summary) -> Result<()> {
    // Categories by name, creating the missing ones.
    let mut category_ids: HashMap<String, String> = categories::all_categories(ctx)
        .await?
        .into_iter()
        .map(|c| (key(&c.name), c.id))
        .collect();
    let mut wanted: Vec<&str> = rows.iter().map(|r| r.category.as_str()).collect();
    wanted.sort_by_key(|c| key(c));
    wanted.dedup_by_key(|c| key(c));
    let mut broken_categories: HashMap<String, String> = HashMap::new();
    for name in wanted {
        if category_ids.contains_key(&key(name)) {
            continue;
        }
        let created = async {
            let input = CategoryDraft {
                name: name.trim().to_owned(),
                description: None,
                image: None,
                display_order: 0,
                is_active: true,
            }
            .into_input()?;
            categories::create(ctx, input).await
        }
        .await;
        match created {
            Ok(c) => {
                if !ctx.json {
                    eprintln!("created category {} ({})", c.name, c.id);
                }
                category_ids.insert(key(&c.name), c.id);
            }
            Err(e) if e.exit == Exit::Server || e.exit == Exit::Auth => return Err(e),
            Err(e) => {
                broken_categories.insert(key(name), e.to_string());
            }
        }
    }

    // Existing products of those categories, by name: id and uploaded pictures.
    let mut existing: HashMap<(String, String), (String, usize)> = HashMap::new();
    // Their option groups by id: the file has no column for them, so an update keeps them.
    let mut option_groups: HashMap<String, Vec<types::OptionGroupInput>> = HashMap::new();
    let mut used: Vec<&String> = category_ids.values().collect();
    used.sort();
    for cat in used {
        if !rows
            .iter()
            .any(|r| category_ids.get(&key(&r.category)) == Some(cat))
        {
            continue;
        }
        for p in products_of(ctx, cat).await? {
            option_groups.insert(p.id.clone(), products::option_inputs(&p.option_groups));
            existing.insert((cat.clone(), key(&p.name)), (p.id, p.photos.len()));
        }
    }

    let bar = ProgressBar::with_draw_target(Some(rows.len() as u64), ProgressDrawTarget::stderr());
    if ctx.json {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {pos}/{len} products  {per_sec}  ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    for row in rows {
        bar.set_message(row.draft.name.clone());
        let result = import_one(
            ctx,
            &row,
            &category_ids,
            &broken_categories,
            &option_groups,
            &mut existing,
        )
        .await;
        match result {
            Ok(saved) => {
                if saved.created {
                    summary.created += 1;
                } else {
                    summary.updated += 1;
                }
                if saved.photos == 0 {
                    if let Err(e) = upload_pictures(ctx, &bar, &row, &saved.id, summary).await {
                        bar.abandon();
                        return Err(e);
                    }
                }
            }
            Err(e) if e.exit == Exit::Server || e.exit == Exit::Auth => {
                bar.abandon();
                return Err(e);
            }
            Err(e) => {
                summary.failed += 1;
                summary.errors.push(RowError {
                    row: row.number,
                    field: field_of(&e.message),
                    message: e.to_string(),
                });
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Uploads the row's picture files to the saved product, one by one; a refused picture is
/// reported under `images` and the next is tried. Fails only when the server or the session
/// does (the import stops there, as for rows).
async fn upload_pictures(
    ctx: &Ctx,
    bar: &ProgressBar,
    row: &Row,
    product: &str,
    summary: &mut Summary,
) -> Result<()> {
    let target = bakery_sdk::ImageTarget::Product(product.to_owned());
    for picture in &row.pictures {
        bar.set_message(format!("{}: {}", row.draft.name, picture.path.display()));
        match images::upload_quietly(ctx, &target, picture).await {
            Ok(_) => summary.pictures += 1,
            Err(e) if e.exit == Exit::Server || e.exit == Exit::Auth => return Err(e),
            Err(e) => {
                summary.pictures_failed += 1;
                summary.errors.push(RowError {
                    row: row.number,
                    field: "images".to_owned(),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// A row as saved: the product's id, whether it is new, and its uploaded pictures before.
struct Saved {
    id: String,
    created: bool,
    photos: usize,
}

async fn import_one(
    ctx: &Ctx,
    row: &Row,
    category_ids: &HashMap<String, String>,
    broken: &HashMap<String, String>,
    option_groups: &HashMap<String, Vec<types::OptionGroupInput>>,
    existing: &mut HashMap<(String, String), (String, usize)>,
) -> Result<Saved> {
    let Some(category) = category_ids.get(&key(&row.category)) else {
        let why = broken
            .get(&key(&row.category))
            .cloned()
            .unwrap_or_else(|| "could not be created".to_owned());
        return Err(CliError::invalid(format!(
            "category: {:?}: {why}",
            row.category
        )));
    };
    let mut draft = row.draft.clone();
    draft.category = category.clone();
    let k = (category.clone(), key(&draft.name));
    if let Some((id, _)) = existing.get(&k) {
        draft.option_groups = option_groups.get(id).cloned().unwrap_or_default();
    }
    let input = draft.to_input().map_err(products::invalid_fields)?;
    match existing.get(&k) {
        Some((id, photos)) => {
            let (id, photos) = (id.clone(), *photos);
            let updated = products::update_input(ctx, &id, input).await?;
            existing.insert(k, (id, photos + row.pictures.len()));
            Ok(Saved {
                id: updated.id,
                created: false,
                photos,
            })
        }
        None => {
            let created = products::create_input(ctx, input).await?;
            // A second row for the same product does not upload its pictures again.
            existing.insert(k, (created.id.clone(), row.pictures.len()));
            Ok(Saved {
                id: created.id,
                created: true,
                photos: 0,
            })
        }
    }
}

fn field_of(message: &str) -> String {
    message
        .split_once(':')
        .map(|(f, _)| f.trim().to_owned())
        .filter(|f| !f.contains(' '))
        .unwrap_or_else(|| "-".to_owned())
}

async fn products_of(ctx: &Ctx, category: &str) -> Result<Vec<types::Product>> {
    let mut all = Vec::new();
    let mut page = std::num::NonZeroU32::MIN;
    loop {
        let cat = category.to_owned();
        let answer = ctx
            .call(|api| {
                let cat = cat.clone();
                async move {
                    api.list_category_products()
                        .id(cat)
                        .page(page)
                        .limit(MAX_LIMIT)
                        .send()
                        .await
                }
            })
            .await?;
        let got = answer.items.len();
        all.extend(answer.items);
        if got == 0 || all.len() as i64 >= answer.total {
            return Ok(all);
        }
        page = page.saturating_add(1);
    }
}

/// Names match ignoring case and surrounding spaces.
fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

type Record = BTreeMap<String, String>;

fn read_records(path: &Path) -> Result<Vec<Record>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::local("FILE_ERROR", format!("cannot read {}: {e}", path.display()))
    })?;
    match ext.as_str() {
        "csv" => read_csv(&text),
        "json" => read_json(&text),
        _ => Err(CliError::invalid(format!(
            "{}: the file must end in .csv or .json",
            path.display()
        ))),
    }
}

fn read_csv(text: &str) -> Result<Vec<Record>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::invalid(format!("CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    check_columns(&headers)?;
    let mut records = Vec::new();
    for (i, result) in reader.records().enumerate() {
        let record = result.map_err(|e| {
            CliError::invalid(format!("row {}: the CSV line cannot be read: {e}", i + 1))
        })?;
        records.push(
            headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_owned))
                .collect(),
        );
    }
    Ok(records)
}

fn check_columns(headers: &[String]) -> Result<()> {
    for required in ["name", "category", "price"] {
        if !headers.iter().any(|h| h == required) {
            return Err(CliError::invalid(format!(
                "the file has no {required:?} column (columns: name, category, price, ...)"
            )));
        }
    }
    for h in headers {
        if !KNOWN.contains(&h.as_str()) {
            eprintln!("warning: column {h:?} is not known and is ignored");
        }
    }
    Ok(())
}

fn read_json(text: &str) -> Result<Vec<Record>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| CliError::invalid(format!("the JSON cannot be read: {e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => {
            match map.remove("items").or_else(|| map.remove("products")) {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(CliError::invalid(
                        "the JSON must be an array of products (or {\"items\": [...]})",
                    ))
                }
            }
        }
        _ => {
            return Err(CliError::invalid(
                "the JSON must be an array of products (or {\"items\": [...]})",
            ))
        }
    };
    let mut records = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let serde_json::Value::Object(map) = item else {
            return Err(CliError::invalid(format!(
                "row {}: not a JSON object",
                i + 1
            )));
        };
        let mut record = Record::new();
        for (k, v) in map {
            let k = to_snake(&k);
            let text = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|x| match x {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(";"),
                other => other.to_string(),
            };
            record.insert(k, text);
        }
        records.push(record);
    }
    Ok(records)
}

/// `discountPrice` -> `discount_price`; `isVegetarian` -> `vegetarian`.
fn to_snake(k: &str) -> String {
    let mut out = String::new();
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    let out = out.replace([' ', '-'], "_");
    match out.strip_prefix("is_") {
        Some(rest) if ["vegetarian", "featured", "available"].contains(&rest) => rest.to_owned(),
        _ => out,
    }
}

fn validate(
    number: usize,
    r: &Record,
    currency: &str,
    base: &Path,
) -> std::result::Result<Row, Vec<RowError>> {
    let mut errors: Vec<RowError> = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(RowError {
            row: number,
            field: field.to_owned(),
            message,
        })
    };
    let get = |k: &str| r.get(k).map(|s| s.trim()).unwrap_or("");
    let name = get("name");
    if name.is_empty() {
        err("name", "is required".into());
    }
    let category = get("category");
    if category.is_empty() {
        err("category", "is required (a category name)".into());
    } else if category.chars().count() > 80 {
        err("category", "longer than 80 characters".into());
    }
    let price = match get("price") {
        "" => {
            err("price", "is required, e.g. 4.50".into());
            0
        }
        t => match parse_money(t, currency) {
            Ok(p) if p > 0 => p,
            Ok(_) => {
                err("price", format!("{t:?} must be more than zero"));
                0
            }
            Err(e) => {
                err("price", e);
                0
            }
        },
    };
    let discount_price = match get("discount_price") {
        "" => None,
        t => match parse_money(t, currency) {
            Ok(p) => Some(p),
            Err(e) => {
                err("discount_price", e);
                None
            }
        },
    };
    let mut flag = |field: &str, default: bool| match get(field).to_ascii_lowercase().as_str() {
        "" => default,
        "true" | "yes" | "y" | "1" => true,
        "false" | "no" | "n" | "0" => false,
        other => {
            err(field, format!("{other:?} is not true or false"));
            default
        }
    };
    let is_vegetarian = flag("vegetarian", false);
    let is_featured = flag("featured", false);
    let is_available = flag("available", true);
    let preparation_time = match get("preparation_time") {
        "" => 15,
        t => t.parse::<u32>().unwrap_or_else(|_| {
            err(
                "preparation_time",
                format!("{t:?} is not a number of minutes"),
            );
            15
        }),
    };
    let stock = parse_stock(get("stock")).unwrap_or_else(|e| {
        err("stock", e);
        None
    });
    let daily_quantity = parse_stock(get("daily_quantity")).unwrap_or_else(|e| {
        err("daily_quantity", e);
        None
    });
    let list = |k: &str| -> Vec<String> {
        get(k)
            .split([';', '|'])
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    // URLs stay typed image URLs; the rest are picture files, checked now.
    let (urls, files): (Vec<String>, Vec<String>) = list("images").into_iter().partition(|s| {
        let lower = s.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    });
    let mut pictures = Vec::new();
    for file in files {
        let path = base.join(&file);
        match images::check_file(&path) {
            Ok(p) => pictures.push(p),
            Err(e) => err("images", e.message),
        }
    }
    let description = match get("description") {
        "" => name.to_owned(),
        d => d.to_owned(),
    };
    let draft = ProductDraft {
        name: name.to_owned(),
        // Checked now with a stand-in; the real id is known after categories resolve.
        category: "000000000000000000000000".to_owned(),
        description,
        price,
        discount_price,
        ingredients: list("ingredients"),
        allergens: list("allergens"),
        images: urls,
        preparation_time,
        stock,
        daily_quantity,
        is_vegetarian,
        is_featured,
        is_available,
        nutritional_info: None,
        option_groups: Vec::new(),
    };
    if errors.is_empty() {
        if let Err(field_errors) = draft.to_input() {
            for FieldError { field, message } in field_errors {
                errors.push(RowError {
                    row: number,
                    field: field.to_owned(),
                    message,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(Row {
            number,
            category: category.to_owned(),
            draft,
            pictures,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_bad_field_of_a_row() {
        let text = "name,category,price,vegetarian,stock\n\
            Baguette,Breads,1.20,yes,\n\
            ,Breads,abc,maybe,-3\n";
        let records = read_csv(text).unwrap();
        assert!(validate(1, &records[0], "eur", Path::new(".")).is_ok());
        let errs = validate(2, &records[1], "eur", Path::new("."))
            .err()
            .unwrap();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "price", "vegetarian", "stock"]);
        assert!(errs.iter().all(|e| e.row == 2));
    }

    #[test]
    fn reads_json_in_the_api_spelling_too() {
        let text = r#"[{"name":"Eclair","category":"Pastries","price":"2.40",
            "isVegetarian":true,"allergens":["gluten","egg"],"discountPrice":2.1}]"#;
        let records = read_json(text).unwrap();
        let row = validate(1, &records[0], "eur", Path::new("."))
            .ok()
            .unwrap();
        assert_eq!(row.draft.price, 240);
        assert_eq!(row.draft.discount_price, Some(210));
        assert!(row.draft.is_vegetarian);
        assert_eq!(row.draft.allergens, ["gluten", "egg"]);
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let text = include_str!("../../examples/catalog.csv");
        let records = read_csv(text).unwrap();
        assert!(records.len() >= 12);
        for (i, r) in records.iter().enumerate() {
            assert!(
                validate(i + 1, r, "eur", Path::new(".")).is_ok(),
                "row {}",
                i + 1
            );
        }
    }
}
