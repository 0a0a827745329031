//! `products list|show|create|update|delete|import|image`.

use std::num::{NonZeroU32, NonZeroU64};

use bakery_sdk::types;
use clap::{Args, Subcommand, ValueEnum};

use crate::commands::{categories, images, import};
use crate::context::Ctx;
use crate::exit::{CliError, Result};
use crate::output::{self, money, parse_money, yes_no};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// List products with the API's filters, sorting and paging, or search them.
    #[command(
        after_help = "Examples:\n  bakery products list --category Breads --vegetarian --sort price-asc\n  \
        bakery products list --search croisant\n  bakery products list --max-price 3.00 --page 2 --limit 50"
    )]
    List(ListArgs),
    /// Show one product in full.
    #[command(after_help = "Example:\n  bakery products show 65f1c2a9e4b0a1b2c3d4e5f6")]
    Show {
        /// The product id.
        id: String,
    },
    /// Create a product.
    #[command(
        after_help = "Example:\n  bakery products create --name Croissant --category Viennoiseries \\\n    \
        --price 1.20 --description \"All-butter, laminated by hand\" --vegetarian --allergens gluten,milk"
    )]
    Create(CreateArgs),
    /// Change a product; options not given keep their value.
    #[command(
        after_help = "Examples:\n  bakery products update 65f1c2a9e4b0a1b2c3d4e5f6 --price 1.30 --stock 40\n  \
        bakery products update 65f1c2a9e4b0a1b2c3d4e5f6 --daily 120\n  \
        bakery products update 65f1c2a9e4b0a1b2c3d4e5f6 --options-file cake-options.json\n\n\
        An options file is the API's optionGroups array, e.g.\n  \
        [{\"key\": \"size\", \"label\": \"Size\", \"minChoices\": 1, \"maxChoices\": 1,\n    \
        \"options\": [{\"key\": \"6\", \"label\": \"6 portions\"}, {\"key\": \"8\", \"label\": \"8 portions\", \"priceDelta\": 800}]},\n   \
        {\"key\": \"message\", \"label\": \"Message on the cake\", \"kind\": \"text\", \"maxLength\": 40}]"
    )]
    Update(UpdateArgs),
    /// Delete a product (past orders keep their copy).
    #[command(after_help = "Example:\n  bakery products delete 65f1c2a9e4b0a1b2c3d4e5f6")]
    Delete {
        /// The product id.
        id: String,
    },
    /// Create or update products from a CSV or JSON file.
    #[command(after_help = import::HELP)]
    Import(import::ImportArgs),
    /// Upload or remove a product's pictures (up to 10).
    #[command(
        subcommand,
        after_help = "Examples:\n  bakery products image add 65f1c2a9e4b0a1b2c3d4e5f6 croissant.jpg\n  \
        bakery products image rm 65f1c2a9e4b0a1b2c3d4e5f6 6650a1b2c3d4e5f6a7b8c9d0"
    )]
    Image(images::ProductCmd),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Sort {
    Newest,
    PriceAsc,
    PriceDesc,
    Rating,
    Popularity,
    Name,
}

impl From<Sort> for types::SortBy {
    fn from(s: Sort) -> Self {
        match s {
            Sort::Newest => types::SortBy::Newest,
            Sort::PriceAsc => types::SortBy::PriceAsc,
            Sort::PriceDesc => types::SortBy::PriceDesc,
            Sort::Rating => types::SortBy::Rating,
            Sort::Popularity => types::SortBy::Popularity,
            Sort::Name => types::SortBy::Name,
        }
    }
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Words to look for in names and descriptions (typo- and accent-tolerant).
    #[arg(long, value_name = "Q")]
    pub search: Option<String>,
    /// Category id or name.
    #[arg(long)]
    pub category: Option<String>,
    /// Only vegetarian products.
    #[arg(long)]
    pub vegetarian: bool,
    /// Only products that can be ordered now.
    #[arg(long)]
    pub available: bool,
    /// Only featured products.
    #[arg(long)]
    pub featured: bool,
    /// Leave out products containing this allergen.
    #[arg(long, value_name = "ALLERGEN")]
    pub exclude_allergen: Option<String>,
    /// Minimum effective price, e.g. 2.50.
    #[arg(long, value_name = "AMOUNT")]
    pub min_price: Option<String>,
    /// Maximum effective price, e.g. 5.
    #[arg(long, value_name = "AMOUNT")]
    pub max_price: Option<String>,
    #[arg(long, value_enum)]
    pub sort: Option<Sort>,
    #[arg(long, default_value_t = NonZeroU32::MIN)]
    pub page: NonZeroU32,
    /// Items per page, up to 100.
    #[arg(long, default_value = "20")]
    pub limit: NonZeroU32,
}

/// Fields shared by create and update.
#[derive(Args, Debug, Default)]
pub struct ProductFields {
    /// Category id or name.
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Price, e.g. 4.50.
    #[arg(long, value_name = "AMOUNT")]
    pub price: Option<String>,
    /// Reduced price, e.g. 3.90 ("" removes it).
    #[arg(long, value_name = "AMOUNT")]
    pub discount_price: Option<String>,
    /// Comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ingredients: Option<Vec<String>>,
    /// Comma-separated, e.g. gluten,milk.
    #[arg(long, value_delimiter = ',')]
    pub allergens: Option<Vec<String>>,
    /// Image URLs, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub images: Option<Vec<String>>,
    /// Minutes.
    #[arg(long, value_name = "MINUTES")]
    pub prep_time: Option<u32>,
    /// Limited daily stock ("none" for unlimited).
    #[arg(long, value_name = "COUNT|none")]
    pub stock: Option<String>,
    /// Units baked each day, counted per local day of the shop apart from the stock
    /// (e.g. 120 croissants; "none" for no daily limit).
    #[arg(long, value_name = "COUNT|none")]
    pub daily: Option<String>,
    #[arg(long, value_name = "true|false")]
    pub vegetarian: Option<bool>,
    #[arg(long, value_name = "true|false")]
    pub featured: Option<bool>,
    #[arg(long, value_name = "true|false")]
    pub available: Option<bool>,
    /// The product's option groups (size, add-ons, a message), replacing the current ones:
    /// a JSON file holding the API's `optionGroups` array (`[]` removes them).
    #[arg(long, value_name = "FILE")]
    pub options_file: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub fields: ProductFields,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The product id.
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub fields: ProductFields,
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::List(args) => list(ctx, args).await,
        Cmd::Show { id } => {
            let product = get(ctx, id).await?;
            if ctx.json {
                return output::print_json(&product);
            }
            show(ctx, &product).await
        }
        Cmd::Create(args) => create(ctx, args).await,
        Cmd::Update(args) => update(ctx, args).await,
        Cmd::Delete { id } => {
            let id = id.clone();
            ctx.call(|api| {
                let id = id.clone();
                async move { api.admin_delete_product().id(id).send().await }
            })
            .await?;
            if ctx.json {
                output::print_json(&serde_json::json!({ "deleted": id }))
            } else {
                println!("Deleted product {id}.");
                Ok(())
            }
        }
        Cmd::Import(args) => import::run(ctx, args).await,
        Cmd::Image(cmd) => images::run_product(ctx, cmd).await,
    }
}

pub async fn get(ctx: &Ctx, id: &str) -> Result<types::Product> {
    let id = id.to_owned();
    ctx.call(|api| {
        let id = id.clone();
        async move { api.get_product().id(id).send().await }
    })
    .await
}

async fn list(ctx: &Ctx, args: &ListArgs) -> Result<()> {
    let currency = ctx.currency();
    let category = match &args.category {
        Some(c) => Some(categories::resolve(ctx, c).await?),
        None => None,
    };
    let amount = |v: &Option<String>, field: &str| -> Result<Option<i64>> {
        v.as_deref()
            .map(|t| {
                parse_money(t, &currency).map_err(|e| CliError::invalid(format!("{field}: {e}")))
            })
            .transpose()
    };
    let min_price = amount(&args.min_price, "--min-price")?;
    let max_price = amount(&args.max_price, "--max-price")?;
    let (page, limit) = (args.page, args.limit);
    let answer = if let Some(q) = &args.search {
        let q = q.clone();
        let vegetarian = args.vegetarian;
        ctx.call(|api| {
            let (q, category) = (q.clone(), category.clone());
            async move {
                let mut b = api.search_products().q(q).page(page).limit(limit);
                if let Some(c) = category {
                    b = b.category(c);
                }
                if vegetarian {
                    b = b.vegetarian(true);
                }
                b.send().await
            }
        })
        .await?
    } else {
        let exclude = args.exclude_allergen.clone();
        let sort = args.sort.map(types::SortBy::from);
        let (vegetarian, available, featured) = (args.vegetarian, args.available, args.featured);
        ctx.call(|api| {
            let (category, exclude) = (category.clone(), exclude.clone());
            async move {
                let mut b = api.list_products().page(page).limit(limit);
                if let Some(c) = category {
                    b = b.category(c);
                }
                if let Some(a) = exclude {
                    b = b.exclude_allergen(a);
                }
                if vegetarian {
                    b = b.vegetarian(true);
                }
                if available {
                    b = b.available(true);
                }
                if featured {
                    b = b.featured(true);
                }
                if let Some(p) = min_price {
                    b = b.min_price(p);
                }
                if let Some(p) = max_price {
                    b = b.max_price(p);
                }
                if let Some(s) = sort {
                    b = b.sort(s);
                }
                b.send().await
            }
        })
        .await?
    };
    if ctx.json {
        return output::print_json(&answer);
    }
    let names = category_names(ctx).await?;
    let mut table = output::table([
        "ID",
        "NAME",
        "CATEGORY",
        "PRICE",
        "STOCK",
        "VEG",
        "AVAILABLE",
        "RATING",
    ]);
    for p in &answer.items {
        table.add_row([
            p.id.clone(),
            p.name.clone(),
            names
                .get(&p.category)
                .cloned()
                .unwrap_or_else(|| p.category.clone()),
            price_text(p, &currency),
            p.stock.map_or_else(|| "-".to_owned(), |s| s.to_string()),
            yes_no(p.is_vegetarian).to_owned(),
            yes_no(p.is_available).to_owned(),
            rating_text(&p.ratings),
        ]);
    }
    println!("{table}");
    println!(
        "{}",
        output::page_footer(answer.items.len(), answer.total, answer.page, answer.limit)
    );
    Ok(())
}

async fn category_names(ctx: &Ctx) -> Result<std::collections::HashMap<String, String>> {
    Ok(categories::all_categories(ctx)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

fn price_text(p: &types::Product, currency: &str) -> String {
    match p.discount_price {
        Some(d) => format!("{} (was {})", money(d, currency), money(p.price, currency)),
        None => money(p.price, currency),
    }
}

/// `Size (size, required, pick 1): 6 portions [6], 8 portions [8] +8.00`.
fn option_group_text(g: &types::OptionGroup, currency: &str) -> String {
    let need = if g.min_choices >= 1 {
        "required"
    } else {
        "optional"
    };
    let delta = |d: i64| {
        if d == 0 {
            String::new()
        } else {
            format!(" +{}", money(d, currency))
        }
    };
    match g.kind {
        types::OptionKind::Text => format!(
            "{} ({}, {need}, text up to {} characters){}",
            g.label,
            g.key,
            g.max_length.unwrap_or_default(),
            delta(g.price_delta)
        ),
        types::OptionKind::Choice => {
            let pick = if g.min_choices == g.max_choices {
                format!("pick {}", g.max_choices)
            } else {
                format!("pick {} to {}", g.min_choices, g.max_choices)
            };
            let options = g
                .options
                .iter()
                .map(|o| format!("{} [{}]{}", o.label, o.key, delta(o.price_delta)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} ({}, {need}, {pick}): {options}", g.label, g.key)
        }
    }
}

fn rating_text(r: &types::Ratings) -> String {
    if r.count == 0 {
        "-".to_owned()
    } else {
        format!("{:.1} ({})", r.average, r.count)
    }
}

async fn show(ctx: &Ctx, p: &types::Product) -> Result<()> {
    let currency = ctx.currency();
    let names = category_names(ctx).await?;
    let category = names
        .get(&p.category)
        .cloned()
        .unwrap_or_else(|| p.category.clone());
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(", ")
        }
    };
    println!("{} ({})", p.name, p.id);
    println!("category:     {category}");
    println!("price:        {}", price_text(p, &currency));
    println!("description:  {}", p.description);
    println!("ingredients:  {}", list(&p.ingredients));
    println!("allergens:    {}", list(&p.allergens));
    println!("vegetarian:   {}", yes_no(p.is_vegetarian));
    println!("featured:     {}", yes_no(p.is_featured));
    println!("available:    {}", yes_no(p.is_available));
    println!(
        "stock:        {}",
        p.stock
            .map_or_else(|| "unlimited".to_owned(), |s| s.to_string())
    );
    if let Some(daily) = p.daily_quantity {
        let today = match (p.left_today, &p.next_available) {
            (Some(0), Some(next)) => format!("sold out today, next {}", output::when(next)),
            (Some(0), None) => "sold out today".to_owned(),
            (Some(left), _) => format!("{left} left today"),
            (None, _) => String::new(),
        };
        println!("daily bake:   {daily} a day, {today}");
    }
    println!("prep time:    {} min", p.preparation_time);
    println!("rating:       {}", rating_text(&p.ratings));
    for (i, group) in p.option_groups.iter().enumerate() {
        let label = if i == 0 { "options:" } else { "" };
        println!("{label:<14}{}", option_group_text(group, &currency));
    }
    let n = &p.nutritional_info;
    if n.calories.is_some() || n.protein.is_some() || n.carbs.is_some() || n.fat.is_some() {
        let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |x| format!("{x}"));
        println!(
            "nutrition:    {} kcal, protein {} g, carbs {} g, fat {} g",
            f(n.calories),
            f(n.protein),
            f(n.carbs),
            f(n.fat)
        );
    }
    if !p.images.is_empty() {
        println!("images:       {}", p.images.join(", "));
    }
    for (i, line) in images::image_lines(ctx, &p.photos).iter().enumerate() {
        let label = if i == 0 { "pictures:" } else { "" };
        println!("{label:<14}{line}");
    }
    println!("updated:      {}", output::when(&p.updated_at));
    Ok(())
}

/// A product as the CLI edits it, before the API's input types check it.
#[derive(Clone, Debug, Default)]
pub struct ProductDraft {
    pub name: String,
    pub category: String,
    pub description: String,
    pub price: i64,
    pub discount_price: Option<i64>,
    pub ingredients: Vec<String>,
    pub allergens: Vec<String>,
    pub images: Vec<String>,
    pub preparation_time: u32,
    pub stock: Option<u32>,
    pub daily_quantity: Option<u32>,
    pub is_vegetarian: bool,
    pub is_featured: bool,
    pub is_available: bool,
    pub nutritional_info: Option<types::NutritionalInfo>,
    /// Kept as the API reads them, so an update that does not touch them sends them back.
    pub option_groups: Vec<types::OptionGroupInput>,
}

impl From<types::Product> for ProductDraft {
    fn from(p: types::Product) -> Self {
        Self {
            name: p.name,
            category: p.category,
            description: p.description,
            price: p.price,
            discount_price: p.discount_price,
            ingredients: p.ingredients,
            allergens: p.allergens,
            images: p.images,
            preparation_time: p.preparation_time,
            stock: p.stock,
            daily_quantity: p.daily_quantity,
            is_vegetarian: p.is_vegetarian,
            is_featured: p.is_featured,
            is_available: p.is_available,
            nutritional_info: Some(p.nutritional_info),
            option_groups: option_inputs(&p.option_groups),
        }
    }
}

/// A product's option groups as the input that writes them back. The shapes agree field
/// for field (what the server sends it accepts), so the conversion goes through JSON; a
/// group that does not convert would be a server bug, and is left out rather than sent
/// wrong.
pub fn option_inputs(groups: &[types::OptionGroup]) -> Vec<types::OptionGroupInput> {
    groups
        .iter()
        .filter_map(|g| serde_json::to_value(g).ok())
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// Reads an options file: the API's `optionGroups` array.
pub fn read_options_file(path: &std::path::Path) -> Result<Vec<types::OptionGroupInput>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::local("UNREADABLE_FILE", format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::invalid(format!(
            "options file {}: not an optionGroups array: {e}",
            path.display()
        ))
    })
}

/// One field's problem, as an import row reports it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl ProductDraft {
    /// The API's input, or every field that breaks its rules.
    pub fn to_input(&self) -> std::result::Result<types::ProductInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        let name = types::ProductInputName::try_from(self.name.trim())
            .map_err(|e| err("name", e.to_string()))
            .ok();
        let category = types::ProductInputCategory::try_from(self.category.as_str())
            .map_err(|_| {
                err(
                    "category",
                    format!("{:?} is not a category id", self.category),
                )
            })
            .ok();
        let description = types::ProductInputDescription::try_from(self.description.trim())
            .map_err(|e| err("description", e.to_string()))
            .ok();
        let price = u64::try_from(self.price)
            .ok()
            .and_then(NonZeroU64::new)
            .or_else(|| {
                err("price", "must be more than zero".to_owned());
                None
            });
        if let Some(d) = self.discount_price {
            if d <= 0 {
                err("discount_price", "must be more than zero".to_owned());
            } else if d >= self.price {
                err("discount_price", "must be lower than the price".to_owned());
            }
        }
        let daily_quantity = match self.daily_quantity {
            None => None,
            Some(n) => NonZeroU32::new(n).or_else(|| {
                err("daily_quantity", "must be at least 1 (or none)".to_owned());
                None
            }),
        };
        let ingredients = clean_list("ingredients", &self.ingredients, &mut err);
        let allergens = clean_list("allergens", &self.allergens, &mut err);
        let images = clean_list("images", &self.images, &mut err);
        match (name, category, description, price, errors.is_empty()) {
            (Some(name), Some(category), Some(description), Some(price), true) => {
                Ok(types::ProductInput {
                    name,
                    category,
                    description,
                    price,
                    discount_price: self.discount_price,
                    ingredients,
                    allergens,
                    images,
                    preparation_time: self.preparation_time,
                    stock: self.stock,
                    daily_quantity,
                    is_vegetarian: self.is_vegetarian,
                    is_featured: self.is_featured,
                    is_available: self.is_available,
                    nutritional_info: self.nutritional_info.clone(),
                    option_groups: self.option_groups.clone(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// The non-blank entries of a list, each checked by the contract's rule for the list's
/// entries; a refused entry is reported under `field`.
fn clean_list<T>(
    field: &'static str,
    items: &[String],
    err: &mut impl FnMut(&'static str, String),
) -> Vec<T>
where
    T: for<'a> TryFrom<&'a str>,
    for<'a> <T as TryFrom<&'a str>>::Error: std::fmt::Display,
{
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            T::try_from(s)
                .map_err(|e| err(field, format!("{s:?}: {e}")))
                .ok()
        })
        .collect()
}

/// Every field's problem on one line: `name: ...; price: ...`.
pub fn invalid_fields(errors: Vec<FieldError>) -> CliError {
    let text = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    CliError::invalid(text)
}

async fn apply_fields(ctx: &Ctx, draft: &mut ProductDraft, f: &ProductFields) -> Result<()> {
    let currency = ctx.currency();
    if let Some(c) = &f.category {
        draft.category = categories::resolve(ctx, c).await?;
    }
    if let Some(d) = &f.description {
        draft.description = d.clone();
    }
    if let Some(p) = &f.price {
        draft.price =
            parse_money(p, &currency).map_err(|e| CliError::invalid(format!("price: {e}")))?;
    }
    if let Some(p) = &f.discount_price {
        draft.discount_price = if p.trim().is_empty() {
            None
        } else {
            Some(
                parse_money(p, &currency)
                    .map_err(|e| CliError::invalid(format!("discount_price: {e}")))?,
            )
        };
    }
    if let Some(v) = &f.ingredients {
        draft.ingredients = v.clone();
    }
    if let Some(v) = &f.allergens {
        draft.allergens = v.clone();
    }
    if let Some(v) = &f.images {
        draft.images = v.clone();
    }
    if let Some(v) = f.prep_time {
        draft.preparation_time = v;
    }
    if let Some(s) = &f.stock {
        draft.stock = parse_stock(s).map_err(|e| CliError::invalid(format!("stock: {e}")))?;
    }
    if let Some(s) = &f.daily {
        draft.daily_quantity =
            parse_stock(s).map_err(|e| CliError::invalid(format!("daily: {e}")))?;
    }
    if let Some(v) = f.vegetarian {
        draft.is_vegetarian = v;
    }
    if let Some(v) = f.featured {
        draft.is_featured = v;
    }
    if let Some(v) = f.available {
        draft.is_available = v;
    }
    if let Some(path) = &f.options_file {
        draft.option_groups = read_options_file(path)?;
    }
    Ok(())
}

/// `""`/`none`/`unlimited` -> no limit, else a count.
pub fn parse_stock(s: &str) -> std::result::Result<Option<u32>, String> {
    let t = s.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{s:?} is not a count (or \"none\")"))
}

async fn create(ctx: &Ctx, args: &CreateArgs) -> Result<()> {
    let mut draft = ProductDraft {
        name: args.name.clone(),
        is_available: true,
        preparation_time: 15,
        ..ProductDraft::default()
    };
    if args.fields.category.is_none() {
        return Err(CliError::invalid("--category is required"));
    }
    if args.fields.price.is_none() {
        return Err(CliError::invalid("--price is required"));
    }
    if args.fields.description.is_none() {
        draft.description = args.name.clone();
    }
    apply_fields(ctx, &mut draft, &args.fields).await?;
    let input = draft.to_input().map_err(invalid_fields)?;
    let created = create_input(ctx, input).await?;
    if ctx.json {
        return output::print_json(&created);
    }
    println!(
        "Created product {} ({}) at {}.",
        created.name,
        created.id,
        money(created.price, &ctx.currency())
    );
    Ok(())
}

pub async fn create_input(ctx: &Ctx, input: types::ProductInput) -> Result<types::Product> {
    ctx.call(|api| {
        let input = input.clone();
        async move { api.admin_create_product().body(input).send().await }
    })
    .await
}

pub async fn update_input(
    ctx: &Ctx,
    id: &str,
    input: types::ProductInput,
) -> Result<types::Product> {
    let id = id.to_owned();
    ctx.call(|api| {
        let (id, input) = (id.clone(), input.clone());
        async move { api.admin_update_product().id(id).body(input).send().await }
    })
    .await
}

async fn update(ctx: &Ctx, args: &UpdateArgs) -> Result<()> {
    let current = get(ctx, &args.id).await?;
    let mut draft = ProductDraft::from(current);
    if let Some(n) = &args.name {
        draft.name = n.clone();
    }
    apply_fields(ctx, &mut draft, &args.fields).await?;
    let input = draft.to_input().map_err(invalid_fields)?;
    let updated = update_input(ctx, &args.id, input).await?;
    if ctx.json {
        return output::print_json(&updated);
    }
    println!(
        "Updated product {} ({}): {}.",
        updated.name,
        updated.id,
        price_text(&updated, &ctx.currency())
    );
    Ok(())
}
