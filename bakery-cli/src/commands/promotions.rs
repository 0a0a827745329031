//! `promotions list|create|update|delete|image`.

use std::num::{NonZeroU32, NonZeroU64};

use bakery_sdk::types;
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};

use crate::commands::images;
use crate::context::{Ctx, MAX_LIMIT};
use crate::exit::{CliError, Result};
use crate::output::{self, money, parse_money, parse_time, yes_no};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Every promotion, past and future.
    #[command(
        after_help = "Example:\n  bakery promotions list\n  bakery --json promotions list --limit 100"
    )]
    List {
        #[arg(long, default_value_t = NonZeroU32::MIN)]
        page: NonZeroU32,
        /// Items per page, up to 100.
        #[arg(long, default_value = "20")]
        limit: NonZeroU32,
    },
    /// Create a promotion.
    #[command(
        after_help = "Examples:\n  bakery promotions create --title \"Spring\" --description \"10% off\" \\\n    \
        --code SPRING10 --type percentage --value 10 --from 2025-04-01 --to 2025-04-30\n  \
        bakery promotions create --title \"2 off\" --description \"From 15\" --type fixed --value 2.00 \\\n    \
        --min-order 15 --from 2025-04-01 --to 2025-12-31 --usage-limit 100"
    )]
    Create(CreateArgs),
    /// Change a promotion; options not given keep their value.
    #[command(
        after_help = "Example:\n  bakery promotions update 65f1c2a9e4b0a1b2c3d4e5f6 --to 2025-05-15 --inactive"
    )]
    Update(UpdateArgs),
    /// Delete a promotion (orders that used it keep their discount).
    #[command(after_help = "Example:\n  bakery promotions delete 65f1c2a9e4b0a1b2c3d4e5f6")]
    Delete {
        /// The promotion id.
        id: String,
    },
    /// Upload the promotion's banner (replacing it) or remove it.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery promotions image set 65f1c2a9e4b0a1b2c3d4e5f6 spring-banner.webp"
    )]
    Image(images::SingleCmd),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Kind {
    /// VALUE is a percentage (10 = 10%).
    Percentage,
    /// VALUE is an amount off (2.50).
    Fixed,
}

#[derive(Args, Debug, Default)]
pub struct Fields {
    #[arg(long)]
    pub description: Option<String>,
    /// The code customers type ("" for an automatic promotion).
    #[arg(long)]
    pub code: Option<String>,
    #[arg(long = "type", value_enum)]
    pub kind: Option<Kind>,
    /// 10 (percent) or 2.50 (amount), per --type.
    #[arg(long)]
    pub value: Option<String>,
    /// First day (2025-06-01) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, included (2025-06-30) or end time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Minimum order subtotal, e.g. 15.00.
    #[arg(long, value_name = "AMOUNT")]
    pub min_order: Option<String>,
    /// Total uses allowed (0 = unlimited).
    #[arg(long)]
    pub usage_limit: Option<u32>,
    /// Uses per customer (0 = unlimited).
    #[arg(long)]
    pub per_user_limit: Option<u32>,
    /// Product ids it applies to, comma-separated (none = the whole cart).
    #[arg(long, value_delimiter = ',')]
    pub products: Option<Vec<String>>,
    /// Image URL.
    #[arg(long)]
    pub image: Option<String>,
    /// Switch it off.
    #[arg(long, conflicts_with = "active")]
    pub inactive: bool,
    /// Switch it on.
    #[arg(long)]
    pub active: bool,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    pub title: String,
    #[command(flatten)]
    pub fields: Fields,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The promotion id.
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub fields: Fields,
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::List { page, limit } => list(ctx, *page, *limit).await,
        Cmd::Create(args) => {
            let f = &args.fields;
            for (given, flag) in [
                (f.kind.is_some(), "--type"),
                (f.value.is_some(), "--value"),
                (f.from.is_some(), "--from"),
                (f.to.is_some(), "--to"),
            ] {
                if !given {
                    return Err(CliError::invalid(format!("{flag} is required")));
                }
            }
            let mut draft = Draft {
                title: args.title.clone(),
                description: args.title.clone(),
                code: None,
                discount_type: types::DiscountType::Percentage,
                discount_value: 0,
                start_date: Utc::now(),
                end_date: Utc::now(),
                minimum_order_value: 0,
                usage_limit: None,
                per_user_limit: None,
                applicable_products: Vec::new(),
                image: None,
                is_active: true,
            };
            draft.apply(f, &ctx.currency())?;
            let input = draft.into_input()?;
            let created = ctx
                .call(|api| {
                    let input = input.clone();
                    async move { api.admin_create_promotion().body(input).send().await }
                })
                .await?;
            if ctx.json {
                return output::print_json(&created);
            }
            println!("Created promotion {} ({}).", created.title, created.id);
            Ok(())
        }
        Cmd::Update(args) => {
            let current = find(ctx, &args.id).await?;
            let mut draft = Draft::from(current);
            if let Some(t) = &args.title {
                draft.title = t.clone();
            }
            draft.apply(&args.fields, &ctx.currency())?;
            let input = draft.into_input()?;
            let id = args.id.clone();
            let updated = ctx
                .call(|api| {
                    let (id, input) = (id.clone(), input.clone());
                    async move { api.admin_update_promotion().id(id).body(input).send().await }
                })
                .await?;
            if ctx.json {
                return output::print_json(&updated);
            }
            println!("Updated promotion {} ({}).", updated.title, updated.id);
            Ok(())
        }
        Cmd::Delete { id } => {
            let id = id.clone();
            ctx.call(|api| {
                let id = id.clone();
                async move { api.admin_delete_promotion().id(id).send().await }
            })
            .await?;
            if ctx.json {
                output::print_json(&serde_json::json!({ "deleted": id }))
            } else {
                println!("Deleted promotion {id}.");
                Ok(())
            }
        }
        Cmd::Image(cmd) => images::run_single(ctx, images::Single::Promotion, cmd).await,
    }
}

/// One page of the staff list (every promotion, past and future).
async fn fetch(ctx: &Ctx, page: NonZeroU32, limit: NonZeroU32) -> Result<types::PagePromotion> {
    ctx.call(|api| async move {
        api.admin_list_promotions()
            .page(page)
            .limit(limit)
            .send()
            .await
    })
    .await
}

async fn list(ctx: &Ctx, page: NonZeroU32, limit: NonZeroU32) -> Result<()> {
    let answer = fetch(ctx, page, limit).await?;
    if ctx.json {
        return output::print_json(&answer);
    }
    let currency = ctx.currency();
    let mut table = output::table([
        "ID",
        "TITLE",
        "CODE",
        "DISCOUNT",
        "MIN ORDER",
        "FROM",
        "TO",
        "USED",
        "ACTIVE",
    ]);
    for p in &answer.items {
        table.add_row([
            p.id.clone(),
            p.title.clone(),
            p.code.clone().unwrap_or_else(|| "(automatic)".into()),
            discount_text(&p.discount_type, p.discount_value, &currency),
            money(p.minimum_order_value, &currency),
            output::when(&p.start_date),
            output::when(&p.end_date),
            match p.usage_limit {
                Some(l) => format!("{}/{l}", p.used_count),
                None => p.used_count.to_string(),
            },
            yes_no(p.is_active).to_owned(),
        ]);
    }
    println!("{table}");
    println!(
        "{}",
        output::page_footer(answer.items.len(), answer.total, answer.page, answer.limit)
    );
    Ok(())
}

fn discount_text(kind: &types::DiscountType, value: i64, currency: &str) -> String {
    match kind {
        types::DiscountType::Percentage => format!("{value}%"),
        types::DiscountType::Fixed => money(value, currency),
    }
}

/// There is no single-promotion read: page through the staff list.
async fn find(ctx: &Ctx, id: &str) -> Result<types::Promotion> {
    let mut page = NonZeroU32::MIN;
    let mut seen = 0i64;
    loop {
        let answer = fetch(ctx, page, MAX_LIMIT).await?;
        seen += answer.items.len() as i64;
        let empty = answer.items.is_empty();
        if let Some(p) = answer.items.into_iter().find(|p| p.id == id) {
            return Ok(p);
        }
        if empty || seen >= answer.total {
            return Err(CliError::not_found("promotion", id));
        }
        page = page.saturating_add(1);
    }
}

struct Draft {
    title: String,
    description: String,
    code: Option<String>,
    discount_type: types::DiscountType,
    discount_value: i64,
    start_date: DateTime<Utc>,
    end_date: DateTime<Utc>,
    minimum_order_value: i64,
    usage_limit: Option<u32>,
    per_user_limit: Option<u32>,
    applicable_products: Vec<String>,
    image: Option<String>,
    is_active: bool,
}

impl From<types::Promotion> for Draft {
    fn from(p: types::Promotion) -> Self {
        Self {
            title: p.title,
            description: p.description,
            code: p.code,
            discount_type: p.discount_type,
            discount_value: p.discount_value,
            start_date: p.start_date,
            end_date: p.end_date,
            minimum_order_value: p.minimum_order_value,
            usage_limit: p.usage_limit,
            per_user_limit: p.per_user_limit,
            applicable_products: p.applicable_products,
            image: p.image,
            is_active: p.is_active,
        }
    }
}

impl Draft {
    fn apply(&mut self, f: &Fields, currency: &str) -> Result<()> {
        let bad = |field: &str, e: String| CliError::invalid(format!("{field}: {e}"));
        if let Some(d) = &f.description {
            self.description = d.clone();
        }
        if let Some(c) = &f.code {
            self.code = (!c.trim().is_empty()).then(|| c.trim().to_owned());
        }
        if let Some(k) = f.kind {
            let kind = match k {
                Kind::Percentage => types::DiscountType::Percentage,
                Kind::Fixed => types::DiscountType::Fixed,
            };
            // The kept value means something else under the other type (10 % vs 0.10).
            if kind != self.discount_type && f.value.is_none() {
                return Err(bad(
                    "--type",
                    "changing the type needs a new --value".into(),
                ));
            }
            self.discount_type = kind;
        }
        if let Some(v) = &f.value {
            self.discount_value = match self.discount_type {
                types::DiscountType::Percentage => v
                    .trim()
                    .trim_end_matches('%')
                    .parse::<i64>()
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| {
                        bad(
                            "--value",
                            format!("{v:?} is not a percentage from 1 to 100"),
                        )
                    })?,
                types::DiscountType::Fixed => {
                    parse_money(v, currency).map_err(|e| bad("--value", e))?
                }
            };
        }
        if let Some(t) = &f.from {
            self.start_date = parse_time(t, false).map_err(|e| bad("--from", e))?;
        }
        if let Some(t) = &f.to {
            self.end_date = parse_time(t, true).map_err(|e| bad("--to", e))?;
        }
        if let Some(m) = &f.min_order {
            self.minimum_order_value =
                parse_money(m, currency).map_err(|e| bad("--min-order", e))?;
        }
        if let Some(l) = f.usage_limit {
            self.usage_limit = (l > 0).then_some(l);
        }
        if let Some(l) = f.per_user_limit {
            self.per_user_limit = (l > 0).then_some(l);
        }
        if let Some(p) = &f.products {
            self.applicable_products = p
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(i) = &f.image {
            self.image = (!i.is_empty()).then(|| i.clone());
        }
        if f.inactive {
            self.is_active = false;
        }
        if f.active {
            self.is_active = true;
        }
        Ok(())
    }

    fn into_input(self) -> Result<types::PromotionInput> {
        let bad = |field: &str, e: String| CliError::invalid(format!("{field}: {e}"));
        Ok(types::PromotionInput {
            title: types::PromotionInputTitle::try_from(self.title)
                .map_err(|e| bad("title", e.to_string()))?,
            description: types::PromotionInputDescription::try_from(self.description)
                .map_err(|e| bad("description", e.to_string()))?,
            code: self
                .code
                .map(types::PromotionInputCode::try_from)
                .transpose()
                .map_err(|_| bad("code", "letters, digits, '-' and '_', up to 32".into()))?,
            discount_type: self.discount_type,
            discount_value: u64::try_from(self.discount_value)
                .ok()
                .and_then(NonZeroU64::new)
                .ok_or_else(|| bad("value", "must be more than zero".into()))?,
            start_date: self.start_date,
            end_date: self.end_date,
            minimum_order_value: self.minimum_order_value,
            usage_limit: self.usage_limit.and_then(NonZeroU32::new),
            per_user_limit: self.per_user_limit.and_then(NonZeroU32::new),
            applicable_products: self
                .applicable_products
                .iter()
                .map(|id| types::PromotionInputApplicableProductsItem::try_from(id.as_str()))
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| bad("products", "product ids are 24 hexadecimal digits".into()))?,
            image: self
                .image
                .map(types::PromotionInputImage::try_from)
                .transpose()
                .map_err(|e| bad("image", e.to_string()))?,
            is_active: self.is_active,
        })
    }
}
