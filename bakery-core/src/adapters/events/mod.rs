//! The embedded events bus (this process only); the Redis one is in `adapters::redis`.

mod memory;

pub use memory::{MemoryEvents, BUS_CAPACITY};
