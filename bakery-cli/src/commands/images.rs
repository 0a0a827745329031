//! Pictures: `products image add|rm`, `categories image set|rm`, `promotions image set|rm`.
//!
//! Each file goes through the SDK's steps (slot, bytes straight to storage with a progress
//! bar, attach, then waiting for the sizes the server makes in the background, so their URLs
//! can be printed). The server judges every file by its content, so a file that is not a
//! picture is still sent and refused with the server's own message.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bakery_sdk::images::sniff_content_type;
use bakery_sdk::{types, ImageTarget, UploadError};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::commands::products;
use crate::context::Ctx;
use crate::exit::{CliError, Exit, Result};
use crate::output;

/// `products image ...`: up to ten pictures a product.
#[derive(Subcommand, Debug)]
pub enum ProductCmd {
    /// Upload pictures (JPEG, PNG or WebP, at most 5 MiB each) and print their sizes' URLs.
    #[command(
        after_help = "Example:\n  bakery products image add 65f1c2a9e4b0a1b2c3d4e5f6 croissant.jpg croissant-cut.png"
    )]
    Add {
        /// The product id.
        id: String,
        /// Picture files, uploaded in order.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Remove one picture (its files are deleted from storage).
    #[command(
        after_help = "Example:\n  bakery products image rm 65f1c2a9e4b0a1b2c3d4e5f6 6650a1b2c3d4e5f6a7b8c9d0\n\n\
        The picture ids are in `bakery products show ID` and `bakery products image add`'s output."
    )]
    Rm {
        /// The product id.
        id: String,
        /// The picture id.
        image_id: String,
    },
}

/// `categories image ...` and `promotions image ...`: one picture, replaced by the next.
#[derive(Subcommand, Debug)]
pub enum SingleCmd {
    /// Upload the picture (JPEG, PNG or WebP, at most 5 MiB), replacing the current one.
    #[command(
        after_help = "Examples:\n  bakery categories image set 65f1c2a9e4b0a1b2c3d4e5f6 breads.jpg\n  \
        bakery promotions image set 6650a1b2c3d4e5f6a7b8c9d0 spring-banner.webp"
    )]
    Set {
        /// The id.
        id: String,
        /// The picture file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Remove the uploaded picture (its files are deleted from storage).
    #[command(
        after_help = "Examples:\n  bakery categories image rm 65f1c2a9e4b0a1b2c3d4e5f6\n  \
        bakery promotions image rm 6650a1b2c3d4e5f6a7b8c9d0"
    )]
    Rm {
        /// The id.
        id: String,
    },
}

pub async fn run_product(ctx: &Ctx, cmd: &ProductCmd) -> Result<()> {
    match cmd {
        ProductCmd::Add { id, files } => {
            let pictures = check_files(files)?;
            // An unknown id is refused before anything is sent.
            products::get(ctx, id).await?;
            let target = ImageTarget::Product(id.clone());
            for picture in &pictures {
                let image = upload(ctx, &target, picture).await?;
                if !ctx.json {
                    print_image(ctx, &picture.path, &image);
                }
            }
            let photos = products::get(ctx, id).await?.photos;
            if ctx.json {
                return output::print_json(&photos);
            }
            println!("Product {id} has {} picture(s).", photos.len());
            Ok(())
        }
        ProductCmd::Rm { id, image_id } => {
            let (id, image_id) = (id.clone(), image_id.clone());
            ctx.call(|api| {
                let (id, image_id) = (id.clone(), image_id.clone());
                async move {
                    api.admin_remove_product_image()
                        .id(id)
                        .image_id(image_id)
                        .send()
                        .await
                }
            })
            .await?;
            removed(ctx, "product", &id, Some(&image_id))
        }
    }
}

/// Which single-picture owner a [`SingleCmd`] is about.
#[derive(Clone, Copy, Debug)]
pub enum Single {
    Category,
    Promotion,
}

impl Single {
    fn noun(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Promotion => "promotion",
        }
    }
}

pub async fn run_single(ctx: &Ctx, owner: Single, cmd: &SingleCmd) -> Result<()> {
    match cmd {
        SingleCmd::Set { id, file } => {
            let picture = check_file(file)?;
            let target = match owner {
                Single::Category => ImageTarget::Category(id.clone()),
                Single::Promotion => ImageTarget::Promotion(id.clone()),
            };
            // The one picture it has now (the previous one is replaced).
            let image = upload(ctx, &target, &picture).await?;
            if ctx.json {
                return output::print_json(&[image]);
            }
            print_image(ctx, &picture.path, &image);
            println!("The {} {id} has its new picture.", owner.noun());
            Ok(())
        }
        SingleCmd::Rm { id } => {
            let id = id.clone();
            match owner {
                Single::Category => {
                    ctx.call(|api| {
                        let id = id.clone();
                        async move { api.admin_remove_category_image().id(id).send().await }
                    })
                    .await?
                }
                Single::Promotion => {
                    ctx.call(|api| {
                        let id = id.clone();
                        async move { api.admin_remove_promotion_image().id(id).send().await }
                    })
                    .await?
                }
            };
            removed(ctx, owner.noun(), &id, None)
        }
    }
}

fn removed(ctx: &Ctx, noun: &str, id: &str, image_id: Option<&str>) -> Result<()> {
    if ctx.json {
        return output::print_json(&serde_json::json!({
            "removed": image_id.unwrap_or("image"),
            noun: id,
        }));
    }
    match image_id {
        Some(image) => println!("Removed picture {image} from {noun} {id}."),
        None => println!("Removed the picture of {noun} {id}."),
    }
    Ok(())
}

/// A file about to be uploaded: where it is, how big, and the type it is declared as.
#[derive(Clone, Debug)]
pub struct Picture {
    pub path: PathBuf,
    pub size: u64,
    pub content_type: &'static str,
}

/// Checks every file before anything is sent, so a typo in the third name uploads nothing.
pub fn check_files(paths: &[PathBuf]) -> Result<Vec<Picture>> {
    paths.iter().map(|p| check_file(p)).collect()
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::local("FILE_ERROR", format!("cannot read {}: {e}", path.display()))
}

/// Opens `path`, reads its first bytes and declares a type: what the bytes are, else what
/// the name says, else none the server takes (it then refuses the file with its message).
pub fn check_file(path: &Path) -> Result<Picture> {
    let mut file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let meta = file.metadata().map_err(|e| file_error(path, e))?;
    if !meta.is_file() {
        return Err(file_error(path, "not a file"));
    }
    let mut head = Vec::with_capacity(16);
    (&mut file)
        .take(16)
        .read_to_end(&mut head)
        .map_err(|e| file_error(path, e))?;
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let content_type = sniff_content_type(&head).unwrap_or(match by_name.as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    });
    Ok(Picture {
        path: path.to_owned(),
        size: meta.len(),
        content_type,
    })
}

/// Uploads one picture with a progress bar on standard error; answers it once its sizes
/// are made (or still processing after [`bakery_sdk::READY_WAIT`]).
pub async fn upload(ctx: &Ctx, target: &ImageTarget, picture: &Picture) -> Result<types::Image> {
    upload_with(ctx, target, picture, true).await
}

/// [`upload`] without its own progress bar (the import draws one for every row).
pub async fn upload_quietly(
    ctx: &Ctx,
    target: &ImageTarget,
    picture: &Picture,
) -> Result<types::Image> {
    upload_with(ctx, target, picture, false).await
}

async fn upload_with(
    ctx: &Ctx,
    target: &ImageTarget,
    picture: &Picture,
    show_progress: bool,
) -> Result<types::Image> {
    ctx.signed_in()?;
    let client = &ctx.client;
    // The slot first: a file over the limit is refused before it is even read.
    let slot = client
        .image_slot(target, picture.content_type, picture.size)
        .await
        .map_err(|e| picture_error(&picture.path, ctx.error(e)))?;
    let bytes = std::fs::read(&picture.path).map_err(|e| file_error(&picture.path, e))?;
    let bar = progress_bar(ctx, picture, show_progress);
    let progress: bakery_sdk::Progress = {
        let bar = bar.clone();
        Arc::new(move |sent, total| {
            bar.set_length(total);
            bar.set_position(sent);
        })
    };
    let sent = client.send_bytes(&slot, bytes, Some(progress)).await;
    bar.finish_and_clear();
    sent.map_err(|e| picture_error(&picture.path, upload_error(ctx, e)))?;
    let attached = client
        .attach_image(target, &slot.upload_id)
        .await
        .map_err(|e| picture_error(&picture.path, ctx.error(e)))?;
    let image = attached
        .into_iter()
        .find(|i| i.id == slot.upload_id)
        .ok_or_else(|| {
            let dropped = UploadError::Dropped {
                image_id: slot.upload_id.clone(),
            };
            picture_error(&picture.path, upload_error(ctx, dropped))
        })?;
    client
        .wait_until_ready(target, image, bakery_sdk::READY_WAIT)
        .await
        .map_err(|e| picture_error(&picture.path, upload_error(ctx, e)))
}

/// Names the file in the message.
fn picture_error(path: &Path, mut e: CliError) -> CliError {
    e.message = format!("{}: {}", path.display(), e.message);
    e
}

fn progress_bar(ctx: &Ctx, picture: &Picture, show: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(picture.size), ProgressDrawTarget::stderr());
    if ctx.json || !show {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let name = picture.path.file_name().map_or_else(
        || picture.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    bar.set_message(name);
    bar
}

/// An [`UploadError`] from sending the bytes, as the CLI reports it.
fn upload_error(ctx: &Ctx, e: UploadError) -> CliError {
    match e {
        UploadError::Api(e) => ctx.error(e),
        UploadError::Storage { status, body } => {
            // The server's own `/media` answers with the API's error body; S3 with XML.
            #[derive(serde::Deserialize)]
            struct Body {
                code: String,
                message: String,
            }
            // A refused URL (expired, altered) is not a sign-in problem: exit 1, not 3.
            let exit = match Exit::from_status(status) {
                Exit::Auth | Exit::NotFound => Exit::Other,
                exit => exit,
            };
            match serde_json::from_str::<Body>(&body) {
                Ok(b) => CliError::new(exit, &b.code, b.message),
                Err(_) => CliError::new(
                    exit,
                    "UPLOAD_REFUSED",
                    format!(
                        "the storage refused the upload ({status}): {}",
                        body.split_whitespace().collect::<Vec<_>>().join(" ")
                    ),
                ),
            }
        }
        UploadError::Transport(e) => CliError::new(
            Exit::Server,
            "NETWORK_ERROR",
            format!("sending the picture failed: {e}"),
        ),
        UploadError::NotAPicture => CliError::new(
            Exit::Validation,
            "UNSUPPORTED_IMAGE",
            "not a JPEG, PNG or WebP picture",
        ),
        e @ UploadError::Dropped { .. } => {
            CliError::new(Exit::Other, "IMAGE_DROPPED", e.to_string())
        }
    }
}

/// `http://...` for a URL the server gave as a path on itself.
pub fn absolute(ctx: &Ctx, url: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", ctx.server)
    } else {
        url.to_owned()
    }
}

/// The picture's id, then one line per size: `400x300  URL`.
pub fn print_image(ctx: &Ctx, from: &Path, image: &types::Image) {
    println!("{} picture {}", from.display(), image.id);
    if image.status != types::ImageStatus::Ready {
        println!("  still processing: its sizes are listed by `show` once made");
    }
    for v in &image.variants {
        println!("  {}x{}  {}", v.width, v.height, absolute(ctx, &v.url));
    }
}

/// Every size of every picture, for `show`.
pub fn image_lines(ctx: &Ctx, images: &[types::Image]) -> Vec<String> {
    images
        .iter()
        .map(|i| {
            if i.status != types::ImageStatus::Ready {
                return format!("{}: processing", i.id);
            }
            let sizes = i
                .variants
                .iter()
                .map(|v| format!("{}x{} {}", v.width, v.height, absolute(ctx, &v.url)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {sizes}", i.id)
        })
        .collect()
}
