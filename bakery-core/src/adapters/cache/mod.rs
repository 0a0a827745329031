//! Catalog caches: the in-process one, and the pieces the shared Redis one builds on.

pub(crate) mod answers;
pub(crate) mod generations;
mod memory;

pub use memory::MemoryCache;
