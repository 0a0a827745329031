//! Logging: readable lines in development, JSON lines in production.
//!
//! Lines are written by a background thread: the server logs every request, and a write(2)
//! per line on the request's own worker cost the cached catalog a share of its throughput.
//! Formatting still happens where the event is recorded; only the write moves. Nothing is
//! dropped when the writer falls behind (the request then waits, as it did before), and the
//! [`LogGuard`] flushes what is buffered when the process ends.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Keeps the log writer running; dropping it flushes the lines still buffered. Hold it for
/// as long as the process logs (`main`'s whole run).
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    // Never read: held for its `Drop`, which flushes and stops the writer thread.
    _writer: Option<WorkerGuard>,
}

pub fn init(production: bool) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("bakery-log")
        .finish(std::io::stdout());
    // Colours only on a terminal: a log file or pipe gets plain lines to grep.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(writer);
    let result = if production {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
    // A subscriber already installed (tests) is fine: that one's writer is used, and this
    // one's thread ends with its guard.
    match result {
        Ok(()) => LogGuard {
            _writer: Some(guard),
        },
        Err(_) => LogGuard { _writer: None },
    }
}
