//! `bakery-server migrate --from sqlite:PATH --to mongodb://HOST/DB`: the command-line side of
//! [`bakery_core::migrate`] (which does the copying, resuming and verifying): where the
//! stores are, and what to print.

use std::path::PathBuf;

use anyhow::bail;
use bakery_core::migrate::Options;

/// Exit status of a run stopped by `--max-batches`: not an error, not finished either.
pub const EXIT_PAUSED: i32 = 3;

/// The source: a SQLite file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
}

impl Source {
    /// `sqlite:PATH` (the file, e.g. `data/bakery.db`, or the data directory holding it).
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let Some(path) = raw.strip_prefix("sqlite:").filter(|p| !p.is_empty()) else {
            bail!(
                "--from must be sqlite:PATH (the SQLite file or its data directory), not `{raw}`"
            );
        };
        let mut path = PathBuf::from(path);
        if path.is_dir() {
            path = path.join("bakery.db");
        }
        if !path.is_file() {
            bail!("--from: there is no SQLite file at {}", path.display());
        }
        Ok(Self { path })
    }

    /// How the progress marker names it: the same file however it was spelled.
    pub fn name(&self) -> String {
        let path = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        format!("sqlite:{}", path.display())
    }
}

/// The target: a MongoDB database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub uri: String,
    pub database: String,
}

impl Target {
    /// `mongodb://…/DB` or `mongodb+srv://…/DB`, optionally written `mongodb:mongodb://…`;
    /// without a database in the URI, `default_database` (`MONGODB_DATABASE`, or `bakery`).
    pub fn parse(raw: &str, default_database: &str) -> anyhow::Result<Self> {
        let uri = raw
            .strip_prefix("mongodb:")
            .filter(|rest| rest.starts_with("mongodb"));
        let uri = uri.unwrap_or(raw);
        let Some(rest) = uri
            .strip_prefix("mongodb://")
            .or_else(|| uri.strip_prefix("mongodb+srv://"))
        else {
            bail!("--to must be a MongoDB URI (mongodb://HOST/DATABASE), not `{raw}`");
        };
        let database = rest
            .split_once('/')
            .map(|(_, path)| path.split('?').next().unwrap_or(""))
            .filter(|db| !db.is_empty())
            .unwrap_or(default_database);
        if database.contains(['/', '\\', '.', ' ', '"', '$']) {
            bail!("--to: `{database}` is not a MongoDB database name");
        }
        Ok(Self {
            uri: uri.to_owned(),
            database: database.to_owned(),
        })
    }
}

/// Runs the migration and reports on stdout; `Ok(true)` when finished, `Ok(false)` when
/// paused by the batch limit.
#[cfg(all(feature = "sqlite", feature = "mongodb"))]
pub async fn run(source: &Source, target: &Target, options: Options) -> anyhow::Result<bool> {
    use anyhow::Context;
    use bakery_core::adapters::mongo::MongoStore;
    use bakery_core::adapters::sqlite::SqliteStore;
    use bakery_core::migrate::{self, Outcome};

    let from = SqliteStore::open(&source.path)
        .await
        .with_context(|| format!("opening the SQLite store at {}", source.path.display()))?;
    let to = MongoStore::connect(&target.uri, &target.database)
        .await
        .context("connecting to the target MongoDB")?;
    println!(
        "migrating {} to MongoDB database `{}`",
        options.source, target.database
    );
    let outcome = migrate::migrate(&from, &to, &options, chrono::Utc::now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match outcome {
        Outcome::Finished(report) => {
            println!("migrated and verified ({} batches in all):", report.batches);
            for (kind, summary) in &report.summary.kinds {
                println!("  {kind:<14} {:>8}", summary.count);
            }
            let t = report.summary.totals;
            println!(
                "  order totals {} (minor units), stock {}, units sold {}, promotion uses {}, \
                 review ratings {}, live refresh tokens {}",
                t.order_totals,
                t.stock,
                t.units_sold,
                t.promotion_uses,
                t.review_ratings,
                t.live_refresh_tokens
            );
            Ok(true)
        }
        Outcome::Paused { batches, next } => {
            let next = next.map_or("verification".to_owned(), |k| k.to_string());
            println!(
                "paused after {batches} batches (next: {next}); run the same command again to resume"
            );
            Ok(false)
        }
    }
}

#[cfg(not(all(feature = "sqlite", feature = "mongodb")))]
pub async fn run(_: &Source, _: &Target, _: Options) -> anyhow::Result<bool> {
    bail!("migrate needs a build with both the sqlite and mongodb features")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_their_database() {
        let t = Target::parse("mongodb://db1:27017/shop?replicaSet=rs0", "bakery").unwrap();
        assert_eq!(
            (t.uri.as_str(), t.database.as_str()),
            ("mongodb://db1:27017/shop?replicaSet=rs0", "shop")
        );
        let t = Target::parse(
            "mongodb:mongodb://127.0.0.1/?directConnection=true",
            "bakery",
        )
        .unwrap();
        assert_eq!(
            (t.uri.as_str(), t.database.as_str()),
            ("mongodb://127.0.0.1/?directConnection=true", "bakery")
        );
        let t = Target::parse("mongodb+srv://user:pw@cluster.example.net", "chain").unwrap();
        assert_eq!(t.database, "chain");
        assert!(Target::parse("postgres://x/y", "bakery").is_err());
        assert!(Target::parse("mongodb://x/a.b", "bakery").is_err());
    }

    #[test]
    fn sources_are_sqlite_files_or_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Source::parse("sqlite:").is_err());
        assert!(Source::parse(&format!("{}", dir.path().display())).is_err());
        assert!(Source::parse(&format!("sqlite:{}", dir.path().display())).is_err());
        std::fs::write(dir.path().join("bakery.db"), b"").unwrap();
        let s = Source::parse(&format!("sqlite:{}", dir.path().display())).unwrap();
        assert_eq!(s.path, dir.path().join("bakery.db"));
        assert!(s.name().starts_with("sqlite:/"));
    }
}
