//! `categories list|create|update|delete|image`.

use std::num::NonZeroU32;

use bakery_sdk::types;
use clap::{Args, Subcommand};

use crate::commands::images;
use crate::context::{Ctx, MAX_LIMIT};
use crate::exit::{CliError, Result};
use crate::output::{self, yes_no};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// List the active categories in display order.
    #[command(after_help = "Example:\n  bakery categories list\n  bakery --json categories list")]
    List,
    /// Create a category.
    #[command(
        after_help = "Example:\n  bakery categories create --name Breads --description \"Baked every morning\" --order 1"
    )]
    Create(CreateArgs),
    /// Change a category; options not given keep their value.
    #[command(
        after_help = "Example:\n  bakery categories update 65f1c2a9e4b0a1b2c3d4e5f6 --order 2 --inactive"
    )]
    Update(UpdateArgs),
    /// Delete a category (refused while products are filed under it).
    #[command(after_help = "Example:\n  bakery categories delete 65f1c2a9e4b0a1b2c3d4e5f6")]
    Delete {
        /// The category id.
        id: String,
    },
    /// Upload the category's picture (replacing it) or remove it.
    #[command(
        subcommand,
        after_help = "Example:\n  bakery categories image set 65f1c2a9e4b0a1b2c3d4e5f6 breads.jpg"
    )]
    Image(images::SingleCmd),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub description: Option<String>,
    /// Image URL.
    #[arg(long)]
    pub image: Option<String>,
    /// Position in menus (smaller first).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub order: i32,
    /// Hide it from customers.
    #[arg(long)]
    pub inactive: bool,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The category id.
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    /// New description ("" clears it).
    #[arg(long)]
    pub description: Option<String>,
    /// New image URL ("" clears it).
    #[arg(long)]
    pub image: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    pub order: Option<i32>,
    /// Hide it from customers.
    #[arg(long, conflicts_with = "active")]
    pub inactive: bool,
    /// Show it to customers.
    #[arg(long)]
    pub active: bool,
}

pub async fn run(ctx: &Ctx, cmd: &Cmd) -> Result<()> {
    match cmd {
        Cmd::List => list(ctx).await,
        Cmd::Create(args) => {
            let input = CategoryDraft {
                name: args.name.clone(),
                description: args.description.clone(),
                image: args.image.clone(),
                display_order: args.order,
                is_active: !args.inactive,
            }
            .into_input()?;
            let created = create(ctx, input).await?;
            show_one(ctx, &created, "Created")
        }
        Cmd::Update(args) => update(ctx, args).await,
        Cmd::Delete { id } => {
            let id = id.clone();
            ctx.call(|api| {
                let id = id.clone();
                async move { api.admin_delete_category().id(id).send().await }
            })
            .await?;
            if !ctx.json {
                println!("Deleted category {id}.");
            } else {
                output::print_json(&serde_json::json!({ "deleted": id }))?;
            }
            Ok(())
        }
        Cmd::Image(cmd) => images::run_single(ctx, images::Single::Category, cmd).await,
    }
}

/// Every category the API lists, in display order (all pages).
pub async fn all_categories(ctx: &Ctx) -> Result<Vec<types::Category>> {
    let mut page = NonZeroU32::MIN;
    let mut all = Vec::new();
    loop {
        let answer = ctx
            .call(|api| async move {
                api.list_categories()
                    .page(page)
                    .limit(MAX_LIMIT)
                    .send()
                    .await
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

pub async fn create(ctx: &Ctx, input: types::CategoryInput) -> Result<types::Category> {
    ctx.call(|api| {
        let input = input.clone();
        async move { api.admin_create_category().body(input).send().await }
    })
    .await
}

/// A category id from an id or a (case-insensitive) name.
pub async fn resolve(ctx: &Ctx, id_or_name: &str) -> Result<String> {
    if is_object_id(id_or_name) {
        return Ok(id_or_name.to_owned());
    }
    let all = all_categories(ctx).await?;
    all.iter()
        .find(|c| c.name.eq_ignore_ascii_case(id_or_name.trim()))
        .map(|c| c.id.clone())
        .ok_or_else(|| {
            CliError::new(
                crate::exit::Exit::NotFound,
                "NOT_FOUND",
                format!("no category named {id_or_name:?} (see `bakery categories list`)"),
            )
        })
}

pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.chars().all(|c| c.is_ascii_hexdigit())
}

async fn list(ctx: &Ctx) -> Result<()> {
    let categories = all_categories(ctx).await?;
    if ctx.json {
        return output::print_json(&categories);
    }
    let mut table = output::table(["ID", "NAME", "ORDER", "ACTIVE", "DESCRIPTION"]);
    for c in &categories {
        table.add_row([
            c.id.clone(),
            c.name.clone(),
            c.display_order.to_string(),
            yes_no(c.is_active).to_owned(),
            c.description.clone().unwrap_or_default(),
        ]);
    }
    println!("{table}");
    println!("{} categories", categories.len());
    Ok(())
}

async fn update(ctx: &Ctx, args: &UpdateArgs) -> Result<()> {
    let current = all_categories(ctx)
        .await?
        .into_iter()
        .find(|c| c.id == args.id);
    let mut draft = match current {
        Some(c) => CategoryDraft {
            name: c.name,
            description: c.description,
            image: c.image,
            display_order: c.display_order,
            is_active: c.is_active,
        },
        // Hidden categories are not listed, so nothing can be kept: the fields must all be
        // given, and it stays hidden unless --active says otherwise.
        None => match (&args.name, &args.description, args.order) {
            (Some(name), Some(_), Some(_)) => CategoryDraft {
                name: name.clone(),
                description: None,
                image: None,
                display_order: 0,
                is_active: false,
            },
            _ => {
                return Err(CliError::new(
                    crate::exit::Exit::NotFound,
                    "NOT_FOUND",
                    format!(
                        "no active category with id {}; to change a hidden one give all of --name, --description, --order",
                        args.id
                    ),
                ))
            }
        },
    };
    if let Some(name) = &args.name {
        draft.name = name.clone();
    }
    if let Some(d) = &args.description {
        draft.description = (!d.is_empty()).then(|| d.clone());
    }
    if let Some(i) = &args.image {
        draft.image = (!i.is_empty()).then(|| i.clone());
    }
    if let Some(o) = args.order {
        draft.display_order = o;
    }
    if args.inactive {
        draft.is_active = false;
    }
    if args.active {
        draft.is_active = true;
    }
    let input = draft.into_input()?;
    let id = args.id.clone();
    let updated = ctx
        .call(|api| {
            let (id, input) = (id.clone(), input.clone());
            async move { api.admin_update_category().id(id).body(input).send().await }
        })
        .await?;
    show_one(ctx, &updated, "Updated")
}

fn show_one(ctx: &Ctx, c: &types::Category, verb: &str) -> Result<()> {
    if ctx.json {
        return output::print_json(c);
    }
    println!("{verb} category {} ({}).", c.name, c.id);
    Ok(())
}

pub struct CategoryDraft {
    pub name: String,
    pub description: Option<String>,
    pub image: Option<String>,
    pub display_order: i32,
    pub is_active: bool,
}

impl CategoryDraft {
    pub fn into_input(self) -> Result<types::CategoryInput> {
        Ok(types::CategoryInput {
            name: types::CategoryInputName::try_from(self.name)
                .map_err(|e| CliError::invalid(format!("name: {e}")))?,
            description: self
                .description
                .map(types::CategoryInputDescription::try_from)
                .transpose()
                .map_err(|e| CliError::invalid(format!("description: {e}")))?,
            image: self
                .image
                .map(types::CategoryInputImage::try_from)
                .transpose()
                .map_err(|e| CliError::invalid(format!("image: {e}")))?,
            display_order: self.display_order,
            is_active: self.is_active,
        })
    }
}
