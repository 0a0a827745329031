//! Opening the configured store.

use anyhow::Context;
use bakery_core::ports::Store;

use crate::config::StoreConfig;

pub async fn open(config: &StoreConfig) -> anyhow::Result<Store> {
    match config {
        #[cfg(feature = "sqlite")]
        StoreConfig::Sqlite { data_dir } => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
            let path = data_dir.join("bakery.db");
            let store = bakery_core::adapters::sqlite::SqliteStore::open(&path)
                .await
                .with_context(|| format!("opening the SQLite store at {}", path.display()))?;
            Ok(Store::from_adapter(store))
        }
        #[cfg(not(feature = "sqlite"))]
        StoreConfig::Sqlite { .. } => {
            anyhow::bail!("this build has no SQLite support; set MONGODB_URI")
        }
        #[cfg(feature = "mongodb")]
        StoreConfig::Mongo { uri, database } => {
            let store = bakery_core::adapters::mongo::MongoStore::connect(uri, database)
                .await
                .context("connecting to MongoDB (MONGODB_URI)")?;
            Ok(Store::from_adapter(store))
        }
        #[cfg(not(feature = "mongodb"))]
        StoreConfig::Mongo { .. } => {
            anyhow::bail!("this build has no MongoDB support; unset MONGODB_URI")
        }
    }
}
